/**
 * Bounded load: reviews and body bytes in progress are capped, beyond which
 * the answer is 429 with Retry-After (counted in metrics); the real process,
 * with the Deployment's heap limit, keeps answering under a burst of
 * maximum-size bodies; a body over the size limit gets its 413 intact.
 */
import { request } from 'node:https';
import { startServeProcess, type ServeProcess } from '../helpers/cli-process.js';
import { postJson, send } from '../helpers/https.js';
import { holdRequest } from '../helpers/partial-request.js';
import { pod } from '../helpers/pods.js';
import { reviewOf } from '../helpers/reviews.js';
import { startTestWebhook } from '../helpers/webhook.js';

const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

/** A valid review of the given size in bytes: a pod with one large annotation. */
function reviewOfSize(bytes: number, uid: string): Buffer {
  const base = JSON.stringify(reviewOf(pod({}, { annotations: { padding: '' } }), { uid }));
  return Buffer.from(base.replace('"padding":""', `"padding":"${'x'.repeat(bytes - base.length)}"`));
}

/**
 * POSTs a body; resolves with the status, or the error the client saw. The
 * body is written as the API server writes it, a piece at a time as the
 * connection takes it: one req.end() of the whole body would have this
 * process encrypt all of it at once (TLS encrypts a write whole), and a burst
 * of forty 8 MiB bodies would block the test's own event loop for seconds,
 * its health check's handshake then timing out on its side, not the server's.
 */
function post(url: string, ca: string, body: Buffer): Promise<string> {
  return new Promise((resolve) => {
    let status = 0;
    const req = request(`${url}/mutate`, { method: 'POST', ca, agent: false, headers: { 'Content-Type': 'application/json', 'Content-Length': body.length } }, (res) => {
      status = res.statusCode ?? 0;
      res.resume();
      res.on('end', () => resolve(status === 429 ? `429 retry-after ${res.headers['retry-after']}` : String(status)));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(`error ${error.code ?? error.message} (status ${status})`));
    let written = 0;
    const writeMore = (): void => {
      while (written < body.length) {
        const piece = body.subarray(written, written + 64 * 1024);
        written += piece.length;
        if (written === body.length) return void req.end(piece);
        if (!req.write(piece)) return void req.once('drain', writeMore);
      }
      req.end();
    };
    writeMore();
  });
}

function metric(text: string, name: string): number {
  return Number(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
}

describe('bounded load', () => {
  test('beyond the concurrent reviews bound: 429 with Retry-After, counted; a slot freed is a review served', async () => {
    const hook = await startTestWebhook({ serve: { maxConcurrentReviews: 2 } });
    try {
      const held = await Promise.all(['a', 'b'].map((uid) => holdRequest(hook.webhook.port, hook.ca, '/mutate', JSON.stringify(reviewOf(pod(), { uid })))));
      await new Promise((r) => setTimeout(r, 50));
      const refused = await postJson(`${hook.url}/mutate`, hook.ca, reviewOf(pod()));
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toBe('1');
      expect(refused.json<{ error: { message: string } }>().error.message).toMatch(/too many reviews in progress/);
      expect((await held[0]?.finish())?.status).toBe(200);
      expect((await postJson(`${hook.url}/mutate`, hook.ca, reviewOf(pod()))).status).toBe(200);
      await held[1]?.finish();
      const metrics = (await send(`${hook.url}/metrics`, { ca: hook.ca })).text;
      expect(metric(metrics, 'pod_hardener_overload_refusals_total{limit="concurrent_reviews"}')).toBe(1);
      expect(metric(metrics, 'pod_hardener_overload_refusals_total{limit="bytes_in_flight"}')).toBe(0);
    } finally {
      await hook.stop();
    }
  });

  test('beyond the bytes in flight bound: 429 for a large body, while ordinary reviews still pass', async () => {
    const hook = await startTestWebhook({ serve: { maxBytesInFlight: 512 * 1024 } });
    try {
      const large = reviewOfSize(400 * 1024, 'large').toString();
      const held = await holdRequest(hook.webhook.port, hook.ca, '/mutate', large);
      await new Promise((r) => setTimeout(r, 50));
      expect(await post(hook.url, hook.ca, reviewOfSize(400 * 1024, 'second'))).toBe('429 retry-after 1');
      expect((await postJson(`${hook.url}/mutate`, hook.ca, reviewOf(pod()))).status).toBe(200);
      expect((await held.finish()).status).toBe(200);
      expect(await post(hook.url, hook.ca, reviewOfSize(400 * 1024, 'third'))).toBe('200');
      const metrics = (await send(`${hook.url}/metrics`, { ca: hook.ca })).text;
      expect(metric(metrics, 'pod_hardener_overload_refusals_total{limit="bytes_in_flight"}')).toBe(1);
    } finally {
      await hook.stop();
    }
  });

  test('a client that does not finish its request within --request-timeout-seconds gets 408, and its connection is closed', async () => {
    const hook = await startTestWebhook({ serve: { requestTimeoutSeconds: 1 } });
    try {
      const held = await holdRequest(hook.webhook.port, hook.ca, '/mutate', JSON.stringify(reviewOf(pod(), { uid: 'slow' })));
      const answer = await new Promise<string>((resolve) => {
        const chunks: Buffer[] = [];
        held.socket.on('data', (chunk: Buffer) => chunks.push(chunk));
        held.socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8').split('\r\n')[0] ?? ''));
      });
      expect(answer).toBe('HTTP/1.1 408 Request Timeout');
      expect((await hook.records()).filter((r) => r.uid === 'slow')).toEqual([]);
    } finally {
      await hook.stop();
    }
  });

  describe('the real process with the Deployment heap limit (--max-old-space-size=192)', () => {
    let serve: ServeProcess;
    beforeAll(async () => {
      serve = await startServeProcess([], { NODE_OPTIONS: '--max-old-space-size=192' });
    });
    afterAll(async () => {
      await serve.stop('SIGKILL');
    });

    test('a burst of maximum-size bodies: every one answered 200 or 429, health and ordinary reviews answered during and after, the process alive', async () => {
      const body = reviewOfSize(MAX_REQUEST_BYTES - 1024, 'max');
      const burst = Promise.all(Array.from({ length: 40 }, () => post(serve.url, serve.ca, body)));
      await new Promise((r) => setTimeout(r, 200));
      const during = await Promise.all([send(`${serve.url}/healthz`, { ca: serve.ca }), postJson(`${serve.url}/mutate`, serve.ca, reviewOf(pod(), { uid: 'during' }))]);
      expect(during.map((r) => r.status)).toEqual([200, 200]);
      const outcomes = await burst;
      expect(outcomes.filter((o) => o !== '200' && o !== '429 retry-after 1')).toEqual([]);
      expect(outcomes).toContain('429 retry-after 1');
      expect(outcomes).toContain('200');
      expect((await send(`${serve.url}/healthz`, { ca: serve.ca })).status).toBe(200);
      expect((await postJson(`${serve.url}/mutate`, serve.ca, reviewOf(pod(), { uid: 'after' }))).status).toBe(200);
      expect(serve.child.exitCode).toBeNull();
    }, 60_000);

    test('a 20 MiB body gets its 413, every time, not EPIPE or a reset', async () => {
      const huge = Buffer.alloc(20 * 1024 * 1024, 'a');
      const outcomes: string[] = [];
      for (let attempt = 0; attempt < 10; attempt += 1) outcomes.push(await post(serve.url, serve.ca, huge));
      expect(outcomes).toEqual(Array(10).fill('413'));
    }, 60_000);
  });
});
