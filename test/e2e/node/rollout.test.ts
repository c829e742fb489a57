/**
 * Rolling out the webhook on a real node: when every replica is down, what
 * failurePolicy does to pods that would have run. Fail: none is created, so
 * none runs unhardened. Ignore: they run as written, and nothing in the
 * decision log says so (the webhook never saw them).
 */
import { jest } from '@jest/globals';
import { until } from '../../helpers/eventually.js';
import { createNamespace, createPod } from '../support/cluster.js';
import { describeNode, reconfigureWebhook, startNodeEnv, type NodeEnv } from '../support/node-suite.js';
import { nodePod, procStatus } from '../support/node-pods.js';
import { podOutcome } from '../support/pod-status.js';

jest.setTimeout(180_000);

const NS = 'team';
const ROOT_IMAGE = 'e2e.local/root:1';

describeNode('failurePolicy on a real node, with every webhook replica down', () => {
  let env: NodeEnv;
  beforeAll(async () => {
    env = await startNodeEnv({ failurePolicy: 'Fail' });
    await env.node.loadImage({ name: ROOT_IMAGE });
    // No Pod Security label: an unhardened pod is admitted here, as in most clusters' app namespaces.
    await createNamespace(env.plane, NS);
    await env.hook.webhook.shutdown();
  }, 300_000);
  afterAll(async () => {
    await env?.stop();
  }, 120_000);

  test('Fail: creating the pod fails, naming the webhook, and no pod exists', async () => {
    const created = await createPod(env.plane, nodePod('refused', NS, ROOT_IMAGE));
    expect(created.code).not.toBe(0);
    expect(created.stderr).toMatch(/failed calling webhook "pods\.pod-hardener\.io"/);
    const get = await env.plane.kubectl(['get', 'pod', 'refused', '-n', NS], { allowFailure: true });
    expect(get.stderr).toMatch(/NotFound/);
  });

  test('Ignore: the pod runs unhardened (root, default capabilities) and the decision log has nothing about it', async () => {
    await reconfigureWebhook(env, { failurePolicy: 'Ignore' });
    let name = '';
    await until('the API server to admit pods without the webhook', async () => {
      name = `unhardened-${Date.now()}`;
      return (await createPod(env.plane, nodePod(name, NS, ROOT_IMAGE))).code === 0;
    });
    expect(await podOutcome(env.plane, NS, name)).toMatchObject({ phase: 'Running' });
    const status = await procStatus(env.plane, NS, name);
    expect(status.Uid?.split(/\s+/)[0]).toBe('0');
    expect(status.CapEff).not.toBe('0000000000000000');
    expect(status.NoNewPrivs).toBe('0');
    expect((await env.hook.records()).filter((r) => r.name === name)).toEqual([]);
  });
});
