/** fast-check generators of pods, annotations and policies for the property tests. */
import fc from 'fast-check';
import { CONTROL_IDS } from '../../src/engine/control-ids.js';
import type { Container, Pod, SecurityContext, Volume } from '../../src/engine/pod.js';

/**
 * Container names: ordinary ones, and every Object.prototype member in
 * DNS-label form (a container may be called "constructor"; names are data,
 * never keys that reach a prototype).
 */
export const PROTOTYPE_NAMES = ['constructor', 'tostring', 'valueof', 'hasownproperty', 'isprototypeof', 'propertyisenumerable', 'tolocalestring'];
const NAMES = ['app', 'web', 'proxy', 'init', 'migrate', 'log-shipper', 'a', 'ph-app', 'x'.repeat(63), ...PROTOTYPE_NAMES];

/** Annotation keys that would reach a prototype if used as plain object keys (a review arrives before API validation). */
const HOSTILE_ANNOTATION_KEYS = ['__proto__', 'constructor', 'toString', 'container.pod-hardener.io/__proto__', 'container.pod-hardener.io/constructor', 'pod-hardener.io/hardened'];

/** Sets a key as an own data property, as JSON.parse does — even "__proto__". */
export function setOwn(record: Record<string, string>, key: string, value: string): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}
const VOLUME_NAMES = ['data', 'config', 'tmp', 'ph-app-tmp', 'ph-web-tmp', 'cache', 'ph-init-tmp-2'];
const MOUNT_PATHS = ['/tmp', '/tmp/', '/data', '/var/cache/nginx', '/run', '/etc/config'];
const CAPABILITIES = ['NET_BIND_SERVICE', 'CAP_NET_BIND_SERVICE', 'NET_ADMIN', 'CAP_SYS_ADMIN', 'SYS_ADMIN', 'SYS_PTRACE', 'ALL'];

const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined, freq: 2 });

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const seccompProfile = fc.oneof(
  fc.constant({ type: 'RuntimeDefault' }),
  fc.constant({ type: 'Unconfined' }),
  fc.constant({ type: 'Localhost', localhostProfile: 'profiles/app.json' }),
);

/** A Linux container's securityContext as a user might write it. */
export const linuxSecurityContext: fc.Arbitrary<SecurityContext> = fc
  .record({
    privileged: maybe(fc.boolean()),
    allowPrivilegeEscalation: maybe(fc.boolean()),
    runAsNonRoot: maybe(fc.boolean()),
    runAsUser: maybe(fc.constantFrom(0, 1000, 65532)),
    readOnlyRootFilesystem: maybe(fc.boolean()),
    capabilities: maybe(
      fc.record(
        { add: fc.uniqueArray(fc.constantFrom(...CAPABILITIES), { maxLength: 3 }), drop: fc.uniqueArray(fc.constantFrom('ALL', 'NET_RAW', 'all'), { maxLength: 2 }) },
        { requiredKeys: [] },
      ),
    ),
    seccompProfile: maybe(seccompProfile),
  })
  .map(withoutUndefined);

const windowsSecurityContext: fc.Arbitrary<SecurityContext> = fc
  .record({
    runAsNonRoot: maybe(fc.boolean()),
    windowsOptions: maybe(fc.constantFrom({ runAsUserName: 'ContainerUser' }, { runAsUserName: 'ContainerAdministrator' })),
  })
  .map(withoutUndefined);

interface PodShape {
  windows: boolean;
  volumes: Volume[];
}

function containerArb(name: string, shape: PodShape, list: 'containers' | 'initContainers' | 'ephemeralContainers'): fc.Arbitrary<Container> {
  return fc
    .record({
      securityContext: maybe(shape.windows ? windowsSecurityContext : linuxSecurityContext),
      mounts: fc.uniqueArray(fc.record({ volume: fc.constantFrom(...shape.volumes.map((v) => v.name), 'none'), path: fc.constantFrom(...MOUNT_PATHS) }), {
        maxLength: 3,
        selector: (m) => m.path,
      }),
      device: fc.boolean().map((b) => b && shape.volumes.some((v) => v.name === 'data') && list !== 'ephemeralContainers'),
      sidecar: fc.boolean(),
    })
    .map(({ securityContext, mounts, device, sidecar }) => {
      const container: Container = { name, image: `registry.example/${name}:1` };
      if (securityContext !== undefined) container.securityContext = securityContext;
      const volumeMounts = mounts.filter((m) => m.volume !== 'none' && m.volume !== 'data').map((m) => ({ name: m.volume, mountPath: m.path }));
      if (volumeMounts.length > 0) container.volumeMounts = volumeMounts;
      // A block device at /tmp blocks the /tmp mount (the data volume is a PVC).
      if (device && !volumeMounts.some((m) => m.mountPath === '/tmp')) container.volumeDevices = [{ name: 'data', devicePath: '/tmp' }];
      if (list === 'initContainers' && sidecar) container.restartPolicy = 'Always';
      return container;
    });
}

const volumeArb = (name: string): fc.Arbitrary<Volume> =>
  name === 'data'
    ? fc.constant({ name, persistentVolumeClaim: { claimName: 'data' } })
    : fc.constantFrom<Volume>({ name, emptyDir: {} }, { name, configMap: { name: 'settings' } }, { name, secret: { secretName: 'creds' } });

