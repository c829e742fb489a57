/**
 * The image resolver against a real OCI registry (the CNCF distribution
 * registry, built from its Go module by global-setup): test images built
 * with tar (oci-image.ts) are pushed over the distribution API, then read
 * back through anonymous access, htpasswd Basic auth and token auth with
 * credentials from a Docker config file. The registry's own log counts the
 * requests, which shows what the cache and single flight save.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import client from 'prom-client';
import { policySchema, type ImagesPolicy } from '../../src/config/policy.js';
import type { ImageLookup } from '../../src/engine/image-facts.js';
import { createImageResolver, registerImageMetrics, type ImageResolver } from '../../src/images/index.js';
import { buildImage, type BuiltImage, type ImageSpec } from './support/oci-image.js';
import { htpasswdLine, pushLayout, startRegistry, type RunningRegistry } from './support/registry.js';
import { startTokenIssuer, type TokenIssuer } from './support/registry-token-issuer.js';

const LINUX_AMD64 = { os: 'linux', architecture: 'amd64' };
const USER = 'puller';
const PASSWORD = 'e2e-secret-do-not-log';

/** The images of the decision table (issue 17): each USER form, VOLUMEs, and two platforms with different users. */
const IMAGES: Array<ImageSpec & { repository: string }> = [
  { repository: 'e2e/root', name: 'root', user: 'root' },
  { repository: 'e2e/unset', name: 'unset' },
  { repository: 'e2e/uid', name: 'uid', user: '1000' },
  { repository: 'e2e/uid-gid', name: 'uid-gid', user: '1000:1000' },
  { repository: 'e2e/nobody', name: 'nobody', user: 'nobody' },
  { repository: 'e2e/volumes', name: 'volumes', user: '1000', volumes: ['/var/cache/app', '/data'] },
  {
    repository: 'e2e/multi',
    name: 'multi',
    platforms: [
      { os: 'linux', architecture: 'amd64', user: '1000' },
      { os: 'linux', architecture: 'arm64', user: '2000' },
    ],
  },
  { repository: 'private/app', name: 'private', user: '1000' },
];

const policy = (images: Partial<ImagesPolicy> = {}): ImagesPolicy => policySchema.parse({ images }).images;

function found(lookup: ImageLookup | undefined) {
  if (lookup?.status !== 'found') throw new Error(`expected the image to be found, got ${JSON.stringify(lookup)}`);
  return lookup.facts;
}

function reasonOf(lookup: ImageLookup | undefined): string {
  if (lookup?.status !== 'unreadable') throw new Error(`expected the image to be unreadable, got ${JSON.stringify(lookup)}`);
  return lookup.reason;
}

let work: string;
let anonymous: RunningRegistry;
let basic: RunningRegistry;
let tokenIssuer: TokenIssuer;
let tokenRegistry: RunningRegistry;
let dockerConfig: string;
const built = new Map<string, BuiltImage>();
const resolvers: ImageResolver[] = [];

function resolver(options: Partial<Parameters<typeof createImageResolver>[0]> = {}): ImageResolver {
  const made = createImageResolver({ policy: policy(), ...options });
  resolvers.push(made);
  return made;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ph-image-resolver-'));
  const storage = join(work, 'storage');
  anonymous = await startRegistry({ storage });
  for (const spec of IMAGES) {
    const image = await buildImage(spec, join(work, 'layouts'));
    built.set(spec.repository, image);
    await pushLayout(anonymous.host, spec.repository, 'v1', image.layout);
  }
  // The same storage behind credentials: Basic (htpasswd), and tokens from an issuer.
  const htpasswd = join(work, 'htpasswd');
  writeFileSync(htpasswd, `${await htpasswdLine(USER, PASSWORD)}\n`);
  basic = await startRegistry({ storage, auth: { kind: 'htpasswd', file: htpasswd } });
  tokenIssuer = await startTokenIssuer({ user: USER, password: PASSWORD, jwksFile: join(work, 'jwks.json') });
  tokenRegistry = await startRegistry({ storage, auth: { kind: 'token', realm: tokenIssuer.realm, service: tokenIssuer.service, issuer: tokenIssuer.issuer, jwksFile: tokenIssuer.jwksFile } });

  // A pull secret's content, as kubectl create secret docker-registry writes it.
  const auth = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
  dockerConfig = join(work, 'config.json');
  writeFileSync(dockerConfig, JSON.stringify({ auths: { [basic.host]: { auth }, [`http://${tokenRegistry.host}/v1/`]: { username: USER, password: PASSWORD } } }));
}, 180_000);

