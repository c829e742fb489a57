/**
 * Hardened pods on a real node (kubelet + containerd + runc): the webhook
 * hardens them in a restricted namespace, and the judge is whether they run
 * and what the process inside sees.
 */
import { jest } from '@jest/globals';
import type { Pod } from '../../../src/engine/pod.js';
import { eventually } from '../../helpers/eventually.js';
import { applyObject, createNamespace, createPod, getObject, RESTRICTED } from '../support/cluster.js';
import { describeNode, startNodeEnv, type NodeEnv } from '../support/node-suite.js';
import { nodeContainer, nodePod, procStatus, shell } from '../support/node-pods.js';
import { podOutcome } from '../support/pod-status.js';

jest.setTimeout(180_000);

const NS = 'hardened';
const NONROOT = 'e2e.local/nonroot:1';
/** An app that keeps state outside /tmp, in its data folder (the image makes /var/lib/app world-writable). */
const WRITER = 'e2e.local/writer:1';

describeNode('hardened pods on a real node', () => {
  let env: NodeEnv;
  beforeAll(async () => {
    env = await startNodeEnv();
    await env.node.loadImage({ name: NONROOT, user: '1000' });
    await env.node.loadImage({ name: WRITER, user: '1000', cmd: ['sh', '-c', 'echo state > /var/lib/app/state && exec sleep 3600'] });
    await createNamespace(env.plane, NS, RESTRICTED);
  }, 300_000);
  afterAll(async () => {
    await env?.stop();
  }, 120_000);

  /** Creates the pod and waits for the node's verdict; a refusal fails with the kubelet's own words. */
  async function run(pod: Pod): Promise<void> {
    const created = await createPod(env.plane, pod);
    expect(created.stderr).not.toMatch(/error|forbidden/i);
    const verdict = await podOutcome(env.plane, NS, pod.metadata?.name as string);
    expect(verdict.refused).toBeUndefined();
    expect(verdict.phase).toBe('Running');
  }

  test('a non-root image, fully hardened, runs: the root is read-only, /tmp and each writable path are not, no capability, no new privileges, seccomp filtering', async () => {
    await run(nodePod('web', NS, NONROOT, { annotations: { 'pod-hardener.io/writable-paths': '/var/cache/app,/run' } }));
    const readOnly = await shell(env.plane, NS, 'web', 'echo x > /probe');
    expect(readOnly.code).not.toBe(0);
    expect(readOnly.stderr).toMatch(/Read-only file system/);
    for (const path of ['/tmp', '/var/cache/app', '/run']) {
      const writable = await shell(env.plane, NS, 'web', `echo ok > ${path}/probe && cat ${path}/probe`);
      expect({ path, out: writable.stdout.trim(), code: writable.code }).toEqual({ path, out: 'ok', code: 0 });
    }
    const status = await procStatus(env.plane, NS, 'web');
    // CapEff all zero (drop ALL), NoNewPrivs (allowPrivilegeEscalation: false), Seccomp 2 = filter mode (RuntimeDefault).
    expect({ uid: status.Uid?.split(/\s+/)[0], CapEff: status.CapEff, NoNewPrivs: status.NoNewPrivs, Seccomp: status.Seccomp }).toEqual({ uid: '1000', CapEff: '0000000000000000', NoNewPrivs: '1', Seccomp: '2' });
  });

  test('an app that writes outside /tmp: the read-only root stops it, a writable-paths entry lets it run', async () => {
    await createPod(env.plane, nodePod('writer-hardened', NS, WRITER));
    expect(await podOutcome(env.plane, NS, 'writer-hardened')).toMatchObject({ crashed: { container: 'app', exitCode: 1 } });
    // The app's own words, from whichever run of it the kubelet still has.
    const logs = await Promise.all([[], ['--previous']].map((extra) => env.plane.kubectl(['logs', 'writer-hardened', '-n', NS, ...extra], { allowFailure: true })));
    expect(logs.map((l) => l.stdout).join('')).toMatch(/can't create \/var\/lib\/app\/state: Read-only file system/);

    await run(nodePod('writer-paths', NS, WRITER, { annotations: { 'pod-hardener.io/writable-paths': '/var/lib/app' } }));
    expect((await shell(env.plane, NS, 'writer-paths', 'cat /var/lib/app/state')).stdout.trim()).toBe('state');
  });

  test('an exemption by annotation: the pod runs with what it asked for (a writable root), every other control still applied', async () => {
    await run(nodePod('writer-exempt', NS, WRITER, { annotations: { 'pod-hardener.io/exempt': 'readOnlyRootFilesystem', 'pod-hardener.io/exempt-reason': 'keeps its state in /var/lib/app' } }));
    expect((await shell(env.plane, NS, 'writer-exempt', 'cat /var/lib/app/state && echo x > /var/lib/app/more && echo written')).stdout).toMatch(/state\s+written/);
    const status = await procStatus(env.plane, NS, 'writer-exempt');
    expect({ CapEff: status.CapEff, NoNewPrivs: status.NoNewPrivs, Seccomp: status.Seccomp }).toEqual({ CapEff: '0000000000000000', NoNewPrivs: '1', Seccomp: '2' });
    const record = (await env.hook.records()).find((r) => r.type === 'decision' && r.name === 'writer-exempt');
    expect(JSON.stringify(record)).toContain('keeps its state in /var/lib/app');
  });

  // A finding, kept as a test: the policy keeps NET_BIND_SERVICE, but a non-root process never
  // gets it. The runtime puts added capabilities in the bounding set, not the ambient one, and
  // exec as a non-root uid clears the effective set (capabilities(7); kubernetes/kubernetes#56374).
  describe('finding: NET_BIND_SERVICE kept by the policy is not effective for a non-root process (containerd 1.6, runc)', () => {
    test('the capability is kept and bounded, yet binding port 80 is refused', async () => {
      await run(nodePod('binder', NS, NONROOT, { container: { securityContext: { capabilities: { add: ['NET_BIND_SERVICE'] } } } }));
      const pod = await getObject<Pod>(env.plane, ['pod', 'binder', '-n', NS]);
      expect(pod.spec.containers?.[0]?.securityContext?.capabilities).toEqual({ add: ['NET_BIND_SERVICE'], drop: ['ALL'] });
      const status = await procStatus(env.plane, NS, 'binder');
      // Bit 10 is CAP_NET_BIND_SERVICE: in the bounding set only.
      expect({ CapBnd: status.CapBnd, CapEff: status.CapEff, CapAmb: status.CapAmb }).toEqual({ CapBnd: '0000000000000400', CapEff: '0000000000000000', CapAmb: '0000000000000000' });
      const bind = await shell(env.plane, NS, 'binder', 'httpd -p 80 -h /tmp');
      expect(bind.stderr).toMatch(/bind: Permission denied/);
    });

    test('what does let it bind port 80: the namespaced sysctl net.ipv4.ip_unprivileged_port_start, which the restricted standard allows', async () => {
      await run(nodePod('sysctl-binder', NS, NONROOT, { spec: { securityContext: { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '80' }] } } }));
      const bind = await shell(env.plane, NS, 'sysctl-binder', 'httpd -p 80 -h /tmp && netstat -ltn');
      expect(bind.stderr).toBe('');
      expect(bind.stdout).toMatch(/:80\s/);
    });
  });

  test('a Deployment with init containers and a sidecar, placed by the scheduler, becomes available', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'shop', namespace: NS },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'shop' } },
        template: {
          metadata: { labels: { app: 'shop' } },
          spec: {
            terminationGracePeriodSeconds: 1,
            initContainers: [
              nodeContainer('migrate', NONROOT, { command: ['sh', '-c', 'echo migrated > /tmp/done'] }),
              // A sidecar: an init container that keeps running (restartPolicy: Always).
              nodeContainer('proxy', NONROOT, { restartPolicy: 'Always' }),
            ],
            containers: [nodeContainer('shop', NONROOT)],
          },
        },
      },
    };
    await applyObject(env.plane, deployment);
    await env.plane.kubectl(['rollout', 'status', 'deployment/shop', '-n', NS, '--timeout=120s']);
    const available = await getObject<{ status: { availableReplicas?: number } }>(env.plane, ['deployment', 'shop', '-n', NS]);
    expect(available.status.availableReplicas).toBe(1);
    const [pod] = (await getObject<{ items: Pod[] }>(env.plane, ['pods', '-n', NS, '-l', 'app=shop'])).items;
    expect(pod?.spec.nodeName).toBe('e2e-node');
    for (const container of [...(pod?.spec.initContainers ?? []), ...(pod?.spec.containers ?? [])]) {
      expect({ name: container.name, readOnlyRootFilesystem: container.securityContext?.readOnlyRootFilesystem }).toEqual({ name: container.name, readOnlyRootFilesystem: true });
    }
  });

  test('kubectl debug attaches a hardened ephemeral container that runs', async () => {
    await run(nodePod('debug-me', NS, NONROOT));
    const debug = await env.plane.kubectl(['debug', 'debug-me', '-n', NS, `--image=${NONROOT}`, '--image-pull-policy=Never', '--container=debugger', '--', 'sleep', '3600'], { allowFailure: true });
    expect(debug.stderr).not.toMatch(/forbidden|error/i);
    await eventually('the debug container to run', async () => {
      const verdict = await podOutcome(env.plane, NS, 'debug-me');
      const debuggerStatus = verdict.containers.find((c) => c.name === 'debugger');
      if (verdict.refused) throw new Error(`the debug container was refused: ${JSON.stringify(verdict.refused)}`);
      return debuggerStatus?.running ? debuggerStatus : undefined;
    }, { timeoutMs: 60_000 });
    const status = await procStatus(env.plane, NS, 'debug-me', 'debugger');
    expect({ CapEff: status.CapEff, NoNewPrivs: status.NoNewPrivs, Seccomp: status.Seccomp }).toEqual({ CapEff: '0000000000000000', NoNewPrivs: '1', Seccomp: '2' });
    expect((await shell(env.plane, NS, 'debug-me', 'echo x > /probe', 'debugger')).code).not.toBe(0);
  });
});
