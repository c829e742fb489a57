/** A webhook that runs for months: certificates and policy change under it, and no review fails. */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { createSelfSignedPair } from '../../src/server/certificates.js';
import { AtomicDir } from '../helpers/atomic-dir.js';
import { until as untilDefault } from '../helpers/eventually.js';
import { postJson, send } from '../helpers/https.js';
import { holdRequest } from '../helpers/partial-request.js';
import { container, pod } from '../helpers/pods.js';
import { reviewOf } from '../helpers/reviews.js';
import { startTestWebhook } from '../helpers/webhook.js';

/** A serving pair from certs/generate.sh: the same CA on every run, a new certificate each time (a rotation). */
async function generate(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  await promisify(execFile)(new URL('../../certs/generate.sh', import.meta.url).pathname, ['--dir', dir, '--san', 'IP:127.0.0.1']);
  const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
  return { ca: read('ca-bundle.crt'), cert: read('tls.crt'), key: read('tls.key') };
}

/** The SHA-256 fingerprint of the certificate a new TLS connection is served. */
function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fingerprint);
    });
    socket.on('error', reject);
  });
}

/** Reload checks poll often: reloads take a fraction of a second. */
const until = (what: string, check: () => Promise<boolean> | boolean): Promise<void> => untilDefault(what, check, { timeoutMs: 10_000, intervalMs: 50 });

/** Reviews in a loop, on keep-alive and on fresh connections, until stopped; counts answers and failures. */
function loadLoop(port: number, ca: string[]): { stop(): Promise<{ ok: number; failed: string[] }> } {
  let running = true;
  let ok = 0;
  const failed: string[] = [];
  const body = JSON.stringify(reviewOf(pod()));
  const once = (agent: Agent | false): Promise<void> =>
    new Promise((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/mutate', method: 'POST', ca, agent, headers: { 'Content-Type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) ok += 1;
          else failed.push(`status ${res.statusCode}`);
          resolve();
        });
      });
      req.on('error', (error) => {
        failed.push(error.message);
        resolve();
      });
      req.end(body);
    });
  const keepAlive = new Agent({ keepAlive: true, maxSockets: 2 });
  const loops = [0, 1, 2, 3].map(async (i) => {
    while (running) await once(i % 2 === 0 ? keepAlive : false);
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      keepAlive.destroy();
      return { ok, failed };
    },
  };
}

describe('certificate hot reload', () => {
  test('a symlink swap of the pair changes the served certificate without a restart, with reviews in flight and none failing', async () => {
    const base = mkdtempSync(join(tmpdir(), 'ph-reload-'));
    const first = await generate(join(base, 'certs'));
    const second = await generate(join(base, 'certs'));
    const mounted = new AtomicDir(join(base, 'tls'), { 'tls.crt': first.cert, 'tls.key': first.key });
    const hook = await startTestWebhook({ serve: { tlsCertFile: mounted.path('tls.crt'), tlsKeyFile: mounted.path('tls.key'), reloadIntervalSeconds: 0.2 } });
    try {
      const port = hook.webhook.port;
      const before = await servedFingerprint(port);
      const load = loadLoop(port, [first.ca]);
      const held = await holdRequest(port, first.ca, '/mutate', JSON.stringify(reviewOf(pod(), { uid: 'across-the-swap' })));
      await new Promise((r) => setTimeout(r, 300));

      mounted.update({ 'tls.crt': second.cert, 'tls.key': second.key });
      await until('the new certificate to be served', async () => (await servedFingerprint(port)) !== before);
      await new Promise((r) => setTimeout(r, 300));

      const response = await held.finish();
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body).response.uid).toBe('across-the-swap');
      const { ok, failed } = await load.stop();
      expect(failed).toEqual([]);
      expect(ok).toBeGreaterThan(20);
      const log = (await hook.records()).find((r) => r.message === 'serving certificate reloaded; new connections use it');
      expect(log).toBeDefined();
    } finally {
      await hook.stop();
    }
  }, 30_000);

  test('a broken pair (key of another certificate, or unreadable) keeps the old one and logs an error', async () => {
    const base = mkdtempSync(join(tmpdir(), 'ph-reload-'));
    const first = await createSelfSignedPair(join(base, 'first'));
    const other = await createSelfSignedPair(join(base, 'other'));
    const mounted = new AtomicDir(join(base, 'tls'), { 'tls.crt': first.pair.cert, 'tls.key': first.pair.key });
    const hook = await startTestWebhook({ serve: { tlsCertFile: mounted.path('tls.crt'), tlsKeyFile: mounted.path('tls.key'), reloadIntervalSeconds: 0.2 } });
    try {
      const before = await servedFingerprint(hook.webhook.port);
      mounted.update({ 'tls.crt': other.pair.cert, 'tls.key': first.pair.key });
      await until('the reload error', async () => (await hook.records()).some((r) => r.level === 'error' && r.message === 'serving certificate not reloaded: the previous one stays in use'));
      mounted.update({ 'tls.crt': 'garbage', 'tls.key': 'garbage' });
      await until('a second reload error', async () => (await hook.records()).filter((r) => r.level === 'error').length >= 2);
      expect(await servedFingerprint(hook.webhook.port)).toBe(before);
      expect((await postJson(`${hook.url}/mutate`, first.pair.cert, reviewOf(pod()))).status).toBe(200);
      const metrics = (await send(`${hook.url}/metrics`, { ca: first.pair.cert })).text;
      expect(metrics).toMatch(/^pod_hardener_reloads_total\{what="certificate",result="failure"\} 2$/m);
    } finally {
      await hook.stop();
    }
  });
});

