/**
 * Over HTTPS on loopback: pod-hardener serve and the bare server, each its
 * own process, driven by autocannon (keep-alive connections) in this one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createSelfSignedPair } from '../src/server/certificates.js';
import { openLoop } from './open-loop.js';
import { writeBenchPolicy } from './policy.js';

export interface Target {
  name: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export interface LoadResult {
  target: string;
  scenario: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  errors: number;
  non2xx: number;
  maxRssMiB: number;
  /** The server process's CPU time (user + system, all threads) per answered request. */
  cpuUsPerRequest: number;
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function waitForLine(child: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} from the server: ${text}`)), 20_000);
    child[stream]?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = pattern.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${text}`));
    });
  });
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
}

/** The servers side by side: the bare one, pod-hardener, and pod-hardener with parts left out (layer-server.ts). */
export interface Targets {
  bare: Target;
  /** The bare server answering in batches, one per turn of the event loop, as pod-hardener does. */
  bareBatched: Target;
  hardener: Target;
  /** pod-hardener's server and review path with a precomputed decision: no engine. */
  noEngine: Target;
  /** The same, and no decision log either: pod-hardener's HTTP layer alone. */
  httpLayer: Target;
  /** pod-hardener run with other Node.js/V8 flags, one per entry of startTargets' nodeFlagVariants. */
  variants: Target[];
  ca: string;
}

/** A server as a child process of this one (`args` to node); resolves once `pattern` shows on `portFrom`, its first group the port. */
export function spawnServer(name: string, args: string[], portFrom: 'stdout' | 'stderr', pattern: RegExp): Promise<Target> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // Logs go to stdout, as in a container; read and dropped, like a log shipper would.
  if (portFrom === 'stderr') child.stdout?.resume();
  else child.stderr?.pipe(process.stderr);
  return waitForLine(child, portFrom, pattern).then((match) => ({ name, port: Number(match[1]), pid: child.pid ?? 0, stop: stopper(child) }));
}

/** `nodeFlagVariants`: more pod-hardener children, one per entry, run as `node FLAGS… dist/cli/main.js serve …`. */
export async function startTargets(directory: string, body: string, nodeFlagVariants: string[][] = []): Promise<Targets> {
  const { certFile, keyFile, pair } = await createSelfSignedPair(join(directory, 'tls'));
  const started: Target[] = [];
  const start = async (target: Promise<Target>): Promise<Target> => {
    started.push(await target);
    return started[started.length - 1] as Target;
  };
  try {
    const policyFile = writeBenchPolicy(directory);
    const podHardener = (name: string, nodeFlags: string[]): Promise<Target> =>
      start(
        spawnServer(
          name,
          [...nodeFlags, join(ROOT, 'dist/cli/main.js'), 'serve', '--port', '0', '--bind-address', '127.0.0.1', '--tls-cert-file', certFile, '--tls-key-file', keyFile, '--config', policyFile, '--log-level', 'warn'],
          'stderr',
          /listening on https:\/\/127\.0\.0\.1:(\d+)/,
        ),
      );
    const hardener = await podHardener('pod-hardener', []);
    const variants: Target[] = [];
    for (const flags of nodeFlagVariants) variants.push(await podHardener(`pod-hardener ${flags.join(' ')}`, flags));
    // The bare server answers the bytes pod-hardener answers for this review.
    const answer = await post(hardener.port, pair.cert, body);
    const responseFile = join(directory, 'response.json');
    writeFileSync(responseFile, answer);
    const bodyFile = join(directory, 'review.json');
    writeFileSync(bodyFile, body);
    const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
    const bareServer = (name: string, flags: string[]): Promise<Target> => start(spawnServer(name, [here('./bare-server.js'), certFile, keyFile, responseFile, ...flags], 'stdout', /^(\d+)\n/));
    const bare = await bareServer('bare node https', []);
    const bareBatched = await bareServer('bare, in batches', ['--batch']);
    const layer = (name: string, flags: string[]): Promise<Target> => start(spawnServer(name, [here('./layer-server.js'), certFile, keyFile, bodyFile, ...flags], 'stderr', /^(\d+)\n/));
    const noEngine = await layer('ph, no engine', ['--no-engine']);
    const httpLayer = await layer('ph, HTTP layer', ['--no-engine', '--no-log']);
    for (const target of [bareBatched, noEngine, httpLayer, ...variants]) {
      if (!(await post(target.port, pair.cert, body)).equals(answer)) throw new Error(`${target.name} does not answer the bytes pod-hardener answers`);
    }
    return { bare, bareBatched, hardener, noEngine, httpLayer, variants, ca: pair.cert };
  } catch (error) {
    // No server outlives a failed start.
    await Promise.all(started.map((target) => target.stop()));
    throw error;
  }
}

