/**
 * The drain on shutdown, connection by connection: a kept-alive connection is
 * closed only after it answered, or once idle for the grace period; a request
 * that arrives on it meanwhile — whole, or still being written — is answered,
 * with `Connection: close`.
 */
import { keepAlive } from '../helpers/keep-alive.js';
import { pod } from '../helpers/pods.js';
import { reviewOf } from '../helpers/reviews.js';
import { startTestWebhook, type TestWebhook } from '../helpers/webhook.js';

const body = (uid: string): string => JSON.stringify(reviewOf(pod(), { uid }));

describe('draining kept-alive connections', () => {
  let hook: TestWebhook;
  beforeEach(async () => {
    hook = await startTestWebhook();
  });
  afterEach(async () => {
    await hook.webhook.shutdown();
  });

  test('an idle connection gets a request in after shutdown started: it is answered with Connection: close, then the server closes cleanly', async () => {
    const connection = await keepAlive(hook.webhook.port, hook.ca);
    connection.write(connection.request(body('before')));
    expect((await connection.response()).headers).not.toMatch(/connection: close/i);

    const stopping = hook.webhook.shutdown();
    await new Promise((r) => setTimeout(r, 100));
    connection.write(connection.request(body('after')));
    const answer = await connection.response();
    expect(answer.status).toBe(200);
    expect(answer.headers).toMatch(/connection: close/i);
    expect(JSON.parse(answer.body).response.uid).toBe('after');
    expect(await connection.ended).toBe('end');
    expect(await stopping).toEqual({ drained: true });
  });

  test('a connection idle for longer than the grace before shutdown still gets the grace: a request sent as shutdown starts is answered', async () => {
    const connection = await keepAlive(hook.webhook.port, hook.ca);
    connection.write(connection.request(body('long-ago')));
    await connection.response();
    await new Promise((r) => setTimeout(r, 1500));

    const stopping = hook.webhook.shutdown();
    connection.write(connection.request(body('as-it-starts')));
    const answer = await connection.response();
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).response.uid).toBe('as-it-starts');
    expect(await stopping).toEqual({ drained: true });
  });

  test('a request half written when shutdown starts is read to its end and answered', async () => {
    const connection = await keepAlive(hook.webhook.port, hook.ca);
    connection.write(connection.request(body('first')));
    await connection.response();
    const request = connection.request(body('half'));
    connection.write(request.slice(0, 40));
    await new Promise((r) => setTimeout(r, 50));

    const stopping = hook.webhook.shutdown();
    // Longer than the idle grace: the connection is not idle, bytes of a request arrived.
    await new Promise((r) => setTimeout(r, 1500));
    connection.write(request.slice(40));
    const answer = await connection.response();
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).response.uid).toBe('half');
    expect(answer.headers).toMatch(/connection: close/i);
    expect(await stopping).toEqual({ drained: true });
  });

  test('an idle connection that sends nothing is closed cleanly after the grace period, not at once', async () => {
    const connection = await keepAlive(hook.webhook.port, hook.ca);
    connection.write(connection.request(body('only')));
    await connection.response();
    let closedAt = 0;
    void connection.ended.then(() => (closedAt = Date.now()));
    const started = Date.now();
    const stopping = hook.webhook.shutdown();
    expect(await connection.ended).toBe('end');
    expect(closedAt - started).toBeGreaterThanOrEqual(900);
    expect(await stopping).toEqual({ drained: true });
  });
});