afterAll(async () => {
  for (const made of resolvers) made.close();
  await Promise.all([anonymous, basic, tokenRegistry].filter(Boolean).map((registry) => registry.stop()));
  await tokenIssuer?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('reading image configs from a real registry', () => {
  it.each([
    ['e2e/root', 'root', []],
    ['e2e/unset', '', []],
    ['e2e/uid', '1000', []],
    ['e2e/uid-gid', '1000:1000', []],
    ['e2e/nobody', 'nobody', []],
    ['e2e/volumes', '1000', ['/data', '/var/cache/app']],
  ])('%s: USER %j, VOLUMEs %j, and the manifest digest', async (repository, user, volumes) => {
    const image = `${anonymous.host}/${repository}:v1`;
    const facts = found((await resolver().resolve([image], LINUX_AMD64)).get(image));
    expect(facts).toEqual({ user, volumes, digest: built.get(repository)!.manifestDigest });
  });

  it('reads an image pinned by digest, and the digest is the one pinned', async () => {
    const digest = built.get('e2e/uid')!.manifestDigest;
    const image = `${anonymous.host}/e2e/uid@${digest}`;
    expect(found((await resolver().resolve([image], LINUX_AMD64)).get(image))).toEqual({ user: '1000', volumes: [], digest });
  });

  it("picks the pod's platform from a multi-platform index; the digest is the index's", async () => {
    const image = `${anonymous.host}/e2e/multi:v1`;
    const made = resolver();
    const amd64 = found((await made.resolve([image], LINUX_AMD64)).get(image));
    const arm64 = found((await made.resolve([image], { os: 'linux', architecture: 'arm64' })).get(image));
    expect([amd64.user, arm64.user]).toEqual(['1000', '2000']);
    expect(amd64.digest).toBe(built.get('e2e/multi')!.manifestDigest);
    expect(reasonOf((await made.resolve([image], { os: 'windows', architecture: 'amd64' })).get(image))).toContain('no manifest for windows/amd64');
  });

  it('answers a missing image and a missing tag as unreadable, not found', async () => {
    const images = [`${anonymous.host}/e2e/absent:v1`, `${anonymous.host}/e2e/uid:absent`];
    const answers = await resolver().resolve(images, LINUX_AMD64);
    for (const image of images) expect(reasonOf(answers.get(image))).toMatch(/not found/);
  });
});

describe('credentials from a Docker config file', () => {
  it.each([
    ['Basic auth (htpasswd)', () => basic],
    ['token auth', () => tokenRegistry],
  ])('%s: unreadable without credentials, read with them, and no credential in any reason', async (_name, registry) => {
    const image = `${registry().host}/private/app:v1`;
    const without = reasonOf((await resolver().resolve([image], LINUX_AMD64)).get(image));
    expect(without).toMatch(/credentials|refused access/);
    expect(found((await resolver({ dockerConfigFile: dockerConfig }).resolve([image], LINUX_AMD64)).get(image)).user).toBe('1000');

    const wrong = join(work, `wrong-${registry().host.replace(':', '-')}.json`);
    writeFileSync(wrong, JSON.stringify({ auths: { [registry().host]: { username: USER, password: 'not-the-password' } } }));
    const refused = reasonOf((await resolver({ dockerConfigFile: wrong }).resolve([image], LINUX_AMD64)).get(image));
    for (const reason of [without, refused]) {
      expect(reason).not.toContain(PASSWORD);
      expect(reason).not.toContain('not-the-password');
      expect(reason).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
    }
  });

  it('token auth: one token serves the lookups of a repository while it is valid', async () => {
    const made = resolver({ dockerConfigFile: dockerConfig, policy: policy({ cacheTtlSeconds: 0 }) });
    const image = `${tokenRegistry.host}/private/app:v1`;
    const before = tokenIssuer.issued;
    for (let round = 0; round < 3; round++) found((await made.resolve([image], LINUX_AMD64)).get(image));
    expect(tokenIssuer.issued - before).toBe(1);
  });
});

describe('cache, single flight and budget', () => {
  const manifestGets = (registry: RunningRegistry, repository: string): number => registry.requests.filter((r) => r.method === 'GET' && r.uri.startsWith(`/v2/${repository}/manifests/`)).length;

  it('a second resolve of a tag within its TTL asks the registry nothing; concurrent resolves share one request', async () => {
    const metricsRegistry = new client.Registry();
    const made = resolver({ metrics: registerImageMetrics(metricsRegistry) });
    const image = `${anonymous.host}/e2e/nobody:v1`;
    await anonymous.logged();
    const before = manifestGets(anonymous, 'e2e/nobody');
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => made.resolve([image, image], LINUX_AMD64)));
    expect(new Set(concurrent.map((answers) => found(answers.get(image)).digest)).size).toBe(1);
    await anonymous.logged();
    const afterFirst = manifestGets(anonymous, 'e2e/nobody');
    expect(afterFirst - before).toBe(1);

    found((await made.resolve([image], LINUX_AMD64)).get(image));
    await anonymous.logged();
    expect(manifestGets(anonymous, 'e2e/nobody')).toBe(afterFirst);

    const text = await metricsRegistry.metrics();
    expect(text).toMatch(/pod_hardener_image_cache_total\{result="hit"\} 1\b/);
    expect(text).toMatch(/pod_hardener_image_cache_total\{result="miss"\} 5\b/);
    expect(text).toMatch(/pod_hardener_image_lookups_total\{result="found"\} 6\b/);
    expect(text).toMatch(/pod_hardener_image_registry_seconds_count\{result="found"\} 1\b/);
  });

  it('a denied registry is unreadable with the reason, and is never asked', async () => {
    const image = `${anonymous.host}/e2e/uid:v1`;
    await anonymous.logged();
    const before = anonymous.requests.length;
    const answers = await resolver({ policy: policy({ deniedRegistries: ['127.0.0.1'] }) }).resolve([image], LINUX_AMD64);
    expect(reasonOf(answers.get(image))).toContain('deniedRegistries');
    const onlyOthers = await resolver({ policy: policy({ allowedRegistries: ['*.example.com'] }) }).resolve([image], LINUX_AMD64);
    expect(reasonOf(onlyOthers.get(image))).toContain('allowedRegistries');
    await anonymous.logged();
    // Only the marker request of logged().
    expect(anonymous.requests.length).toBe(before + 1);
  });

  it('a mirror answers for the registry it stands in for', async () => {
    const image = 'registry.invalid/e2e/uid-gid:v1';
    const answers = await resolver({ policy: policy({ mirrors: { 'registry.invalid': anonymous.host } }) }).resolve([image], LINUX_AMD64);
    expect(found(answers.get(image)).user).toBe('1000:1000');
  });

  describe('a registry that answers too slowly', () => {
    let slow: Server;
    let slowHost: string;
    beforeAll(async () => {
      // Accepts connections and never answers.
      slow = createServer(() => undefined);
      await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
      slowHost = `127.0.0.1:${(slow.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    });

    it('is unreadable over the time budget, while the answers that came in time are kept', async () => {
      const late = `${slowHost}/e2e/slow:v1`;
      const quick = `${anonymous.host}/e2e/uid:v1`;
      const made = resolver({ policy: policy({ timeoutMs: 500 }) });
      const answers = await made.resolve([late, quick], LINUX_AMD64);
      expect(reasonOf(answers.get(late))).toBe(`image "${late}": over the time budget of 500 ms`);
      expect(found(answers.get(quick)).user).toBe('1000');
    });
  });
});