const exemptionValue = fc.oneof(
  fc.constant('all'),
  fc.uniqueArray(fc.constantFrom(...CONTROL_IDS, 'hostNetwork', 'ALLOWPRIVILEGEESCALATION'), { minLength: 1, maxLength: 3 }).map((ids) => ids.join(',')),
);

export interface PodCase {
  pod: Pod;
  /** Container names, in pod order. */
  names: string[];
}

/** A pod as a user might submit it: random containers of each kind, security contexts, volumes, mounts and annotations. */
export function podArb(options: { ephemeral?: boolean } = {}): fc.Arbitrary<PodCase> {
  return fc
    .record({
      names: fc.shuffledSubarray(NAMES, { minLength: 1, maxLength: 6 }),
      volumeNames: fc.uniqueArray(fc.constantFrom(...VOLUME_NAMES), { maxLength: 4 }),
      containerCount: fc.integer({ min: 1, max: 4 }),
      windowsChance: fc.integer({ min: 0, max: 5 }),
    })
    .chain(({ names, volumeNames, containerCount, windowsChance }) => {
      const windows = windowsChance === 0;
      const split = Math.min(containerCount, names.length);
      const mainNames = names.slice(0, split);
      const rest = names.slice(split);
      const initNames = options.ephemeral ? rest.slice(0, 1) : rest;
      const ephemeralNames = options.ephemeral ? rest.slice(1) : [];
      return fc.tuple(fc.tuple(...volumeNames.map(volumeArb)), fc.constant({ windows, mainNames, initNames, ephemeralNames }));
    })
    .chain(([volumes, { windows, mainNames, initNames, ephemeralNames }]) => {
      const shape: PodShape = { windows, volumes };
      const allNames = [...initNames, ...mainNames, ...ephemeralNames];
      return fc
        .record({
          init: fc.tuple(...initNames.map((n) => containerArb(n, shape, 'initContainers'))),
          main: fc.tuple(...mainNames.map((n) => containerArb(n, shape, 'containers'))),
          ephemeral: fc.tuple(...ephemeralNames.map((n) => containerArb(n, shape, 'ephemeralContainers'))),
          podSc: maybe(
            windows
              ? fc.record({ runAsNonRoot: maybe(fc.boolean()) }).map(withoutUndefined)
              : fc.record({ runAsNonRoot: maybe(fc.boolean()), runAsUser: maybe(fc.constantFrom(0, 1000)), seccompProfile: maybe(seccompProfile) }).map(withoutUndefined),
          ),
          podExempt: maybe(exemptionValue),
          containerExempt: fc.array(fc.tuple(fc.constantFrom(...allNames, 'ghost'), exemptionValue), { maxLength: 2 }),
          reason: maybe(fc.constantFrom('vendor image needs it', '')),
          writablePaths: maybe(fc.constantFrom('/var/cache/nginx', '/run,/var/run', 'relative,/ok', '/tmp', '/dev/shm,/proc', '/etc/hosts,/data', '/var/run/secrets/kubernetes.io/serviceaccount')),
          hostile: fc.uniqueArray(fc.tuple(fc.constantFrom(...HOSTILE_ANNOTATION_KEYS), fc.constantFrom('all', '{"changed":{"__proto__":["privileged"]}}', 'x')), { maxLength: 2, selector: ([key]) => key }),
          legacySeccomp: maybe(fc.constantFrom('runtime/default', 'unconfined', 'localhost/profiles/app.json')),
        })
        .map(({ init, main, ephemeral, podSc, podExempt, containerExempt, reason, writablePaths, legacySeccomp, hostile }) => {
          const annotations: Record<string, string> = { 'team.example.com/owner': 'payments' };
          if (podExempt !== undefined) annotations['pod-hardener.io/exempt'] = podExempt;
          for (const [name, value] of containerExempt) annotations[`container.pod-hardener.io/${name}`] = value;
          if (reason !== undefined) annotations['pod-hardener.io/exempt-reason'] = reason;
          if (writablePaths !== undefined) annotations['pod-hardener.io/writable-paths'] = writablePaths;
          if (legacySeccomp !== undefined && !windows) annotations['seccomp.security.alpha.kubernetes.io/pod'] = legacySeccomp;
          for (const [key, value] of hostile) setOwn(annotations, key, value);
          const pod: Pod = {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: 'random', namespace: 'team-a', annotations },
            spec: { containers: main },
          };
          if (init.length > 0) pod.spec.initContainers = init;
          if (ephemeral.length > 0) pod.spec.ephemeralContainers = ephemeral;
          if (volumes.length > 0) pod.spec.volumes = volumes;
          if (podSc !== undefined) pod.spec.securityContext = podSc;
          if (windows) pod.spec.os = { name: 'windows' };
          return { pod, names: [...init, ...main, ...ephemeral].map((c) => c.name) };
        });
    });
}

export const policyArb = fc
  .record({
    mode: fc.constantFrom('enforce', 'enforce', 'fill', 'audit'),
    allowedCapabilities: maybe(fc.uniqueArray(fc.constantFrom('NET_BIND_SERVICE', 'SYS_ADMIN', 'NET_ADMIN'), { maxLength: 2 })),
    defaultRunAsUser: maybe(fc.constantFrom(10001, 65532)),
    exemptions: maybe(
      fc.record({ requireReason: fc.boolean(), allowedControls: fc.uniqueArray(fc.constantFrom(...CONTROL_IDS), { maxLength: 6 }) }),
    ),
  })
  .map(withoutUndefined);
