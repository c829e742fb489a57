/**
 * A real OCI registry on loopback for the end-to-end tests: the CNCF
 * distribution registry that global-setup built (POD_HARDENER_E2E_REGISTRY),
 * run with a config file, filesystem storage in a folder the caller gives
 * (several instances may serve one folder: one anonymous to push to, others
 * behind htpasswd or token auth to read from), and a plain-HTTP push client
 * for OCI image layouts (test/e2e/support/oci-image.ts). Every request the
 * registry answers is kept (from its JSON log), so tests can count them.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { until } from '../../helpers/eventually.js';
import { freePort } from './control-plane.js';

const run = promisify(execFile);

export function registryBinary(): string {
  const binary = process.env.POD_HARDENER_E2E_REGISTRY;
  if (!binary) throw new Error('POD_HARDENER_E2E_REGISTRY is not set: run the e2e tests through jest (npm test or npm run test:e2e), whose global setup builds the registry');
  return binary;
}

/** One bcrypt htpasswd line (the registry's htpasswd auth reads bcrypt only), made by the registry binary's helper. */
export async function htpasswdLine(user: string, password: string): Promise<string> {
  return (await run(registryBinary(), ['htpasswd', user, password])).stdout.trim();
}

export type RegistryAuth =
  | { kind: 'htpasswd'; file: string }
  /** Token auth: the registry trusts JWTs signed by the keys of a JWKS file, issued by `realm`. */
  | { kind: 'token'; realm: string; service: string; issuer: string; jwksFile: string };

export interface RegistryRequest {
  method: string;
  /** The path and query, as the registry logged it. */
  uri: string;
  status: number;
}

export interface RunningRegistry {
  /** host:port, as image references name it. */
  readonly host: string;
  /** Requests answered so far, oldest first. */
  readonly requests: readonly RegistryRequest[];
  /**
   * Resolves once the requests answered before the call are in `requests`:
   * the registry logs a request after answering it, so a marker request
   * sent now is logged after them.
   */
  logged(): Promise<void>;
  stop(): Promise<void>;
}

function authSection(auth: RegistryAuth | undefined): Record<string, unknown> {
  if (auth === undefined) return {};
  if (auth.kind === 'htpasswd') return { auth: { htpasswd: { realm: 'pod-hardener-e2e', path: auth.file } } };
  return { auth: { token: { realm: auth.realm, service: auth.service, issuer: auth.issuer, jwks: auth.jwksFile } } };
}

/** Starts one registry instance on 127.0.0.1 over the given storage folder; resolves once it answers /v2/. */
export async function startRegistry(options: { storage: string; auth?: RegistryAuth }): Promise<RunningRegistry> {
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'ph-registry-'));
  const configFile = join(dir, 'config.json');
  // The registry reads YAML, and JSON is YAML.
  writeFileSync(
    configFile,
    JSON.stringify({
      version: 0.1,
      log: { level: 'info', formatter: 'json', accesslog: { disabled: true } },
      storage: { filesystem: { rootdirectory: options.storage }, delete: { enabled: true } },
      http: { addr: host, secret: randomBytes(16).toString('hex') },
      ...authSection(options.auth),
    }),
  );
  const child: ChildProcess = spawn(registryBinary(), ['serve', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  const requests: RegistryRequest[] = [];
  const log: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    log.push(line);
    if (log.length > 200) log.shift();
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry.msg === 'response completed') requests.push({ method: String(entry['http.request.method']), uri: String(entry['http.request.uri']), status: Number(entry['http.response.status']) });
    } catch {
      // Not a JSON line (a panic, a Go runtime message): kept in `log` for the error below.
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const answers = async (): Promise<boolean> => {
    if (child.exitCode !== null) throw new Error('the registry exited at start');
    try {
      const response = await fetch(`http://${host}/v2/`);
      await response.body?.cancel();
      return response.status === 200 || response.status === 401;
    } catch {
      return false; // not listening yet
    }
  };
  try {
    await until(`the registry on ${host}`, answers, { timeoutMs: 20_000, intervalMs: 100 });
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}:\n${log.join('\n')}`);
  }
  const logged = async (): Promise<void> => {
    const marker = `/v2/?logged=${randomBytes(8).toString('hex')}`;
    await (await fetch(`http://${host}${marker}`)).body?.cancel();
    await until(`the registry on ${host} to log ${marker}`, () => requests.some((request) => request.uri === marker), { timeoutMs: 10_000, intervalMs: 10 });
  };
  return { host, requests, logged, stop };
}

interface Descriptor {
  mediaType: string;
  digest: string;
}

async function expectStatus(response: Response, expected: number, what: string): Promise<Response> {
  if (response.status !== expected) throw new Error(`push: ${what} answered ${response.status}: ${await response.text()}`);
  return response;
}

/** Uploads one blob (monolithic: POST an upload, PUT its bytes with the digest), unless the registry has it. */
async function pushBlob(base: string, repository: string, layout: string, digest: string): Promise<void> {
  const head = await fetch(`${base}/v2/${repository}/blobs/${digest}`, { method: 'HEAD' });
  if (head.status === 200) return;
  const started = await expectStatus(await fetch(`${base}/v2/${repository}/blobs/uploads/`, { method: 'POST' }), 202, `upload of ${digest}`);
  const location = new URL(started.headers.get('location') ?? '', base);
  location.searchParams.set('digest', digest);
  const bytes = await readFile(join(layout, 'blobs', ...digest.split(':')));
  await expectStatus(await fetch(location, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytes }), 201, `blob ${digest}`);
}

async function pushManifest(base: string, repository: string, layout: string, descriptor: Descriptor, reference: string): Promise<void> {
  const bytes = await readFile(join(layout, 'blobs', ...descriptor.digest.split(':')));
  await expectStatus(await fetch(`${base}/v2/${repository}/manifests/${reference}`, { method: 'PUT', headers: { 'content-type': descriptor.mediaType }, body: bytes }), 201, `manifest ${reference}`);
}

/**
 * Pushes the image of an OCI image layout (its index.json's one entry) to an
 * anonymous registry as repository:tag: every blob, each platform's manifest
 * by digest, then the top manifest or index by tag.
 */
export async function pushLayout(host: string, repository: string, tag: string, layout: string): Promise<void> {
  const base = `http://${host}`;
  const top = (JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: Descriptor[] }).manifests[0]!;
  const readJson = async (digest: string): Promise<Record<string, unknown>> => JSON.parse(await readFile(join(layout, 'blobs', ...digest.split(':')), 'utf8')) as Record<string, unknown>;
  const manifests = top.mediaType.endsWith('index.v1+json') ? ((await readJson(top.digest)).manifests as Descriptor[]) : [top];
  for (const manifest of manifests) {
    const content = await readJson(manifest.digest);
    for (const blob of [content.config as Descriptor, ...(content.layers as Descriptor[])]) await pushBlob(base, repository, layout, blob.digest);
    if (manifest !== top) await pushManifest(base, repository, layout, manifest, manifest.digest);
  }
  await pushManifest(base, repository, layout, top, tag);
}
