/**
 * A rolling restart under load, many times over: the real `serve` process,
 * hundreds of reviews on dozens of kept-alive connections, SIGTERM in the
 * middle. Nothing that reached the replica may be reset or refused; what it
 * no longer accepts (a new connection refused, or dropped before its TLS
 * handshake completed: no byte of HTTP reached it) goes to another replica,
 * as the API server's next call would.
 */
import { Agent, request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { jsonLines, startServeProcess, type ServeProcess } from '../helpers/cli-process.js';
import { pod } from '../helpers/pods.js';
import { reviewOf } from '../helpers/reviews.js';

const ROUNDS = 16;
const REVIEWS = 200;
const SOCKETS = 32;
// Odd rounds: SIGTERM once this many reviews were answered, the rest in flight or queued.
// Even rounds: SIGTERM as a burst starts on connections that were idle, the requests on their way.
const DRAIN_AFTER = 50;

type Outcome = { kind: 'answered'; status: number; uid: string | undefined } | { kind: 'not reached'; code: string } | { kind: 'reset'; code: string; reused: boolean };

/**
 * Sockets whose TLS handshake completed. A request learns its socket before
 * the handshake when the socket is new, and after it when the agent hands it
 * a kept-alive one — from its free list (req.reusedSocket) or, for a request
 * that waited in the agent's queue, straight from the request before (with
 * req.reusedSocket false). So each socket is watched once, when first seen.
 */
const secured = new WeakSet<TLSSocket>();
const watched = new WeakSet<TLSSocket>();

function review(target: ServeProcess, agent: Agent, uid: string): Promise<Outcome> {
  const body = JSON.stringify(reviewOf(pod(), { uid }));
  return new Promise((resolve) => {
    let socketOf: TLSSocket | undefined;
    const req = request(`${target.url}/mutate`, { method: 'POST', ca: target.ca, agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ kind: 'answered', status: res.statusCode ?? 0, uid: res.statusCode === 200 ? (JSON.parse(text) as { response: { uid: string } }).response.uid : undefined });
      });
    });
    req.on('socket', (socket: TLSSocket) => {
      socketOf = socket;
      if (watched.has(socket)) return;
      watched.add(socket);
      socket.once('secureConnect', () => secured.add(socket));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      const established = req.reusedSocket || (socketOf !== undefined && secured.has(socketOf));
      const code = error.code ?? error.message;
      if (code === 'ECONNREFUSED' || !established) resolve({ kind: 'not reached', code });
      else resolve({ kind: 'reset', code: `${code}: ${error.message}`, reused: req.reusedSocket });
    });
    req.end(body);
  });
}

describe('a rolling restart under load', () => {
  let other: ServeProcess;
  let toOther: Agent;
  beforeAll(async () => {
    other = await startServeProcess();
    toOther = new Agent({ keepAlive: true, maxSockets: SOCKETS });
  });
  afterAll(async () => {
    toOther.destroy();
    await other.stop('SIGKILL');
  });

  test(`${ROUNDS} rounds: ${REVIEWS} reviews over ${SOCKETS} kept-alive connections, SIGTERM mid-load or as a burst starts on idle connections: no reset, every review answered 200`, async () => {
    const problems: string[] = [];
    let moved = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const serve = await startServeProcess();
      const agent = new Agent({ keepAlive: true, maxSockets: SOCKETS });
      // Warm up: every connection open, kept alive, idle.
      await Promise.all(Array.from({ length: SOCKETS }, (_, i) => review(serve, agent, `warm-${i}`)));
      let answered = 0;
      let exit: Promise<number | null> | undefined = round % 2 === 0 ? serve.stop('SIGTERM') : undefined;
      const uids = Array.from({ length: REVIEWS }, (_, i) => `r${round}-${i}`);
      const outcomes = await Promise.all(
        uids.map(async (uid) => {
          const first = await review(serve, agent, uid);
          if (first.kind === 'answered' && (answered += 1) === DRAIN_AFTER && !exit) exit = serve.stop('SIGTERM');
          if (first.kind !== 'not reached') return first;
          moved += 1;
          return review(other, toOther, uid);
        }),
      );
      agent.destroy();
      outcomes.forEach((outcome, i) => {
        if (outcome.kind === 'reset') problems.push(`round ${round}, ${uids[i]}: reset (${outcome.code}${outcome.reused ? ', on a reused connection' : ''})`);
        else if (outcome.kind !== 'answered' || outcome.status !== 200 || outcome.uid !== uids[i]) problems.push(`round ${round}, ${uids[i]}: ${JSON.stringify(outcome)}`);
      });
      expect(exit).toBeDefined();
      expect(await exit).toBe(0);
      expect(jsonLines(serve.stdout()).map((line) => line.message)).toContain('shut down: every in-flight review was answered');
    }
    expect(problems).toEqual([]);
    // The rounds did exercise the hand-over to the other replica.
    expect(moved).toBeGreaterThan(0);
  }, 120_000);
});
