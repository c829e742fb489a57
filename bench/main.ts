/**
 * npm run bench [-- --json] [-- --quick] [-- --soak [--soak-seconds N]] [-- --rounds N] [-- --seconds N] [-- --rate N] [-- --node-flags "FLAGS"]…
 *
 * Prints what pod-hardener costs: the engine alone per pod size, and over
 * HTTPS on loopback side by side with a bare Node HTTPS server in the same
 * run — throughput at saturation, latency percentiles at fixed rates,
 * resident memory under load. --soak runs a long fixed-rate load and reports
 * whether memory stays flat. Figures, not assertions: targets are printed
 * beside them.
 *
 * --node-flags "FLAGS" (repeatable) adds a pod-hardener child run as
 * `node FLAGS dist/cli/main.js serve …` (FLAGS split at spaces), measured
 * beside the default one at saturation and at the fixed rates. The fixed
 * rates go in alternating rounds like saturation (one slow spell of the
 * machine can make a single 10 s pass's p99 several times too high): each
 * server's median round (by p99) is shown, and its p99 per round. --rounds N and --seconds N set the rounds and
 * their length (3 and 10 s; 1 and 3 s with --quick), --rate N keeps only
 * that fixed rate (500 or 1000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchArgs } from './args.js';
import { benchEngine, type EngineResult } from './engine.js';
import { load, rssMiB, startTargets, type LoadResult, type Scenario, type Target } from './https.js';
import { PODS, reviewBody } from './pods.js';

const { flag, value, nodeFlagVariants: flagVariants } = benchArgs();
const json = flag('--json');
const quick = flag('--quick');
const soak = flag('--soak');
const soakSeconds = Number(value('--soak-seconds') ?? 300);
const rounds = Number(value('--rounds') ?? (quick ? 1 : 3));
const seconds = Number(value('--seconds') ?? (quick ? 3 : 10));
const onlyRate = value('--rate');
const nodeFlagVariants = flagVariants();

function say(line: string): void {
  if (!json) process.stdout.write(`${line}\n`);
}

function machine(): Record<string, unknown> {
  return { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform}/${process.arch}` };
}

function engineTable(results: EngineResult[]): string {
  const rows = results.map((r) => `  ${r.name.padEnd(22)} ${String(Math.round(r.bytes / 1024)).padStart(6)} KiB ${r.opsPerSecond.toString().padStart(9)} ops/s   mean ${r.meanUs.toFixed(1).padStart(8)} µs   p50 ${r.p50Us.toFixed(1).padStart(8)} µs   p99 ${r.p99Us.toFixed(1).padStart(8)} µs`);
  return rows.join('\n');
}

function loadTable(results: LoadResult[]): string {
  const width = Math.max(16, ...results.map((r) => r.target.length));
  return results
    .map(
      (r) =>
        `  ${r.scenario.padEnd(18)} ${r.target.padEnd(width)} ${String(r.requestsPerSecond).padStart(7)} req/s   CPU ${String(r.cpuUsPerRequest).padStart(4)} µs/req   ` +
        `p50 ${r.p50Ms.toFixed(2).padStart(6)} ms   p99 ${r.p99Ms.toFixed(2).padStart(6)} ms   p99.9 ${r.p999Ms.toFixed(2).padStart(6)} ms   errors ${r.errors + r.non2xx}   max RSS ${r.maxRssMiB} MiB`,
    )
    .join('\n');
}

/** The item in the middle when sorted by `value` (of an even count, the upper one). */
function medianBy<T>(items: readonly T[], value: (item: T) => number): T {
  const middle = [...items].sort((a, b) => value(a) - value(b))[Math.floor(items.length / 2)];
  if (middle === undefined) throw new Error('median of nothing');
  return middle;
}

