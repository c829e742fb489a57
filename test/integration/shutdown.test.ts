/** Graceful shutdown: not ready, no new connections, in-flight reviews answered, then exit. */
import { connect } from 'node:net';
import { jsonLines, startServeProcess } from '../helpers/cli-process.js';
import { holdRequest } from '../helpers/partial-request.js';
import { pod } from '../helpers/pods.js';
import { reviewOf } from '../helpers/reviews.js';
import { startTestWebhook } from '../helpers/webhook.js';

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('graceful shutdown', () => {
  test('in-process: a review in flight when shutdown starts is still answered, and no new connection is taken', async () => {
    const hook = await startTestWebhook();
    const held = await holdRequest(hook.webhook.port, hook.ca, '/mutate', JSON.stringify(reviewOf(pod(), { uid: 'in-flight' })));
    await new Promise((r) => setTimeout(r, 50));
    expect(hook.webhook.running.inFlight()).toBe(1);

    const stopping = hook.webhook.shutdown();
    await new Promise((r) => setTimeout(r, 50));
    expect(await connectionRefused(hook.webhook.port)).toBe(true);

    const response = await held.finish();
    expect(response.status).toBe(200);
    expect(response.headers).toMatch(/connection: close/i);
    expect(JSON.parse(response.body).response.uid).toBe('in-flight');
    expect(await stopping).toEqual({ drained: true });
  });

  test('in-process: a review that never completes is cut off at the timeout', async () => {
    const hook = await startTestWebhook({ serve: { shutdownTimeoutSeconds: 0.3 } });
    await holdRequest(hook.webhook.port, hook.ca, '/mutate', JSON.stringify(reviewOf(pod())));
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    expect(await hook.webhook.shutdown()).toEqual({ drained: false });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('the real process: SIGTERM with reviews in flight, every one is answered and the process exits 0', async () => {
    const serve = await startServeProcess();
    try {
      const uids = ['sigterm-1', 'sigterm-2', 'sigterm-3'];
      const held = await Promise.all(uids.map((uid) => holdRequest(serve.port, serve.ca, '/mutate', JSON.stringify(reviewOf(pod(), { uid })))));
      await new Promise((r) => setTimeout(r, 100));
      const exit = serve.stop('SIGTERM');
      await new Promise((r) => setTimeout(r, 200));
      const responses = await Promise.all(held.map((h) => h.finish()));
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(responses.map((r) => JSON.parse(r.body).response.uid)).toEqual(uids);
      expect(await exit).toBe(0);
      const lines = jsonLines(serve.stdout());
      expect(lines.map((m) => m.message)).toEqual(expect.arrayContaining(['signal received', 'shut down: every in-flight review was answered']));
      expect(lines.filter((m) => m.type === 'decision')).toHaveLength(3);
    } finally {
      await serve.stop('SIGKILL');
    }
  }, 30000);
});