/** One review; its answer's bytes. Anything but a 200 stops the benchmark: it would measure error answers. */
function post(port: number, ca: string, body: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/mutate', method: 'POST', ca, headers: { 'Content-Type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const answer = Buffer.concat(chunks);
        if (res.statusCode === 200) resolve(answer);
        else reject(new Error(`the server on port ${port} answered the review with ${res.statusCode}: ${answer.toString().slice(0, 200)}`));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** CPU time a process has used so far, in ms (user + system, from /proc; Linux counts it in 10 ms ticks). */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may contain spaces: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/** Resident memory of a process, from /proc (Linux). */
export function rssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
    return kib / 1024;
  } catch {
    return 0;
  }
}

export interface Scenario {
  name: string;
  seconds: number;
  /** Fixed rate (open loop); absent: saturation with autocannon. */
  rate?: number;
  connections: number;
}

type Figures = Omit<LoadResult, 'maxRssMiB' | 'cpuUsPerRequest'> & { answered: number };

/** Runs the scenario against the target, sampling its resident memory meanwhile. */
export async function load(target: Target, ca: string, body: string, scenario: Scenario): Promise<LoadResult> {
  let maxRss = rssMiB(target.pid);
  const sampler = setInterval(() => {
    maxRss = Math.max(maxRss, rssMiB(target.pid));
  }, 200);
  const cpuBefore = cpuMs(target.pid);
  try {
    const { answered, ...figures } = scenario.rate ? await fixedRate(target, ca, body, scenario.rate, scenario) : await saturate(target, ca, body, scenario);
    const cpuUsPerRequest = Math.round(((cpuMs(target.pid) - cpuBefore) * 1000) / Math.max(1, answered));
    return { ...figures, maxRssMiB: Math.round(Math.max(maxRss, rssMiB(target.pid))), cpuUsPerRequest };
  } finally {
    clearInterval(sampler);
  }
}

async function fixedRate(target: Target, ca: string, body: string, rate: number, scenario: Scenario): Promise<Figures> {
  const result = await openLoop({ port: target.port, ca, body, rate, seconds: scenario.seconds, connections: scenario.connections });
  return {
    target: target.name,
    scenario: scenario.name,
    requestsPerSecond: result.requestsPerSecond,
    p50Ms: result.latencyMs.p50,
    p99Ms: result.latencyMs.p99,
    p999Ms: result.latencyMs.p999,
    errors: result.failed,
    non2xx: 0,
    answered: result.answered,
  };
}

async function saturate(target: Target, ca: string, body: string, scenario: Scenario): Promise<Figures> {
  const result = await autocannon({
    url: `https://127.0.0.1:${target.port}/mutate`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: scenario.connections,
    duration: scenario.seconds,
    tlsOptions: { ca },
  } as autocannon.Options);
  const latency = result.latency as unknown as Record<string, number>;
  return {
    target: target.name,
    scenario: scenario.name,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: latency.p50 ?? 0,
    p99Ms: latency.p99 ?? 0,
    p999Ms: latency.p99_9 ?? 0,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    answered: result.requests.total,
  };
}
