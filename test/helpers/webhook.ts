/** Starts the real webhook in-process on a free loopback port, with logs captured in memory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { DEFAULT_CONFIG } from '../../src/config/config-file.js';
import { policySchema } from '../../src/config/policy.js';
import { resolveServeOptions, type ServeOptions } from '../../src/config/serve-options.js';
import { createLogger } from '../../src/logging/logger.js';
import { startWebhook, type Webhook, type WebhookOptions } from '../../src/server/webhook.js';

export interface TestWebhook {
  webhook: Webhook;
  url: string;
  ca: string;
  /**
   * Every line the webhook logged so far, once its pending lines are written:
   * lines are written once a turn of the event loop, and a review's turn may
   * end after its answer reached an in-process client.
   */
  lines(): Promise<string[]>;
  records(): Promise<Array<Record<string, unknown>>>;
  stop(): Promise<void>;
}

export async function startTestWebhook(
  options: { policy?: Record<string, unknown>; serve?: Partial<ServeOptions>; review?: WebhookOptions['review']; namespaceCache?: WebhookOptions['namespaceCache'] } = {},
): Promise<TestWebhook> {
  const directory = mkdtempSync(join(tmpdir(), 'ph-test-'));
  const stream = new PassThrough();
  const captured: string[] = [];
  let partial = '';
  stream.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    captured.push(...parts.filter((line) => line !== ''));
  });
  const serve: ServeOptions = { ...resolveServeOptions({}, {}), port: 0, bindAddress: '127.0.0.1', logLevel: 'debug', ...options.serve };
  const webhook = await startWebhook({
    serve,
    // Tests talk to loopback only: images are not read from registries unless a test's policy says where.
    config: { ...DEFAULT_CONFIG, policy: policySchema.parse({ images: { resolve: false }, ...options.policy }) },
    logger: createLogger({ level: serve.logLevel, stream }),
    selfSignedDirectory: directory,
    inCluster: false,
    ...(options.review ? { review: options.review } : {}),
    ...(options.namespaceCache ? { namespaceCache: options.namespaceCache } : {}),
  });
  // The webhook's pending lines written, and the stream's 'data' events for them delivered.
  const logged = async (): Promise<void> => {
    await webhook.logger.flush();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return {
    webhook,
    url: `https://127.0.0.1:${webhook.port}`,
    ca: webhook.certificate(),
    lines: async () => {
      await logged();
      return [...captured];
    },
    records: async () => {
      await logged();
      return captured.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    async stop() {
      await webhook.shutdown();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
