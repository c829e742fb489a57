/**
 * A real API server judges: namespaces enforce the restricted Pod Security
 * Standard, pods are created through the API with kubectl, and the webhook
 * is registered with the MutatingWebhookConfiguration of manifests/.
 */
import { jest } from '@jest/globals';
import type { Pod } from '../../src/engine/pod.js';
import { BASELINE, bare, createNamespace, createPod, getObject, RESTRICTED, startHardener, type Hardener } from './support/cluster.js';

jest.setTimeout(120_000);

describe('pods judged by the API server', () => {
  let env: Hardener;
  beforeAll(async () => {
    env = await startHardener();
    await createNamespace(env.plane, 'restricted', RESTRICTED);
    await createNamespace(env.plane, 'baseline', BASELINE);
  }, 180_000);
  afterAll(async () => {
    await env?.stop();
  });

  test('a bare pod the restricted namespace rejects on its own is admitted with the webhook, hardened', async () => {
    const optedOut = await createPod(env.plane, bare('without-webhook', 'restricted', {}, { labels: { 'pod-hardener.io/skip': 'true' } }));
    expect(optedOut.code).not.toBe(0);
    expect(optedOut.stderr).toMatch(/violates PodSecurity "restricted:latest"/);

    const created = await createPod(env.plane, bare('with-webhook', 'restricted'));
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const stored = await getObject<Pod>(env.plane, ['pod', 'with-webhook', '-n', 'restricted']);
    // Per container, never at pod level: a container added later is judged on its own.
    expect(stored.spec.securityContext?.runAsNonRoot).toBeUndefined();
    expect(stored.spec.containers?.every((c) => c.securityContext?.runAsNonRoot === true && c.securityContext?.seccompProfile?.type === 'RuntimeDefault')).toBe(true);
    expect(stored.spec.containers?.[0]?.securityContext).toEqual({ capabilities: { drop: ['ALL'] }, allowPrivilegeEscalation: false, runAsNonRoot: true, readOnlyRootFilesystem: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(stored.spec.containers?.[0]?.volumeMounts?.map((m) => m.mountPath)).toContain('/tmp');
    expect(JSON.parse(stored.metadata?.annotations?.['pod-hardener.io/hardened'] ?? '{}').changed.app).toContain('capabilities');
  });

  test('an exempted pod is rejected in a restricted namespace with the API server\'s own message, and admitted in a baseline one', async () => {
    const exempt = { annotations: { 'pod-hardener.io/exempt': 'runAsNonRoot', 'pod-hardener.io/exempt-reason': 'legacy image runs as root' } };
    const rejected = await createPod(env.plane, bare('exempt', 'restricted', {}, exempt));
    expect(rejected.code).not.toBe(0);
    expect(rejected.stderr).toMatch(/pods "exempt" is forbidden: violates PodSecurity "restricted:latest": runAsNonRoot != true/);
    const admitted = await createPod(env.plane, bare('exempt', 'baseline', {}, exempt));
    expect(admitted.code).toBe(0);
    expect(admitted.pod?.spec.securityContext?.runAsNonRoot).toBeUndefined();
    expect(admitted.pod?.spec.containers?.[0]?.securityContext?.runAsNonRoot).toBeUndefined();
    expect(admitted.pod?.spec.containers?.[0]?.securityContext?.allowPrivilegeEscalation).toBe(false);
  });

  test('init containers and native sidecars are hardened, and the pod meets restricted', async () => {
    const pod = bare('with-init', 'restricted', {
      initContainers: [
        { name: 'migrate', image: 'registry.example/migrate:1' },
        { name: 'proxy', image: 'registry.example/proxy:1', restartPolicy: 'Always' },
      ],
    });
    const created = await createPod(env.plane, pod);
    expect(created.stderr).toBe('');
    const init = created.pod?.spec.initContainers ?? [];
    expect(init.map((c) => c.securityContext?.allowPrivilegeEscalation)).toEqual([false, false]);
    expect(init.map((c) => c.volumeMounts?.find((m) => m.mountPath === '/tmp')?.name)).toEqual(['ph-migrate-tmp', 'ph-proxy-tmp']);
  });

  test('--dry-run=server: the answer shows the hardened pod, nothing is stored, and the decision record says dryRun', async () => {
    const result = await createPod(env.plane, bare('dry', 'restricted'), { dryRun: true });
    expect(result.code).toBe(0);
    expect(result.pod?.spec.containers?.[0]?.securityContext?.readOnlyRootFilesystem).toBe(true);
    const listed = await env.plane.kubectl(['get', 'pod', 'dry', '-n', 'restricted'], { allowFailure: true });
    expect(listed.stderr).toMatch(/NotFound/);
    const record = (await env.hook.records()).find((r) => r.type === 'decision' && r.namespace === 'restricted' && r.name === 'dry');
    expect(record).toMatchObject({ dryRun: true, outcome: 'patched' });
  });

  test('a Windows pod gets runAsNonRoot only, and is admitted in a restricted namespace', async () => {
    const created = await createPod(env.plane, bare('windows', 'restricted', { os: { name: 'windows' } }));
    expect(created.stderr).toBe(
      'Warning: pod-hardener: container "app": capabilities, allowPrivilegeEscalation, privileged, readOnlyRootFilesystem, seccompProfile not applied: Windows pod: the API server forbids Linux-only fields on it\n',
    );
    expect(created.pod?.spec.containers?.[0]?.securityContext?.runAsNonRoot).toBe(true);
    expect(created.pod?.spec.containers?.[0]?.securityContext?.seccompProfile).toBeUndefined();
    expect(created.pod?.spec.containers?.[0]?.securityContext).toEqual({ runAsNonRoot: true });
  });

  test('a pod that already mounts /tmp keeps its mount and gets no second one', async () => {
    const pod = bare('own-tmp', 'restricted', {
      volumes: [{ name: 'scratch', emptyDir: { medium: 'Memory' } }],
      containers: [{ name: 'app', image: 'registry.example/app:1', volumeMounts: [{ name: 'scratch', mountPath: '/tmp' }] }],
    });
    const created = await createPod(env.plane, pod);
    expect(created.stderr).toBe('');
    expect(created.pod?.spec.containers?.[0]?.volumeMounts?.filter((m) => m.mountPath === '/tmp')).toEqual([{ name: 'scratch', mountPath: '/tmp' }]);
    expect(created.pod?.spec.volumes?.map((v) => v.name).filter((n) => n !== 'scratch' && !n.startsWith('kube-api-access'))).toEqual([]);
  });

  test('every warning reaches kubectl', async () => {
    const pod = bare('warned', 'baseline', { containers: [{ name: 'root', image: 'registry.example/root:1', securityContext: { runAsUser: 0 } }] }, { annotations: { 'pod-hardener.io/exempt': 'hostNetwork', 'container.pod-hardener.io/ghost': 'all' } });
    const created = await createPod(env.plane, pod);
    expect(created.code).toBe(0);
    const warnings = created.stderr.split('\n').filter((line) => line.startsWith('Warning: pod-hardener: '));
    expect(warnings).toEqual([
      expect.stringContaining('unknown control "hostNetwork" ignored'),
      expect.stringContaining('the pod has no container named "ghost"'),
      expect.stringContaining('container "root": runAsNonRoot not applied: the container runs as uid 0'),
    ]);
  });
});
