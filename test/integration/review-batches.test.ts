/**
 * Reviews whose requests arrive in the same turn of the event loop are decided
 * together, once every one of them has been read (src/admission/turn.ts), not
 * each between the reading of the next: over real HTTPS, four requests written
 * at once on four kept-alive connections are all in flight when the first of
 * them is decided, and every one is answered for its own uid.
 */
import { reviewAdmission } from '../../src/engine/review.js';
import { keepAlive, type KeptAlive } from '../helpers/keep-alive.js';
import { pod } from '../helpers/pods.js';
import { reviewOf } from '../helpers/reviews.js';
import { startTestWebhook, type TestWebhook } from '../helpers/webhook.js';

describe('reviews are decided in batches, one per turn of the event loop', () => {
  let hook: TestWebhook;
  /** For each review decided, how many requests were in flight at that moment. */
  const inFlightWhenDecided: number[] = [];
  beforeAll(async () => {
    hook = await startTestWebhook({
      review: (request, context) => {
        inFlightWhenDecided.push(hook.webhook.running.inFlight());
        return reviewAdmission(request, context);
      },
    });
  });
  afterAll(async () => {
    await hook.stop();
  });

  test('four requests written together are all read before the first is decided', async () => {
    const connections: KeptAlive[] = [];
    for (let index = 0; index < 4; index += 1) connections.push(await keepAlive(hook.webhook.port, hook.ca));
    const uids = connections.map((_, index) => `batch-${index}`);
    // Written in one synchronous run: the server reads all four in its next turn.
    connections.forEach((connection, index) => connection.write(connection.request(JSON.stringify(reviewOf(pod(), { uid: uids[index] as string })))));
    const answers = await Promise.all(connections.map((connection) => connection.response()));

    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    expect(answers.map((answer) => (JSON.parse(answer.body) as { response: { uid: string } }).response.uid)).toEqual(uids);
    expect(inFlightWhenDecided).toHaveLength(4);
    // Decided one at a time as each was read, the first would have seen itself alone.
    expect(inFlightWhenDecided[0]).toBe(4);
    connections.forEach((connection) => connection.socket.destroy());
  });
});
