/**
 * The ways issue 14 found to get a pod admitted unhardened, or changed
 * without a record, each as a named case.
 */
import { parseHardenedRecord } from '../../../src/engine/hardened-annotation.js';
import type { Pod } from '../../../src/engine/pod.js';
import { kubeletRefusals } from '../../helpers/api-rules.js';
import { container, ephemeralRequest, harden, outcomeKinds, pod, policy, applyStrictly, warningsOf } from '../../helpers/pods.js';
import { reviewAdmission } from '../../../src/engine/review.js';

const HARDENED = 'pod-hardener.io/hardened';

function hardenedRecord(p: Pod): ReturnType<typeof parseHardenedRecord> {
  const annotations = p.metadata?.annotations ?? {};
  return parseHardenedRecord(Object.hasOwn(annotations, HARDENED) ? annotations[HARDENED] : undefined);
}

describe('names and annotation keys are data, never prototype keys', () => {
  test.each(['constructor', 'tostring', 'valueof', 'hasownproperty'])('a container named %s is hardened like any other', (name) => {
    const { pod: result, decision } = harden(pod({ containers: [container(name)] }));
    expect(decision.outcome).toBe('patched');
    expect(result.spec.containers?.[0]?.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    expect(hardenedRecord(result)?.changed.get(name)).toContain('runAsNonRoot');
  });

  test('"__proto__" and "constructor" annotation keys, and a hardened annotation that names them, change nothing but what they say', () => {
    const annotations = JSON.parse('{"__proto__": "all", "constructor": "all", "container.pod-hardener.io/__proto__": "all", "pod-hardener.io/hardened": "{\\"changed\\":{\\"__proto__\\":[\\"privileged\\"],\\"constructor\\":[\\"capabilities\\"]}}"}') as Record<string, string>;
    const { pod: result, decision } = harden(pod({ containers: [container('constructor')] }, { annotations }));
    expect(outcomeKinds(decision, 'constructor').capabilities).toBe('applied');
    const record = hardenedRecord(result);
    expect(record?.changed.get('__proto__')).toEqual(['privileged']);
    expect(record?.changed.get('constructor')).toEqual(['capabilities', 'allowPrivilegeEscalation', 'runAsNonRoot', 'readOnlyRootFilesystem', 'seccompProfile']);
  });
});

describe('a "__proto__" field is an unknown field, never a prototype', () => {
  // JSON.parse makes "__proto__" an ordinary field, and the API server drops it as unknown. A copy made by
  // assignment would take it as its prototype and read every field it lacks from it: privileged: true would
  // have made allowPrivilegeEscalation "not applicable", and readOnlyRootFilesystem: true left the root writable.
  const HOSTILE = JSON.stringify({
    metadata: { name: 'p' },
    spec: {
      securityContext: { ['__proto__']: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } },
      containers: [
        {
          name: 'app',
          image: 'registry.example/app:1',
          securityContext: {
            capabilities: { ['__proto__']: { drop: ['ALL'] } },
            ['__proto__']: { privileged: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          },
        },
      ],
    },
  });

  test('every control is applied as if the field were not there, and the patch leaves it alone', () => {
    expect(HOSTILE).toContain('"__proto__":{"privileged":true');
    const object = JSON.parse(HOSTILE) as Pod;
    const { pod: result, decision } = harden(object);
    expect(outcomeKinds(decision, 'app')).toEqual({
      privileged: 'satisfied',
      capabilities: 'applied',
      allowPrivilegeEscalation: 'applied',
      runAsNonRoot: 'applied',
      readOnlyRootFilesystem: 'applied',
      seccompProfile: 'applied',
    });
    const sc = result.spec.containers?.[0]?.securityContext ?? {};
    for (const [field, value] of Object.entries({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } })) {
      expect(Object.hasOwn(sc, field)).toBe(true);
      expect(JSON.parse(JSON.stringify((sc as Record<string, unknown>)[field]))).toEqual(value);
    }
    expect(Object.hasOwn(sc.capabilities ?? {}, 'drop')).toBe(true);
    expect(sc.capabilities?.drop).toEqual(['ALL']);
    expect(decision.patch.filter((op) => op.path.includes('__proto__'))).toEqual([]);
  });
});

