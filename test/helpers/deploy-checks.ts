/**
 * What any deployment of pod-hardener must be, whichever tool made it: the
 * objects of manifests/ (and its cert-manager variant) in the unit tests, and
 * each `helm template` rendering of charts/pod-hardener in the e2e tests
 * (they need the helm binary). One list of checks, so the two cannot drift.
 */
import { X509Certificate } from 'node:crypto';
import { parseConfig } from '../../src/config/config-file.js';
import { resolveServeOptions, serveFileSchema } from '../../src/config/serve-options.js';
import type { Pod } from '../../src/engine/pod.js';
import { apiValidationErrors, restrictedViolations } from './api-rules.js';

export type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface DeployCheckOptions {
  /** The namespace the webhook runs in. */
  namespace: string;
  /**
   * The serving Secret is made outside these objects (certs/install.sh, or one
   * of the user's): the CA bundle is then empty (filled in later) or given.
   */
  externalTls?: boolean;
}

function pick(objects: Obj[], kind: string): Obj {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0] as Obj;
}

const pem = (base64: string): string => Buffer.from(base64, 'base64').toString('utf8');

/** `--client-ca-file=/x` → ['clientCaFile', '/x']: the container's flags as the serve options they set. */
function serveOptions(flags: string[]): Record<string, string> {
  return Object.fromEntries(
    flags.map((flag) => {
      const [, name = '', value = ''] = /^--([a-z-]+)=(.*)$/s.exec(flag) ?? [];
      return [name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()), value];
    }),
  );
}

