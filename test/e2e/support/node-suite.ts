/**
 * What every node test file shares: the whole setup (control plane with a
 * node's needs, the webhook registered in it, a node), the rule for machines
 * that cannot have a node, and the proof for CI that the node tests ran.
 */
import { describe } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { until } from '../../helpers/eventually.js';
import { startTestWebhook, type TestWebhook } from '../../helpers/webhook.js';
import { applyObject, getObject, ROOT, startHardener, webhookConfiguration, type Hardener } from './cluster.js';
import { freePort } from './control-plane.js';
import { NODE_CONTROL_PLANE, startNode, type NodeOptions, type TestNode } from './node.js';
import { NodeUnavailableError, nodeUnavailableReason } from './node-host.js';

/** Written when a node booted; .ci/run fails when it is missing after the tests. */
export const NODE_RAN_MARKER = join(ROOT, '.cache/e2e-node/ran');

const unavailable = nodeUnavailableReason();

/**
 * `describe` for tests that need a node. Where the machine cannot have one,
 * the tests are skipped with the reason in their title — except on CI
 * (CI=true), where a node is required and starting it fails with the reason.
 */
export function describeNode(title: string, body: () => void): void {
  if (unavailable && process.env.CI !== 'true') {
    // Jest does not print the titles of a file whose tests are all skipped: say why here too.
    console.warn(`node tests skipped (${title}): ${unavailable}`);
    describe.skip(`${title} (skipped: ${unavailable})`, body);
  } else describe(title, body);
}

export interface NodeEnv extends Hardener {
  node: TestNode;
}

/**
 * A control plane with a node, the webhook registered in it, and the node
 * Ready for pods. The policy never reads images from registries unless it
 * says so: the test images' registry name (e2e.local) is no host to contact.
 */
export async function startNodeEnv(options: { policy?: Record<string, unknown>; failurePolicy?: 'Fail' | 'Ignore'; node?: NodeOptions } = {}): Promise<NodeEnv> {
  if (unavailable) throw new NodeUnavailableError(`the node tests cannot run here: ${unavailable}`);
  const env = await startHardener({
    controlPlane: NODE_CONTROL_PLANE,
    policy: { images: { resolve: false }, ...options.policy },
    ...(options.failurePolicy ? { failurePolicy: options.failurePolicy } : {}),
  });
  try {
    const node = await startNode(env.plane, options.node);
    mkdirSync(join(NODE_RAN_MARKER, '..'), { recursive: true });
    writeFileSync(NODE_RAN_MARKER, `${new Date().toISOString()}\n`);
    return {
      ...env,
      node,
      async stop() {
        try {
          await node.stop();
        } finally {
          await env.stop();
        }
      },
    };
  } catch (error) {
    await env.stop();
    throw error;
  }
}

/**
 * Re-applies the pod-hardener webhook configuration, as a platform team
 * rolls out a change: pointed at another webhook port (another policy) or
 * with another failurePolicy. The CA bundle certs/install.sh put in stays.
 * The API server picks it up asynchronously: callers wait for the effect.
 */
export async function reconfigureWebhook(env: Hardener, change: { port?: number; failurePolicy?: 'Fail' | 'Ignore' }): Promise<void> {
  const current = await getObject(env.plane, ['mutatingwebhookconfiguration', 'pod-hardener']);
  const config = webhookConfiguration(change.port ?? env.port, change.failurePolicy ? { failurePolicy: change.failurePolicy } : {});
  config.webhooks[0].clientConfig.caBundle = current.webhooks[0].clientConfig.caBundle;
  await applyObject(env.plane, config);
}

/**
 * A second webhook with another policy, on the same serving certificate,
 * made the one the API server calls; resolves once `ready` (a dry-run probe of
 * the new policy's effect) says the API server uses it. Stop it and call
 * reconfigureWebhook(env, {}) to go back.
 */
export async function switchWebhook(env: Hardener, policy: Record<string, unknown>, what: string, ready: () => Promise<boolean>): Promise<TestWebhook> {
  const port = await freePort();
  const hook = await startTestWebhook({
    policy,
    serve: { port, tlsCertFile: join(env.certDir, 'tls.crt'), tlsKeyFile: join(env.certDir, 'tls.key'), webhookNamespace: 'pod-hardener' },
  });
  await reconfigureWebhook(env, { port });
  await until(`the API server to call the webhook with ${what}`, ready);
  return hook;
}
