/** Graceful shutdown: not ready, no new connections, in-flight reviews answered, then exit. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
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

  test('the real process: SIGTERM with a review in flight, the review is answered and the process exits 0', async () => {
    const cli = new URL('../../dist/cli/main.js', import.meta.url).pathname;
    if (!existsSync(cli)) throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
    // Its own TMPDIR, so its generated certificate is not shared with any other run.
    const scratch = mkdtempSync(join(tmpdir(), 'ph-cli-'));
    const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--bind-address', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: scratch } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line; stderr: ${stderr}`)), 15000);
        child.stderr.on('data', () => {
          const match = /listening on https:\/\/127\.0\.0\.1:(\d+)\/mutate/.exec(stderr);
          if (match) {
            clearTimeout(timer);
            resolve(Number(match[1]));
          }
        });
      });
      const certFile = /curl --cacert ([^\s)]+)/.exec(stderr)?.[1] ?? '';
      expect(certFile.startsWith(scratch)).toBe(true);
      const held = await holdRequest(port, readFileSync(certFile, 'utf8'), '/mutate', JSON.stringify(reviewOf(pod(), { uid: 'sigterm' })));
      await new Promise((r) => setTimeout(r, 100));
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 200));
      const response = await held.finish();
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body).response.uid).toBe('sigterm');
      expect(await exited).toBe(0);
      const messages = stdout.trim().split('\n').map((line) => JSON.parse(line) as { message?: string; type: string });
      expect(messages.map((m) => m.message)).toEqual(expect.arrayContaining(['signal received', 'shut down: every in-flight review was answered']));
      expect(messages.filter((m) => m.type === 'decision')).toHaveLength(1);
    } finally {
      child.kill('SIGKILL');
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 30000);
});