describe('policy hot reload', () => {
  test('a changed policy file applies to the next review; an invalid one keeps the last good policy and logs why', async () => {
    const base = mkdtempSync(join(tmpdir(), 'ph-policy-'));
    const mounted = new AtomicDir(join(base, 'config'), { 'policy.yaml': 'mode: enforce\n' });
    const hook = await startTestWebhook({ serve: { config: mounted.path('policy.yaml'), reloadIntervalSeconds: 0.2 } });
    const outcome = async (): Promise<string> => {
      await postJson(`${hook.url}/mutate`, hook.ca, reviewOf(pod()));
      return String((await hook.records()).filter((r) => r.type === 'decision').at(-1)?.mode);
    };
    try {
      expect(await outcome()).toBe('enforce');
      mounted.update({ 'policy.yaml': 'mode: audit\n' });
      await until('audit mode', async () => (await outcome()) === 'audit');

      mounted.update({ 'policy.yaml': 'mode: audit\nmoed: enforce\n' });
      await until('the reload error', async () => (await hook.records()).some((r) => r.level === 'error' && r.message === 'policy not reloaded: the last good policy stays in force'));
      const error = (await hook.records()).find((r) => r.message === 'policy not reloaded: the last good policy stays in force');
      expect(String(error?.error)).toMatch(/unknown field "moed"/);
      expect(await outcome()).toBe('audit');

      // A plain rewrite (not a symlink swap) is noticed too.
      writeFileSync(join(base, 'config', '..data', 'policy.yaml'), 'mode: fill\n');
      await until('fill mode', async () => (await outcome()) === 'fill');
    } finally {
      await hook.stop();
    }
  });
});

/**
 * A registry on loopback (plain HTTP, as the resolver reads loopback hosts)
 * with token authentication: every image request without a token it issued
 * gets a Bearer challenge; its token service takes Basic credentials and only
 * the `accepted` user:password (the pull secret in force on the registry's
 * side). Tokens last five minutes and stay valid after a rotation, as a
 * registry's tokens do: `configCredential` is the user:password behind the
 * token that read the image config last.
 */
async function startRegistryStub(accepted: string) {
  const sha = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const config = Buffer.from(JSON.stringify({ config: { User: '1000' } }));
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { digest: sha(config), size: config.length }, layers: [] }));
  const issued = new Map<string, string>();
  const stub = { accepted, configCredential: '', configsServed: 0, host: '', close: (): Promise<void> => Promise.resolve() };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const authorization = req.headers.authorization ?? '';
    if (url.pathname === '/token') {
      const basic = authorization.startsWith('Basic ') ? Buffer.from(authorization.slice(6), 'base64').toString('utf8') : '(none)';
      if (basic !== stub.accepted) return void res.writeHead(401).end();
      const token = `token-${issued.size}`;
      issued.set(token, basic);
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, expires_in: 300 }));
    }
    const credential = issued.get(authorization.replace(/^Bearer /, ''));
    if (credential === undefined) {
      return void res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${stub.host}/token",service="stub"` }).end();
    }
    if (url.pathname.startsWith('/v2/app/manifests/')) return void res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end(manifest);
    if (url.pathname === `/v2/app/blobs/${sha(config)}`) {
      stub.configsServed += 1;
      stub.configCredential = credential;
      return void res.writeHead(200).end(config);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stub.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  stub.close = () => new Promise((resolve) => server.close(() => resolve()));
  return stub;
}

