/**
 * Workloads through a real control plane (API server and controller manager):
 * Deployments, kubectl debug, another webhook that adds a container, updates.
 */
import { jest } from '@jest/globals';
import { join } from 'node:path';
import type { Pod } from '../../src/engine/pod.js';
import { eventually } from '../helpers/eventually.js';
import { applyObject, bare, createNamespace, createPod, getObject, RESTRICTED, startHardener, webhookConfiguration, type Hardener } from './support/cluster.js';
import { startSidecarInjector } from './support/sidecar-injector.js';

jest.setTimeout(180_000);

describe('workloads', () => {
  let env: Hardener;
  beforeAll(async () => {
    env = await startHardener({ controllerManager: true });
    await createNamespace(env.plane, 'apps', RESTRICTED);
  }, 240_000);
  afterAll(async () => {
    await env?.stop();
  });

  test('a Deployment in a restricted namespace: the pods its ReplicaSet creates are hardened and admitted', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'apps' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'registry.example/web:1' }] } },
      },
    };
    await applyObject(env.plane, deployment);
    const pods = await eventually('two pods of the Deployment', async () => {
      const list = await getObject<{ items: Pod[] }>(env.plane, ['pods', '-n', 'apps', '-l', 'app=web']);
      return list.items.length === 2 ? list.items : undefined;
    });
    for (const pod of pods) {
      expect(pod.metadata?.annotations?.['pod-hardener.io/hardened']).toBeDefined();
      expect(pod.spec.containers?.[0]?.securityContext?.readOnlyRootFilesystem).toBe(true);
      expect(pod.metadata?.ownerReferences?.[0]?.kind).toBe('ReplicaSet');
    }
    const records = (await env.hook.records()).filter((r) => r.type === 'decision' && r.namespace === 'apps' && r.generateName);
    expect(records.length).toBeGreaterThanOrEqual(2);
    expect(records[0]).toMatchObject({ name: null, generateName: expect.stringMatching(/^web-/), owner: { kind: 'ReplicaSet' }, outcome: 'patched' });
  });

  test('kubectl debug: the new ephemeral container is hardened and admitted; get -o yaml shows the audit annotation', async () => {
    await createPod(env.plane, bare('debug-me', 'apps'));
    const debug = await env.plane.kubectl(['debug', 'debug-me', '-n', 'apps', '--image=registry.example/debug:1', '--container=debugger', '--', 'sleep', '3600'], { allowFailure: true });
    expect(debug.stderr).not.toMatch(/forbidden|error/i);
    expect(debug.code).toBe(0);
    const yaml = (await env.plane.kubectl(['get', 'pod', 'debug-me', '-n', 'apps', '-o', 'yaml'])).stdout;
    expect(yaml).toContain('pod-hardener.io/hardened:');
    const pod = await getObject<Pod>(env.plane, ['pod', 'debug-me', '-n', 'apps']);
    const debugger_ = pod.spec.ephemeralContainers?.find((c) => c.name === 'debugger');
    expect(debugger_?.securityContext).toMatchObject({ capabilities: { drop: ['ALL'] }, allowPrivilegeEscalation: false });
    const record = (await env.hook.records()).find((r) => r.type === 'decision' && r.subResource === 'ephemeralcontainers' && r.name === 'debug-me');
    expect(record).toMatchObject({ operation: 'UPDATE', outcome: 'patched', containers: [{ name: 'debugger', kind: 'ephemeralContainer' }] });
  });

  test('reinvocation: a container added by a later webhook is hardened too', async () => {
    const injector = await startSidecarInjector(join(env.certDir, 'tls.crt'), join(env.certDir, 'tls.key'), 'mesh-proxy');
    try {
      const config = webhookConfiguration(injector.port, { name: 'zz-sidecar-injector' });
      config.webhooks[0].name = 'inject.sidecar.example.com';
      config.webhooks[0].reinvocationPolicy = 'Never';
      config.webhooks[0].clientConfig.caBundle = (await getObject(env.plane, ['mutatingwebhookconfiguration', 'pod-hardener'])).webhooks[0].clientConfig.caBundle;
      await applyObject(env.plane, config);
      const pod = await eventually('the injector to be called', async () => {
        const created = await createPod(env.plane, bare(`meshed-${Date.now()}`, 'apps'), { dryRun: true });
        return created.pod?.spec.containers?.some((c) => c.name === 'mesh-proxy') ? created.pod : undefined;
      }, { timeoutMs: 30_000 });
      const proxy = pod.spec.containers?.find((c) => c.name === 'mesh-proxy');
      // The first pass wrote nothing at pod level, so the injected container is judged, and hardened, on its own.
      expect(pod.spec.securityContext?.runAsNonRoot).toBeUndefined();
      expect(proxy?.securityContext).toEqual({ capabilities: { drop: ['ALL'] }, allowPrivilegeEscalation: false, runAsNonRoot: true, readOnlyRootFilesystem: true, seccompProfile: { type: 'RuntimeDefault' } });
      const all = ['capabilities', 'allowPrivilegeEscalation', 'runAsNonRoot', 'readOnlyRootFilesystem', 'seccompProfile'];
      expect(JSON.parse(pod.metadata?.annotations?.['pod-hardener.io/hardened'] ?? '{}').changed).toEqual({ app: all, 'mesh-proxy': all });
      // Two reviews of that pod: the first pass, and the reinvocation after the injector (with its own uid).
      const passes = (await env.hook.records()).filter((r) => r.type === 'decision' && r.name === pod.metadata?.name);
      expect(passes.map((r) => (r.containers as Array<{ name: string }>).map((c) => c.name))).toEqual([['app'], ['app', 'mesh-proxy']]);
    } finally {
      await env.plane.kubectl(['delete', 'mutatingwebhookconfiguration', 'zz-sidecar-injector', '--ignore-not-found']);
      await injector.close();
    }
  });

  test('an UPDATE of labels passes untouched, even when the webhook is sent updates', async () => {
    const created = await createPod(env.plane, bare('labelled', 'apps'));
    const before = created.pod as Pod;
    const withUpdates = webhookConfiguration(env.port);
    withUpdates.webhooks[0].rules[0].operations = ['CREATE', 'UPDATE'];
    withUpdates.webhooks[0].clientConfig.caBundle = (await getObject(env.plane, ['mutatingwebhookconfiguration', 'pod-hardener'])).webhooks[0].clientConfig.caBundle;
    await applyObject(env.plane, withUpdates);
    const skipped = await eventually('an UPDATE to reach the webhook', async () => {
      await env.plane.kubectl(['label', 'pod', 'labelled', '-n', 'apps', `tick=${Date.now()}`, '--overwrite']);
      return (await env.hook.records()).find((r) => r.type === 'decision' && r.operation === 'UPDATE' && r.name === 'labelled' && !r.subResource);
    }, { timeoutMs: 30_000 });
    expect(skipped).toMatchObject({ outcome: 'skipped', skipReason: expect.stringMatching(/pod update/), patch: [] });
    const after = await getObject<Pod>(env.plane, ['pod', 'labelled', '-n', 'apps']);
    expect(after.spec).toEqual(before.spec);
    expect(after.metadata?.annotations).toEqual(before.metadata?.annotations);
  });
});
