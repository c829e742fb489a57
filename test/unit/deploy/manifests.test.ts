/** The deployment artifacts, checked as YAML: what a platform team applies must be right as it is. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { parseConfig } from '../../../src/config/config-file.js';
import type { Pod } from '../../../src/engine/pod.js';
import { apiValidationErrors, restrictedViolations } from '../../helpers/api-rules.js';

const BASE = fileURLToPath(new URL('../../../manifests/base/', import.meta.url));
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function load(path: string): Obj[] {
  return parseAllDocuments(readFileSync(path, 'utf8')).map((doc) => {
    expect(doc.errors).toEqual([]);
    return doc.toJS() as Obj;
  });
}

const objects = readdirSync(BASE)
  .filter((file) => file !== 'kustomization.yaml')
  .flatMap((file) => load(BASE + file));
const find = (kind: string): Obj => {
  const found = objects.find((o) => o.kind === kind);
  if (!found) throw new Error(`no ${kind} in manifests/base`);
  return found;
};

describe('manifests/', () => {
  test('the kustomization lists every file of the base, and the top-level one points at it', () => {
    const kustomization = load(`${BASE}kustomization.yaml`)[0] as Obj;
    expect([...kustomization.resources].sort()).toEqual(readdirSync(BASE).filter((f) => f !== 'kustomization.yaml').sort());
    expect((load(fileURLToPath(new URL('../../../manifests/kustomization.yaml', import.meta.url)))[0] as Obj).resources).toEqual(['base']);
  });

  test('RBAC is least privilege: get, list and watch on namespaces, nothing else', () => {
    expect(find('ClusterRole').rules).toEqual([{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] }]);
    expect(find('ClusterRoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'pod-hardener', namespace: 'pod-hardener' }]);
  });

  test('the Deployment: 3 replicas spread over zones and nodes, a PDB, probes, resources, a critical priority', () => {
    const deployment = find('Deployment');
    expect(deployment.spec.replicas).toBe(3);
    const spec = deployment.spec.template.spec;
    expect(spec.topologySpreadConstraints.map((c: Obj) => c.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
    expect(spec.priorityClassName).toBe('system-cluster-critical');
    const container = spec.containers[0];
    expect(container.readinessProbe.httpGet).toMatchObject({ path: '/readyz', scheme: 'HTTPS' });
    expect(container.livenessProbe.httpGet).toMatchObject({ path: '/healthz', scheme: 'HTTPS' });
    expect(container.resources.requests).toBeDefined();
    expect(container.resources.limits.memory).toBeDefined();
    expect(find('PodDisruptionBudget').spec).toEqual({ maxUnavailable: 1, selector: deployment.spec.selector });
    expect(find('Service').spec.selector).toEqual(deployment.spec.selector.matchLabels);
  });

  test('the Deployment\'s pod meets the restricted standard and passes API validation', () => {
    const template = find('Deployment').spec.template;
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: template.metadata, spec: template.spec } as Pod;
    expect(restrictedViolations(pod)).toEqual([]);
    expect(apiValidationErrors(pod)).toEqual([]);
    expect(pod.spec.containers?.[0]?.securityContext?.readOnlyRootFilesystem).toBe(true);
  });

  test('the container reads its certificate and policy where the volumes are mounted', () => {
    const spec = find('Deployment').spec.template.spec;
    const container = spec.containers[0];
    const mounts = Object.fromEntries(container.volumeMounts.map((m: Obj) => [m.name, m.mountPath]));
    expect(container.args).toEqual(expect.arrayContaining([`--tls-cert-file=${mounts.tls}/tls.crt`, `--tls-key-file=${mounts.tls}/tls.key`, `--config=${mounts.policy}/policy.yaml`]));
    const volumes = Object.fromEntries(spec.volumes.map((v: Obj) => [v.name, v]));
    expect(volumes.tls.secret.secretName).toBe('pod-hardener-tls');
    expect(volumes.policy.configMap.name).toBe(find('ConfigMap').metadata.name);
  });

  test('the policy ConfigMap holds a valid policy', () => {
    const { policy } = parseConfig(find('ConfigMap').data['policy.yaml'], 'configmap policy.yaml');
    expect(policy.mode).toBe('enforce');
    expect(policy.excludedNamespaces).toEqual(expect.arrayContaining(['kube-system', 'kube-node-lease']));
  });

  test('the MutatingWebhookConfiguration: pods CREATE and pods/ephemeralcontainers UPDATE, no side effects, short timeout, reinvocation', () => {
    const [webhook] = find('MutatingWebhookConfiguration').webhooks;
    expect(webhook.rules).toEqual([
      { operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' },
      { operations: ['UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods/ephemeralcontainers'], scope: 'Namespaced' },
    ]);
    expect(webhook).toMatchObject({ sideEffects: 'None', reinvocationPolicy: 'IfNeeded', matchPolicy: 'Equivalent', admissionReviewVersions: ['v1'], failurePolicy: 'Fail' });
    expect(webhook.timeoutSeconds).toBeLessThanOrEqual(10);
    expect(webhook.clientConfig.service).toEqual({ name: find('Service').metadata.name, namespace: 'pod-hardener', path: '/mutate', port: 443 });
    expect(webhook.namespaceSelector.matchExpressions).toEqual([{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'kube-node-lease', 'pod-hardener'] }]);
    expect(webhook.matchConditions[0].expression).toContain('kubernetes.io/config.mirror');
  });

  test('the webhook\'s own pods carry the opt-out label its objectSelector excludes', () => {
    const [webhook] = find('MutatingWebhookConfiguration').webhooks;
    const [expression] = webhook.objectSelector.matchExpressions;
    expect(expression.operator).toBe('NotIn');
    expect(expression.values).toContain(find('Deployment').spec.template.metadata.labels[expression.key]);
  });

  test('the cert-manager variant issues the Secret the Deployment mounts and injects the CA', () => {
    const certificates = load(fileURLToPath(new URL('../../../manifests/cert-manager/certificates.yaml', import.meta.url)));
    const serving = certificates.find((o) => o.kind === 'Certificate' && !o.spec.isCA) as Obj;
    expect(serving.spec.secretName).toBe('pod-hardener-tls');
    expect(serving.spec.dnsNames).toContain('pod-hardener.pod-hardener.svc');
    const overlay = readFileSync(fileURLToPath(new URL('../../../manifests/cert-manager/kustomization.yaml', import.meta.url)), 'utf8');
    expect(overlay).toContain(`cert-manager.io/inject-ca-from: pod-hardener/${serving.metadata.name}`);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(fileURLToPath(new URL('../../../Dockerfile', import.meta.url)), 'utf8');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages.at(-1) ?? '';

  test('is multi-stage, and the runtime stage gets production dependencies only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]).toMatch(/npm prune --omit=dev/);
    expect(runtime).toMatch(/COPY --from=build .*\/app\/node_modules/);
    expect(runtime).not.toMatch(/npm (ci|install)/);
  });

  test('runs as a numeric non-root user, with an exec-form entrypoint (no shell)', () => {
    const user = /^USER (\d+)(:\d+)?$/m.exec(runtime);
    expect(user).not.toBeNull();
    expect(Number(user?.[1])).toBeGreaterThan(0);
    expect(runtime).toMatch(/^ENTRYPOINT \[".*node", ".*dist\/cli\/main\.js"\]$/m);
    expect(runtime).not.toMatch(/^(RUN|CMD|ENTRYPOINT) (?!\[)/m);
  });

  test('copies only files that exist in the repository', () => {
    for (const [, sources] of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const source of (sources ?? '').split(/\s+/)) {
        expect(() => readFileSync(fileURLToPath(new URL(`../../../${source}`, import.meta.url)))).not.toThrow(/ENOENT/);
      }
    }
  });
});