async function main(): Promise<void> {
  const report: Record<string, unknown> = { machine: machine() };
  say(`pod-hardener benchmark on ${JSON.stringify(report.machine)}`);

  say('\nEngine alone (tinybench; "handler" adds JSON parsing, the answer, the decision record and metrics)');
  const engine = await benchEngine(quick);
  report.engine = engine;
  say(engineTable(engine));

  const directory = mkdtempSync(join(tmpdir(), 'ph-bench-'));
  const body = reviewBody(PODS.typical);
  const targets = await startTargets(directory, body, nodeFlagVariants);
  const { hardener, bare, ca, variants } = targets;
  const layered = [bare, targets.bareBatched, targets.httpLayer, targets.noEngine, hardener, ...variants];
  try {
    say(
      `\nOver HTTPS on loopback (keep-alive, typical pod; saturation: autocannon, 16 connections, ${rounds} alternating round(s) of ${seconds} s per server, the median shown; ` +
        `fixed rates: open loop for ${seconds} s in ${rounds} alternating round(s), the median round by p99 shown, latency from when each request was due; CPU: the server process's, per answered request)`,
    );
    const saturation = { name: 'saturation', seconds, connections: 16 };
    const warmUp = async (target: Target, scenario: Scenario): Promise<void> => {
      await load(target, ca, body, { ...scenario, seconds: 1 });
    };
    for (const target of layered) await warmUp(target, saturation);
    // Saturation goes round the servers, round after round, so a slow spell of this shared machine hits them all.
    const saturationRounds: LoadResult[][] = [];
    for (let n = 0; n < rounds; n += 1) {
      const round: LoadResult[] = [];
      for (const target of layered) round.push(await load(target, ca, body, saturation));
      saturationRounds.push(round);
    }
    const results: LoadResult[] = layered.map((_, i) => medianBy(saturationRounds.map((round) => round[i] as LoadResult), (r) => r.requestsPerSecond));
    const rates = [
      { name: '500 req/s', seconds, rate: 500, connections: 32 },
      { name: '1000 req/s', seconds, rate: 1000, connections: 32 },
    ].filter((scenario) => onlyRate === undefined || scenario.rate === Number(onlyRate));
    // The fixed rates too go round the servers, round after round: a p99 from one pass is at the mercy of one slow spell.
    const rateRounds = rounds;
    const rateServers = [bare, hardener, ...variants];
    const p99ByRound: string[] = [];
    for (const scenario of rates) {
      const runs: LoadResult[][] = rateServers.map(() => []);
      for (let n = 0; n < rateRounds; n += 1) {
        for (let k = 0; k < rateServers.length; k += 1) {
          const i = (k + n) % rateServers.length;
          const target = rateServers[i] as Target;
          await warmUp(target, scenario);
          runs[i]?.push(await load(target, ca, body, scenario));
        }
      }
      results.push(...runs.map((rows) => medianBy(rows, (r) => r.p99Ms)));
      if (rateRounds > 1) p99ByRound.push(...runs.map((rows, i) => `  ${scenario.name.padEnd(18)} ${rateServers[i]?.name}: ${rows.map((r) => r.p99Ms.toFixed(2)).join(', ')}`));
    }
    report.https = results;
    say(loadTable(results));
    if (p99ByRound.length > 0) say(`  p99 (ms) per round, the median above:\n${p99ByRound.join('\n')}`);
    // Each round's throughput relative to the bare server's in the same round.
    const shares = (i: number): number[] => saturationRounds.map((round) => (round[i]?.requestsPerSecond ?? 0) / Math.max(1, round[0]?.requestsPerSecond ?? 1));
    const median = (values: number[]): number => medianBy(values, (v) => v);
    const roundRatios = shares(layered.indexOf(hardener));
    const ratio = median(roundRatios);
    report.saturationRounds = saturationRounds;
    if (rounds > 1) say(`  saturation rounds, pod-hardener / bare: ${roundRatios.map((r) => `${(r * 100).toFixed(0)} %`).join(', ')}`);
    const layers = layered.slice(1).map((target, i) => ({ target: target.name, shareOfBare: Number(median(shares(i + 1)).toFixed(3)) }));
    report.saturationLayers = layers;
    say(`  throughput as a share of the bare server's (median of rounds): ${layers.map((l) => `${l.target} ${(l.shareOfBare * 100).toFixed(0)} %`).join(', ')}`);
    say(
      "    (bare, in batches: the bare server answering once a turn of the event loop, as pod-hardener decides its reviews; ph, HTTP layer: pod-hardener's server and review path answering a precomputed decision, nothing logged; ph, no engine: the same with the decision log)",
    );
    const p99At1000 = results.find((r) => r.scenario === '1000 req/s' && r.target === 'pod-hardener')?.p99Ms ?? NaN;
    const typicalEngine = engine.find((r) => r.name === 'engine: typical pod');
    // Issue 20's targets.
    const targets = [
      { key: 'throughputRatio', label: 'throughput vs bare server', value: ratio, shown: `${(ratio * 100).toFixed(0)} %`, target: '>= 55 %', met: ratio >= 0.55 },
      { key: 'p99At1000Ms', label: 'p99 at 1000 req/s', value: p99At1000, shown: `${p99At1000.toFixed(2)} ms`, target: '<= 2 ms', met: p99At1000 <= 2 },
      {
        key: 'engineTypicalUs',
        label: 'engine, typical pod (mean)',
        value: typicalEngine?.meanUs ?? NaN,
        shown: `${(typicalEngine?.meanUs ?? NaN).toFixed(1)} µs (p50 ${(typicalEngine?.p50Us ?? NaN).toFixed(1)} µs)`,
        target: '<= 10 µs',
        met: (typicalEngine?.meanUs ?? Infinity) <= 10,
      },
    ];
    report.targets = Object.fromEntries(targets.map((t) => [t.key, { value: Number(t.value.toFixed(3)), target: t.target, met: t.met }]));
    say('\nTargets (issue 20)');
    for (const t of targets) say(`  ${t.label.padEnd(28)} ${t.shown}   (target ${t.target}) ${t.met ? '✔' : '✘'}`);

    if (soak) {
      say(`\nSoak: ${soakSeconds} s at 500 req/s against pod-hardener, resident memory every 10 s`);
      const samples: number[] = [];
      const sampler = setInterval(() => samples.push(rssMiB(hardener.pid)), 10_000);
      const result = await load(hardener, ca, body, { name: 'soak 500 req/s', seconds: soakSeconds, rate: 500, connections: 32 });
      clearInterval(sampler);
      const fifth = Math.max(1, Math.floor(samples.length / 5));
      const first = samples.slice(0, fifth);
      const last = samples.slice(-fifth);
      const average = (values: number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
      const growth = (average(last) - average(first)) / Math.max(1, average(first));
      report.soak = { result, rssSamplesMiB: samples.map((v) => Math.round(v)), firstFifthMiB: Math.round(average(first)), lastFifthMiB: Math.round(average(last)), growth: Number(growth.toFixed(3)) };
      say(loadTable([result]));
      say(`  RSS samples (MiB): ${samples.map((v) => Math.round(v)).join(' ')}`);
      say(`  first fifth ${Math.round(average(first))} MiB, last fifth ${Math.round(average(last))} MiB: ${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)} % (target: flat, within ±10 %) ${Math.abs(growth) <= 0.1 ? '✔' : '✘'}`);
    }
  } finally {
    for (const target of layered) await target.stop();
    rmSync(directory, { recursive: true, force: true });
  }
  if (json) process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
