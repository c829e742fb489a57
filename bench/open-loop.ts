/**
 * A fixed-rate (open-loop) load: request i is due at start + i/rate and goes
 * out on a free keep-alive connection; its latency is counted from when it
 * was due, not when it was sent, so any stall — the server's or this
 * generator's — shows in the percentiles (no coordinated omission, as wrk2).
 * autocannon's rate modes release requests in bursts that queue on its own
 * connections, which drowns millisecond latencies; it still measures
 * saturation throughput.
 */
import { Agent, request } from 'node:https';

export interface OpenLoopResult {
  sent: number;
  answered: number;
  failed: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; p999: number; max: number };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export async function openLoop(options: { port: number; ca: string; body: string; rate: number; seconds: number; connections: number }): Promise<OpenLoopResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections, ca: options.ca });
  const total = Math.round(options.rate * options.seconds);
  const latencies = new Float64Array(total);
  let answered = 0;
  let failed = 0;
  let start = 0;
  const interval = 1000 / options.rate;
  const done: Array<Promise<void>> = [];

  const send = (due: number, measured = true): Promise<void> =>
    new Promise((resolve) => {
      const sent = performance.now();
      const req = request(
        { host: '127.0.0.1', port: options.port, path: '/mutate', method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(options.body) } },
        (res) => {
          res.resume();
          res.on('end', () => {
            // From when it was due (a late send counts against it), or sent if the timer let it go early.
            if (!measured) resolve();
            else if (res.statusCode === 200) latencies[answered++] = performance.now() - Math.min(due, sent);
            else failed += 1;
            resolve();
          });
        },
      );
      req.on('error', () => {
        if (measured) failed += 1;
        resolve();
      });
      req.end(options.body);
    });

  // Open every connection first: TLS handshakes are not what is measured.
  await Promise.all(Array.from({ length: options.connections }, () => send(performance.now(), false)));
  start = performance.now();
  for (let i = 0; i < total; i += 1) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait - 1));
    done.push(send(due));
  }
  await Promise.all(done);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  const sorted = latencies.subarray(0, answered).sort();
  return {
    sent: total,
    answered,
    failed,
    requestsPerSecond: Math.round(answered / elapsed),
    latencyMs: { p50: percentile(sorted, 50), p99: percentile(sorted, 99), p999: percentile(sorted, 99.9), max: sorted[sorted.length - 1] ?? 0 },
  };
}
