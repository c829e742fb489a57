/** The engine alone, and the whole review path without the network, measured with tinybench. */
import { PassThrough } from 'node:stream';
import { Bench } from 'tinybench';
import { handleAdmission } from '../src/admission/handler.js';
import { reviewAdmission } from '../src/engine/review.js';
import { createLogger } from '../src/logging/logger.js';
import { createMetrics } from '../src/metrics/metrics.js';
import { PODS, request, reviewBody } from './pods.js';
import { BENCH_POLICY } from './policy.js';

export interface EngineResult {
  name: string;
  bytes: number;
  opsPerSecond: number;
  meanUs: number;
  p50Us: number;
  p99Us: number;
  samples: number;
}

/**
 * The engine's tasks run first, in a bench of their own, then the handler's:
 * the handler's garbage (bodies up to 1.5 MiB, parsed) would otherwise be
 * collected during the engine's samples and weigh on its figures.
 */
export async function benchEngine(quick: boolean): Promise<EngineResult[]> {
  const options = { time: quick ? 300 : 2000, warmupTime: quick ? 100 : 500 };
  const engineBench = new Bench(options);
  const handlerBench = new Bench(options);
  const sink = new PassThrough();
  sink.resume();
  const deps = {
    policy: () => BENCH_POLICY,
    namespace: async () => undefined,
    extraExcludedNamespaces: [],
    logger: createLogger({ level: 'warn', stream: sink }),
    metrics: createMetrics({ version: 'bench', collectDefaults: false }),
  };
  const sizes: Record<string, number> = {};
  for (const [name, pod] of Object.entries(PODS)) {
    const review = request(pod);
    const body = Buffer.from(reviewBody(pod));
    sizes[`engine: ${name} pod`] = sizes[`handler: ${name} pod`] = body.length;
    // The engine: the decision and the patch from a decoded request.
    engineBench.add(`engine: ${name} pod`, () => {
      reviewAdmission(review, { policy: BENCH_POLICY });
    });
    // Everything but the network: JSON parse, engine, response, decision record, metrics.
    handlerBench.add(`handler: ${name} pod`, async () => {
      await handleAdmission(body, deps);
    });
  }
  const results: EngineResult[] = [];
  for (const bench of [engineBench, handlerBench]) {
    await bench.run();
    for (const task of bench.tasks) {
      const result = task.result;
      if (result?.state !== 'completed') throw new Error(`benchmark ${task.name} did not complete (${result?.state ?? 'no result'})`);
      const latency = result.latency;
      results.push({
        name: task.name,
        bytes: sizes[task.name] ?? 0,
        opsPerSecond: Math.round(result.throughput.mean),
        meanUs: (latency?.mean ?? 0) * 1000,
        p50Us: (latency?.p50 ?? 0) * 1000,
        p99Us: (latency?.p99 ?? 0) * 1000,
        samples: latency?.samplesCount ?? 0,
      });
    }
  }
  return results;
}