describe('containers that arrive later are judged on their own', () => {
  test('the first pass writes nothing at pod level that a later root init container would inherit', () => {
    const first = harden(pod()).pod;
    expect(first.spec.securityContext).toBeUndefined();
    const withInit: Pod = structuredClone(first);
    withInit.spec.initContainers = [container('istio-init', { securityContext: { runAsUser: 0, capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } } })];
    const { pod: second, decision } = harden(withInit);
    expect(kubeletRefusals(second)).toEqual([]);
    expect(outcomeKinds(decision, 'istio-init').runAsNonRoot).toBe('notApplicable');
    expect(warningsOf(decision).join('\n')).toMatch(/container "istio-init": runAsNonRoot not applied: the container runs as uid 0/);
  });

  test('a kubectl debug container running as root is not trapped by anything the first pass wrote', () => {
    const first = harden(pod()).pod;
    const debugged: Pod = structuredClone(first);
    debugged.spec.ephemeralContainers = [{ name: 'debugger-x7k2p', image: 'busybox', securityContext: { runAsUser: 0 } }];
    const decision = reviewAdmission(ephemeralRequest(debugged, first), { policy: policy() });
    expect(kubeletRefusals(applyStrictly(debugged, decision.patch))).toEqual([]);
    expect(warningsOf(decision).join('\n')).toMatch(/"debugger-x7k2p": runAsNonRoot/);
  });
});

describe('every change is recorded', () => {
  test('a pod-level runAsUser: 0 that every container overrides is removed, and the annotation, the record and the outcome say so', () => {
    const hardenedContainer = container('app', {
      securityContext: { runAsUser: 1000, runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    });
    const input = pod({ containers: [hardenedContainer], volumes: [{ name: 'tmp', emptyDir: {} }], securityContext: { runAsUser: 0 } });
    const { pod: result, decision } = harden(input);
    expect(result.spec.securityContext?.runAsUser).toBeUndefined();
    expect(decision.outcome).toBe('patched');
    expect(decision.pod.get('runAsNonRoot')?.kind).toBe('applied');
    expect(hardenedRecord(result)?.pod).toEqual(['runAsNonRoot']);
  });

  test('fill mode says what capabilities kept beside the change', () => {
    const input = pod({ containers: [container('app', { securityContext: { capabilities: { add: ['NET_ADMIN'] } } })] });
    const { pod: result, decision } = harden(input, { mode: 'fill' });
    expect(result.spec.containers?.[0]?.securityContext?.capabilities).toEqual({ add: ['NET_ADMIN'], drop: ['ALL'] });
    const outcome = decision.containers[0]?.outcomes.get('capabilities');
    expect(outcome).toEqual({ kind: 'applied', kept: expect.stringContaining('capabilities.add') });
  });
});

describe('writable paths that would break the runtime or the credentials are refused', () => {
  const refused = ['/dev', '/dev/shm', '/proc', '/sys/fs', '/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/var/run/secrets/kubernetes.io/serviceaccount', '/run/secrets/kubernetes.io/serviceaccount/token'];
  test.each(refused)('%s gets no emptyDir, and a warning names it', (path) => {
    const { pod: result, decision } = harden(pod({}, { annotations: { 'pod-hardener.io/writable-paths': `${path},/var/cache/app` } }));
    const mounts = result.spec.containers?.[0]?.volumeMounts?.map((m) => m.mountPath);
    expect(mounts).toEqual(['/tmp', '/var/cache/app']);
    expect(warningsOf(decision).join('\n')).toContain(`path "${path}" refused`);
  });

  test("the container's own terminationMessagePath is not mounted over", () => {
    const input = pod({ containers: [container('app', { terminationMessagePath: '/var/log/termination' })] }, { annotations: { 'pod-hardener.io/writable-paths': '/var/log/termination' } });
    const { pod: result, decision } = harden(input);
    expect(result.spec.containers?.[0]?.volumeMounts?.map((m) => m.mountPath)).toEqual(['/tmp']);
    expect(warningsOf(decision).join('\n')).toMatch(/terminationMessagePath/);
  });
});