/** Registers the checks as tests; `load` runs once, in beforeAll. */
export function describeDeployChecks(title: string, load: () => Obj[] | Promise<Obj[]>, options: DeployCheckOptions): void {
  const { namespace } = options;
  describe(title, () => {
    let objects: Obj[] = [];
    const find = (kind: string): Obj => pick(objects, kind);
    const webhook = (): Obj => find('MutatingWebhookConfiguration').webhooks[0];
    const podSpec = (): Obj => find('Deployment').spec.template.spec;
    beforeAll(async () => {
      objects = await load();
    });

    test('RBAC is least privilege: get, list and watch on namespaces, for the Deployment\'s service account only', () => {
      expect(objects.filter((o) => o.kind === 'Role' || o.kind === 'RoleBinding')).toEqual([]);
      const role = find('ClusterRole');
      expect(role.rules).toEqual([{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] }]);
      const binding = find('ClusterRoleBinding');
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: podSpec().serviceAccountName, namespace }]);
      expect(find('ServiceAccount').metadata).toMatchObject({ name: podSpec().serviceAccountName, namespace });
    });

    test('the Deployment: 3 replicas spread over zones and nodes, a PDB, probes, resources, a critical priority', () => {
      const deployment = find('Deployment');
      expect(deployment.spec.replicas).toBe(3);
      const spec = podSpec();
      expect(spec.topologySpreadConstraints.map((c: Obj) => c.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
      for (const constraint of spec.topologySpreadConstraints) expect(constraint.labelSelector).toEqual(deployment.spec.selector);
      expect(spec.priorityClassName).toBe('system-cluster-critical');
      const [container] = spec.containers;
      expect(container.readinessProbe.httpGet).toMatchObject({ path: '/readyz', scheme: 'HTTPS' });
      expect(container.livenessProbe.httpGet).toMatchObject({ path: '/healthz', scheme: 'HTTPS' });
      expect(container.resources.requests).toBeDefined();
      expect(container.resources.limits.memory).toBeDefined();
      expect(find('PodDisruptionBudget').spec).toEqual({ maxUnavailable: 1, selector: deployment.spec.selector });
      expect(find('Service').spec.selector).toEqual(deployment.spec.selector.matchLabels);
      expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
    });

    test('the Deployment\'s pod meets the restricted standard and passes API validation', () => {
      const template = find('Deployment').spec.template;
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: template.metadata, spec: template.spec } as Pod;
      expect(restrictedViolations(pod)).toEqual([]);
      expect(apiValidationErrors(pod)).toEqual([]);
      expect(pod.spec.containers?.[0]?.securityContext?.readOnlyRootFilesystem).toBe(true);
    });

    test('the container reads its certificate and policy where the volumes are mounted', () => {
      const [container] = podSpec().containers;
      const mounts = Object.fromEntries(container.volumeMounts.map((m: Obj) => [m.name, m.mountPath]));
      expect(container.args).toEqual(expect.arrayContaining([`--tls-cert-file=${mounts.tls}/tls.crt`, `--tls-key-file=${mounts.tls}/tls.key`, `--config=${mounts.policy}/policy.yaml`]));
      const volumes = Object.fromEntries(podSpec().volumes.map((v: Obj) => [v.name, v]));
      expect(volumes.policy.configMap.name).toBe(find('ConfigMap').metadata.name);
      expect(volumes.tls.secret.secretName).toEqual(expect.any(String));
    });

    test('the container runs `serve` with options serve knows, and accepts together', () => {
      const [command, ...flags] = podSpec().containers[0].args as string[];
      expect(command).toBe('serve');
      const options = serveOptions(flags);
      expect(Object.keys(options).filter((key) => key !== 'config' && !(key in serveFileSchema.shape))).toEqual([]);
      expect(() => resolveServeOptions(options, {})).not.toThrow();
    });

    test('the policy ConfigMap holds a valid policy, whose excluded namespaces the webhook is never even called for', () => {
      const { policy } = parseConfig(find('ConfigMap').data['policy.yaml'], 'configmap policy.yaml');
      expect(policy.mode).toBe('enforce');
      expect(policy.excludedNamespaces).toEqual(expect.arrayContaining(['kube-system', 'kube-node-lease']));
      const [selected] = webhook().namespaceSelector.matchExpressions;
      expect(selected.values).toEqual(expect.arrayContaining(policy.excludedNamespaces));
    });

    test('the MutatingWebhookConfiguration: pods CREATE and pods/ephemeralcontainers UPDATE, no side effects, short timeout, reinvocation', () => {
      const hook = webhook();
      expect(find('MutatingWebhookConfiguration').webhooks).toHaveLength(1);
      expect(hook.rules).toEqual([
        { operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' },
        { operations: ['UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods/ephemeralcontainers'], scope: 'Namespaced' },
      ]);
      expect(hook).toMatchObject({ sideEffects: 'None', reinvocationPolicy: 'IfNeeded', matchPolicy: 'Equivalent', admissionReviewVersions: ['v1'], failurePolicy: 'Fail' });
      expect(hook.timeoutSeconds).toBeLessThanOrEqual(10);
      const service = find('Service');
      expect(hook.clientConfig.service).toEqual({ name: service.metadata.name, namespace, path: '/mutate', port: 443 });
      expect(service.spec.ports).toEqual(expect.arrayContaining([{ name: 'https', port: 443, targetPort: 'https' }]));
      expect(hook.namespaceSelector.matchExpressions).toEqual([{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'kube-node-lease', namespace] }]);
      expect(hook.matchConditions[0].expression).toContain('kubernetes.io/config.mirror');
    });

    test('the webhook\'s own pods carry the opt-out label its objectSelector excludes', () => {
      const [expression] = webhook().objectSelector.matchExpressions;
      expect(expression.operator).toBe('NotIn');
      expect(expression.values).toContain(find('Deployment').spec.template.metadata.labels[expression.key]);
    });

    test('the webhook configuration trusts the certificate the Deployment serves', () => {
      const secretName = podSpec().volumes.find((v: Obj) => v.name === 'tls').secret.secretName;
      const host = `${find('Service').metadata.name}.${namespace}.svc`;
      const configuration = find('MutatingWebhookConfiguration');
      const caBundle: string | undefined = webhook().clientConfig.caBundle;
      const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === secretName);
      const certificate = objects.find((o) => o.kind === 'Certificate' && o.spec.secretName === secretName);
      if (secret) {
        // Made with the objects (the chart's generated pair): signed by the CA the API server is given, for the Service's name.
        expect(secret.type).toBe('kubernetes.io/tls');
        const ca = new X509Certificate(pem(caBundle ?? ''));
        const serving = new X509Certificate(pem(secret.data['tls.crt']));
        expect(caBundle).toBe(secret.data['ca.crt']);
        expect(serving.verify(ca.publicKey)).toBe(true);
        expect(serving.checkHost(host)).toBe(host);
      } else if (certificate) {
        // Issued by cert-manager, whose CA injector fills the bundle.
        expect(certificate.metadata.namespace).toBe(namespace);
        expect(certificate.spec.dnsNames).toContain(host);
        expect(configuration.metadata.annotations?.['cert-manager.io/inject-ca-from']).toBe(`${namespace}/${certificate.metadata.name}`);
        expect(caBundle ?? '').toBe('');
      } else {
        expect(options.externalTls).toBe(true);
        if (caBundle) expect(new X509Certificate(pem(caBundle)).ca).toBe(true);
      }
    });

    test('a Namespace among the objects holds the webhook\'s pods to the restricted standard', () => {
      for (const ns of objects.filter((o) => o.kind === 'Namespace')) {
        expect(ns.metadata.name).toBe(namespace);
        expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
      }
      for (const o of objects) if (o.metadata.namespace !== undefined) expect(o.metadata.namespace).toBe(namespace);
    });
  });
}