describe('registry config hot reload', () => {
  const USER = 'puller';
  const OLD = 'old-pull-secret-7d1e';
  const NEW = 'new-pull-secret-9c4a';
  const BROKEN = 'broken-pull-secret-2b8f';
  const b64 = (text: string): string => Buffer.from(text).toString('base64');

  test('a rotated pull secret is used by the next lookup; a broken one keeps the previous credentials, counts a failure, and no secret is logged', async () => {
    const stub = await startRegistryStub(`${USER}:${OLD}`);
    const dockerConfig = (password: string): string => JSON.stringify({ auths: { [stub.host]: { auth: b64(`${USER}:${password}`) } } });
    const base = mkdtempSync(join(tmpdir(), 'ph-registry-config-'));
    const mounted = new AtomicDir(join(base, 'pull-secret'), { '.dockerconfigjson': dockerConfig(OLD) });
    const hook = await startTestWebhook({ policy: { images: { resolve: true } }, serve: { registryConfig: mounted.path('.dockerconfigjson'), reloadIntervalSeconds: 0.2 } });
    const failures = async (): Promise<Array<Record<string, unknown>>> => (await hook.records()).filter((r) => r.message === 'registry config not reloaded: the previous credentials stay in use');
    /**
     * Reviews a pod of image app:<tag> (a new tag each time: no cached answer; the review waits for the lookup) and
     * returns the credentials behind the token with which the registry let it read the image config. A token got with
     * the old secret stays valid on the registry's side, so only a resolver that forgets its tokens on reload sends the new one.
     */
    const lookUpWith = async (tag: string): Promise<string> => {
      const served = stub.configsServed;
      expect((await postJson(`${hook.url}/mutate`, hook.ca, reviewOf(pod({ containers: [container('app', { image: `${stub.host}/app:${tag}` })] })))).status).toBe(200);
      return stub.configsServed > served ? stub.configCredential : 'the image config was not read';
    };
    try {
      expect(await lookUpWith('v1')).toBe(`${USER}:${OLD}`);

      // The platform rotates the pull secret: the registry takes only the new password, the kubelet swaps the mounted file.
      stub.accepted = `${USER}:${NEW}`;
      mounted.update({ '.dockerconfigjson': dockerConfig(NEW) });
      await until('the registry config reload', async () => (await hook.records()).some((r) => r.message === 'registry config reloaded; the next image lookups use its credentials'));
      const success = (await hook.records()).find((r) => r.message === 'registry config reloaded; the next image lookups use its credentials');
      expect(success).toMatchObject({ level: 'info', file: mounted.path('.dockerconfigjson'), registries: 1 });
      expect(await lookUpWith('v2')).toBe(`${USER}:${NEW}`);

      // Not JSON (a truncated write), then JSON with an entry that is not base64 of user:password: both kept out.
      mounted.update({ '.dockerconfigjson': dockerConfig(BROKEN).slice(0, -3) });
      await until('the first reload failure', async () => (await failures()).length === 1);
      mounted.update({ '.dockerconfigjson': JSON.stringify({ auths: { [stub.host]: { auth: b64(BROKEN) } } }) });
      await until('the second reload failure', async () => (await failures()).length === 2);
      expect((await failures()).map((r) => [r.level, r.error])).toEqual([
        ['error', expect.stringContaining('not valid JSON')],
        ['error', expect.stringContaining('is not base64 of user:password')],
      ]);
      expect(await lookUpWith('v3')).toBe(`${USER}:${NEW}`);

      const metrics = (await send(`${hook.url}/metrics`, { ca: hook.ca })).text;
      expect(metrics).toMatch(/^pod_hardener_reloads_total\{what="registry-config",result="success"\} 1$/m);
      expect(metrics).toMatch(/^pod_hardener_reloads_total\{what="registry-config",result="failure"\} 2$/m);

      // Neither the passwords nor the auth strings that carry them, in any line: reloads, errors, decisions.
      const log = (await hook.lines()).join('\n');
      expect(log).toContain('registry config reloaded');
      for (const secret of [OLD, NEW, BROKEN, b64(`${USER}:${OLD}`), b64(`${USER}:${NEW}`), b64(`${USER}:${BROKEN}`), b64(BROKEN)]) expect(log).not.toContain(secret);
    } finally {
      await hook.stop();
      await stub.close();
    }
  }, 30_000);
});
