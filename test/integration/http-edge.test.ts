/** The edge of HTTP: every bad input gets a clear 4xx, and the server keeps answering afterwards. */
import { connect as tlsConnect } from 'node:tls';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { gzipSync } from 'node:zlib';
import { postJson, send } from '../helpers/https.js';
import { pod } from '../helpers/pods.js';
import { admissionReview, reviewOf } from '../helpers/reviews.js';
import { startTestWebhook, type TestWebhook } from '../helpers/webhook.js';

describe('bad input over HTTPS', () => {
  let hook: TestWebhook;
  const LIMIT = 64 * 1024;
  beforeAll(async () => {
    hook = await startTestWebhook({ serve: { maxRequestBytes: LIMIT } });
  });
  afterAll(async () => {
    await hook.stop();
  });

  async function stillServing(): Promise<void> {
    const health = await send(`${hook.url}/healthz`, { ca: hook.ca });
    expect(health.status).toBe(200);
    const review = await postJson(`${hook.url}/mutate`, hook.ca, reviewOf(pod()));
    expect(review.status).toBe(200);
  }

  const valid = reviewOf(pod());
  const cases: Array<{ name: string; body: string | Buffer; headers?: Record<string, string>; status: number; message: RegExp }> = [
    { name: 'an empty body', body: '', status: 400, message: /empty/ },
    { name: 'malformed JSON', body: '{"apiVersion": ', status: 400, message: /not valid JSON/ },
    { name: 'a JSON array', body: '[]', status: 400, message: /must be a JSON object/ },
    { name: 'a missing request', body: JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }), status: 400, message: /request is missing/ },
    { name: 'a missing uid', body: JSON.stringify(admissionReview({ operation: 'CREATE' })), status: 400, message: /request\.uid is missing/ },
    { name: 'an empty uid', body: JSON.stringify(admissionReview({ uid: '' })), status: 400, message: /request\.uid/ },
    { name: 'admission.k8s.io/v1beta1', body: JSON.stringify({ ...valid, apiVersion: 'admission.k8s.io/v1beta1' }), status: 400, message: /apiVersion must be "admission.k8s.io\/v1"/ },
    { name: 'the wrong kind', body: JSON.stringify({ ...valid, kind: 'Pod' }), status: 400, message: /kind must be "AdmissionReview"/ },
    { name: 'a body over the limit', body: JSON.stringify({ ...valid, padding: 'x'.repeat(LIMIT) }), status: 413, message: /larger than the limit of 65536 bytes/ },
    { name: 'a text/plain body', body: JSON.stringify(valid), headers: { 'Content-Type': 'text/plain' }, status: 415, message: /content type must be application\/json/ },
    { name: 'a gzipped body', body: gzipSync(JSON.stringify(valid)), headers: { 'Content-Encoding': 'gzip' }, status: 415, message: /compressed/ },
  ];

  test.each(cases)('$name: $status with a message that says why', async ({ body, headers, status, message }) => {
    const res = await send(`${hook.url}/mutate`, { method: 'POST', ca: hook.ca, body, headers: { 'Content-Type': 'application/json', ...headers } });
    expect(res.status).toBe(status);
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(message);
    await stillServing();
  });

  test('a chunked body over the limit is cut off with 413', async () => {
    const chunk = Buffer.alloc(16 * 1024, 'a');
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest(`${hook.url}/mutate`, { method: 'POST', ca: hook.ca, agent: false, headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 8; i += 1) req.write(chunk);
      req.end();
    });
    expect(status).toBe(413);
    await stillServing();
  });

  test('malformed JSON: the 400 says what and where, and quotes nothing of the body', async () => {
    for (const body of ['{"apiVersion": s3cr3t-token}', '{"a": "s3cr3t-token"} trailing', '{"apiVersion": "s3cr3t-token']) {
      const res = await send(`${hook.url}/mutate`, { method: 'POST', ca: hook.ca, body, headers: { 'Content-Type': 'application/json' } });
      expect(res.status).toBe(400);
      const message = res.json<{ error: { message: string } }>().error.message;
      expect(message).toMatch(/^request body is not valid JSON: (an unexpected character|more data follows the JSON value|it ends too early|a string is not terminated)/);
      expect(message).not.toMatch(/s3cr3t|token|"/);
    }
  });

  test('a 20 MiB body gets its 413, every time, not EPIPE or a reset: the server reads the body to its end before it closes', async () => {
    const huge = Buffer.alloc(20 * 1024 * 1024, 'a');
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const outcome = await new Promise<string>((resolve) => {
        let status = 0;
        const req = httpsRequest(`${hook.url}/mutate`, { method: 'POST', ca: hook.ca, agent: false, headers: { 'Content-Type': 'application/json', 'Content-Length': huge.length } }, (res) => {
          status = res.statusCode ?? 0;
          res.resume();
          res.on('end', () => resolve(`status ${status}`));
        });
        req.on('error', (error: NodeJS.ErrnoException) => resolve(`error ${error.code ?? error.message} (status ${status})`));
        req.end(huge);
      });
      expect(outcome).toBe('status 413');
    }
    await stillServing();
  });

  test.each(['GET', 'PUT', 'DELETE'])('%s /mutate: 405 with Allow: POST', async (method) => {
    const res = await send(`${hook.url}/mutate`, { method, ca: hook.ca });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST');
  });

  test('an unknown path: 404', async () => {
    const res = await send(`${hook.url}/validate`, { ca: hook.ca });
    expect(res.status).toBe(404);
  });

  test.each([
    { name: 'object is a string', object: 'pod' },
    { name: 'object has no spec', object: { metadata: { name: 'x' } } },
    { name: 'containers is an object', object: { spec: { containers: { name: 'x' } } } },
    { name: 'deeply nested junk', object: { spec: { containers: [{ name: 'a', securityContext: { capabilities: { add: [{ $ne: 1 }] } } }] } } },
  ])('an oddly shaped object ($name) gets a well-formed answer, never a 500', async ({ object }) => {
    const res = await postJson(`${hook.url}/mutate`, hook.ca, reviewOf(object, { uid: 'odd' }));
    expect(res.status).toBe(200);
    const body = res.json<{ response: { uid: string; allowed: boolean; warnings: string[] } }>().response;
    expect(body).toMatchObject({ uid: 'odd', allowed: true });
    expect(body.warnings[0]).toMatch(/could not be read/);
  });

  test('TLS 1.1 is refused; TLS 1.2 is served', async () => {
    const handshake = (version: 'TLSv1.1' | 'TLSv1.2'): Promise<string> =>
      new Promise((resolve) => {
        const socket = tlsConnect({ host: '127.0.0.1', port: hook.webhook.port, ca: hook.ca, servername: 'localhost', minVersion: version, maxVersion: version }, () => {
          const protocol = socket.getProtocol() ?? 'none';
          socket.end();
          resolve(protocol);
        });
        socket.on('error', (error) => resolve(`error: ${error.message}`));
      });
    expect(await handshake('TLSv1.1')).toMatch(/^error/);
    expect(await handshake('TLSv1.2')).toBe('TLSv1.2');
    await stillServing();
  });

  test('plain HTTP is not served', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port: hook.webhook.port, path: '/healthz', agent: false }, (res) => resolve(`status ${res.statusCode}`));
      req.on('error', (error) => resolve(`error: ${error.message}`));
      req.setTimeout(3000, () => req.destroy(new Error('timeout')));
      req.end();
    });
    expect(outcome).not.toBe('status 200');
    await stillServing();
  });
});
