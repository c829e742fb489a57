/**
 * Pod creation as load: N clients, each sending its next `POST …/pods?dryRun=All`
 * as soon as the last one was answered (closed loop, keep-alive connections,
 * the admin's client certificate). kubectl would cost more than the API server
 * it measures: one process per pod.
 */
import { Agent, request } from 'node:https';

export interface ApiServerClient {
  port: number;
  /** The API server's serving certificate (self-signed for 127.0.0.1). */
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

export interface CreateLoadResult {
  creates: number;
  failed: number;
  /** The first failure's status and message, to say why. */
  firstFailure?: string;
  createsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export function createPath(namespace: string): string {
  return `/api/v1/namespaces/${namespace}/pods?dryRun=All`;
}

/** One create: its status and the answer's text. */
export function createPod(client: ApiServerClient, agent: Agent | undefined, namespace: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: client.port,
        path: createPath(namespace),
        method: 'POST',
        ...(agent ? { agent } : { ca: client.ca, cert: client.cert, key: client.key }),
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** `clients` closed loops creating `body` in `namespace` for `seconds`. */
export async function createLoad(client: ApiServerClient, options: { namespace: string; body: string; clients: number; seconds: number }): Promise<CreateLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.clients, ca: client.ca, cert: client.cert, key: client.key });
  const latencies: number[] = [];
  let failed = 0;
  let firstFailure: string | undefined;
  const start = performance.now();
  const end = start + options.seconds * 1000;
  const loop = async (): Promise<void> => {
    while (performance.now() < end) {
      const sent = performance.now();
      const answer = await createPod(client, agent, options.namespace, options.body).catch((error: unknown) => ({ status: 0, text: String(error) }));
      if (answer.status === 201) latencies.push(performance.now() - sent);
      else {
        failed += 1;
        firstFailure ??= `${answer.status}: ${answer.text.slice(0, 300)}`;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.clients }, loop));
  } finally {
    agent.destroy();
  }
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    creates: latencies.length,
    failed,
    ...(firstFailure ? { firstFailure } : {}),
    createsPerSecond: Math.round(latencies.length / elapsed),
    p50Ms: Number(percentile(latencies, 50).toFixed(2)),
    p99Ms: Number(percentile(latencies, 99).toFixed(2)),
  };
}
