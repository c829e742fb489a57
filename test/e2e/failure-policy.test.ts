/** The webhook down: what each failurePolicy does to pod creation (as the README says). */
import { jest } from '@jest/globals';
import { until } from '../helpers/eventually.js';
import { applyObject, bare, BASELINE, createNamespace, createPod, getObject, RESTRICTED, startHardener, webhookConfiguration, type Hardener } from './support/cluster.js';

jest.setTimeout(120_000);

async function setFailurePolicy(env: Hardener, policy: 'Fail' | 'Ignore'): Promise<void> {
  const current = await getObject(env.plane, ['mutatingwebhookconfiguration', 'pod-hardener']);
  const config = webhookConfiguration(env.port, { failurePolicy: policy });
  config.webhooks[0].clientConfig.caBundle = current.webhooks[0].clientConfig.caBundle;
  await applyObject(env.plane, config);
}

describe('failurePolicy with every replica down', () => {
  let env: Hardener;
  beforeAll(async () => {
    env = await startHardener();
    await createNamespace(env.plane, 'team', BASELINE);
    await createNamespace(env.plane, 'strict', RESTRICTED);
    expect((await createPod(env.plane, bare('while-up', 'team'))).pod?.metadata?.annotations?.['pod-hardener.io/hardened']).toBeDefined();
    await env.hook.webhook.shutdown();
  }, 180_000);
  afterAll(async () => {
    await env?.stop();
  });

  test('Fail (the shipped choice): pod creation is refused with the webhook named in the error', async () => {
    await setFailurePolicy(env, 'Fail');
    // The API server applies a changed webhook configuration asynchronously.
    let stderr = '';
    await until('pod creation to be refused', async () => {
      const result = await createPod(env.plane, bare(`refused-${Date.now()}`, 'team'), { dryRun: true });
      stderr = result.stderr;
      return result.code !== 0;
    });
    expect(stderr).toMatch(/failed calling webhook "pods\.pod-hardener\.io"/);
  });

  test('Ignore: pods are admitted unhardened; a restricted namespace still refuses them', async () => {
    await setFailurePolicy(env, 'Ignore');
    let admitted: Awaited<ReturnType<typeof createPod>> | undefined;
    await until('pods to be admitted', async () => {
      admitted = await createPod(env.plane, bare(`ignored-${Date.now()}`, 'team'), { dryRun: true });
      return admitted.code === 0;
    });
    expect(admitted?.pod?.metadata?.annotations?.['pod-hardener.io/hardened']).toBeUndefined();
    expect(admitted?.pod?.spec.containers?.[0]?.securityContext).toBeUndefined();
    const strict = await createPod(env.plane, bare('ignored', 'strict'), { dryRun: true });
    expect(strict.code).not.toBe(0);
    expect(strict.stderr).toMatch(/violates PodSecurity "restricted:latest"/);
  });
});
