/**
 * The resolver's rules against a registry that is a function (no network):
 * the cases a real registry will not produce on demand — hostile sizes,
 * wrong digests, redirects, expiry on a clock, a registry that never
 * answers. The real registry is in test/e2e/image-resolver.test.ts.
 */
import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { policySchema, type ImagesPolicy } from '../../../src/config/policy.js';
import type { ImageLookup } from '../../../src/engine/image-facts.js';
import { createImageResolver, type ImageResolverOptions } from '../../../src/images/index.js';

const AMD64 = { os: 'linux', architecture: 'amd64' };
const policy = (images: Partial<ImagesPolicy> = {}): ImagesPolicy => policySchema.parse({ images }).images;
const digest = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

const CONFIG = Buffer.from(JSON.stringify({ config: { User: '1000', Volumes: { '/data': {} } } }));
const MANIFEST = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { digest: digest(CONFIG), size: CONFIG.length }, layers: [] }));

type Handler = (url: URL, init: RequestInit) => Response | undefined | Promise<Response | undefined>;

/** A registry at https://r.example.com serving one image app:v1, unless a handler answers first. */
function registry(override?: Handler) {
  const calls: Array<{ url: string; authorization: string | undefined }> = [];
  const fetchImpl = (async (input: unknown, init: RequestInit = {}) => {
    const url = new URL(String(input));
    calls.push({ url: url.href, authorization: (init.headers as Record<string, string> | undefined)?.authorization });
    const answer = await override?.(url, init);
    if (answer !== undefined) return answer;
    if (url.pathname === '/v2/app/manifests/v1' || url.pathname === `/v2/app/manifests/${digest(MANIFEST)}`) return new Response(MANIFEST, { headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } });
    if (url.pathname === `/v2/app/blobs/${digest(CONFIG)}`) return new Response(CONFIG);
    return new Response('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}', { status: 404 });
  }) as typeof fetch;
  return { fetch: fetchImpl, calls };
}

async function lookUp(image: string, options: Partial<ImageResolverOptions> & { fetch: typeof fetch }, budgetMs?: number): Promise<ImageLookup> {
  const resolver = createImageResolver({ policy: policy(), ...options });
  try {
    return (await resolver.resolve([image], AMD64, budgetMs)).get(image)!;
  } finally {
    resolver.close();
  }
}

const reason = (lookup: ImageLookup): string => (lookup.status === 'unreadable' ? lookup.reason : `found ${JSON.stringify(lookup.facts)}`);

describe('reading an image', () => {
  it('reads User, Volumes and the manifest digest', async () => {
    expect(await lookUp('r.example.com/app:v1', registry())).toEqual({ status: 'found', facts: { user: '1000', volumes: ['/data'], digest: digest(MANIFEST) } });
  });

  it('with images.resolve false: no lookup and no request', async () => {
    const fake = registry();
    const resolver = createImageResolver({ policy: policy({ resolve: false }), fetch: fake.fetch });
    expect((await resolver.resolve(['r.example.com/app:v1'], AMD64)).size).toBe(0);
    expect(fake.calls).toEqual([]);
  });

  it('an invalid reference is unreadable without a request', async () => {
    const fake = registry();
    expect(reason(await lookUp('r.example.com/App:v1', fake))).toContain('must be lowercase');
    expect(fake.calls).toEqual([]);
  });
});

describe('a registry that answers what it should not', () => {
  const manifestPath = '/v2/app/manifests/v1';
  it.each<[string, Handler, string]>([
    ['a declared size over the cap', (url) => (url.pathname === manifestPath ? new Response('{}', { headers: { 'content-length': String(64 * 1024 * 1024) } }) : undefined), 'larger than'],
    [
      'an endless body',
      (url) =>
        url.pathname === manifestPath
          ? new Response(new ReadableStream({ pull: (controller) => controller.enqueue(new Uint8Array(1024 * 1024)) }))
          : undefined,
      'larger than',
    ],
    ['not JSON', (url) => (url.pathname === manifestPath ? new Response('<html>') : undefined), 'not JSON'],
    ['a schema 1 manifest', (url) => (url.pathname === manifestPath ? new Response('{"schemaVersion":1}') : undefined), 'schema 1'],
    ['a config blob that is not the one named', (url) => (url.pathname.startsWith('/v2/app/blobs/') ? new Response('{"config":{"User":"0"}}') : undefined), 'does not match its digest'],
    ['a server error', (url) => (url.pathname === manifestPath ? new Response('', { status: 500 }) : undefined), 'answered 500'],
    ['a redirect to file:', (url) => (url.pathname.startsWith('/v2/app/blobs/') ? new Response(null, { status: 307, headers: { location: 'file:///etc/passwd' } }) : undefined), 'file: address refused'],
    ['a redirect from https to http', (url) => (url.pathname.startsWith('/v2/app/blobs/') ? new Response(null, { status: 302, headers: { location: 'http://storage.example.com/blob' } }) : undefined), 'from https to http refused'],
    ['a redirect loop', (url) => (url.pathname.startsWith('/v2/app/blobs/') ? new Response(null, { status: 302, headers: { location: url.href } }) : undefined), 'too many'],
    ['a refused connection', () => Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } })), 'registry unreachable (ECONNREFUSED)'],
  ])('%s: unreadable, saying so', async (_name, handler, expected) => {
    expect(reason(await lookUp('r.example.com/app:v1', registry(handler)))).toContain(expected);
  });

  it('a manifest pinned by digest must be that manifest', async () => {
    const other = `sha256:${'0'.repeat(64)}`;
    const fake = registry((url) => (url.pathname === `/v2/app/manifests/${other}` ? new Response(MANIFEST) : undefined));
    expect(reason(await lookUp(`r.example.com/app@${other}`, fake))).toContain('does not match its digest');
  });

  it('follows a blob redirect to storage without our Authorization header', async () => {
    const fake = registry((url, init) => {
      if (url.pathname === '/v2/app/manifests/v1' && !(init.headers as Record<string, string>).authorization) return new Response('', { status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } });
      if (url.hostname === 'r.example.com' && url.pathname.startsWith('/v2/app/blobs/')) return new Response(null, { status: 307, headers: { location: 'https://storage.example.net/signed?x=1' } });
      if (url.hostname === 'storage.example.net') return new Response(CONFIG);
      return undefined;
    });
    const credentials = new Map([['r.example.com', { kind: 'basic' as const, username: 'u', password: 'p' }]]);
    expect((await lookUp('r.example.com/app:v1', { ...fake, credentials })).status).toBe('found');
    const storage = fake.calls.find((call) => call.url.startsWith('https://storage.example.net/'));
    expect(storage).toEqual({ url: 'https://storage.example.net/signed?x=1', authorization: undefined });
    expect(fake.calls.find((call) => call.url.includes('/blobs/'))?.authorization).toMatch(/^Basic /);
  });
});

describe('the bearer token flow', () => {
  const challenge = (realm: string) => new Response('', { status: 401, headers: { 'www-authenticate': `Bearer realm="${realm}",service="svc",scope="repository:app:push,pull"` } });

  it('asks the token service for pull on this repository only, with Basic credentials, and uses the token', async () => {
    const fake = registry((url, init) => {
      const authorization = (init.headers as Record<string, string>).authorization;
      if (url.hostname === 'auth.example.com') return new Response(JSON.stringify({ token: 'T1', expires_in: 300 }));
      if (authorization !== 'Bearer T1') return challenge('https://auth.example.com/token');
      return undefined;
    });
    const credentials = new Map([['r.example.com', { kind: 'basic' as const, username: 'u', password: 'p' }]]);
    expect((await lookUp('r.example.com/app:v1', { ...fake, credentials })).status).toBe('found');
    const tokenCall = fake.calls.find((call) => call.url.startsWith('https://auth.example.com/'))!;
    const query = new URL(tokenCall.url).searchParams;
    expect([query.get('service'), query.get('scope')]).toEqual(['svc', 'repository:app:pull']);
    expect(tokenCall.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    // One token request serves the manifest and the config blob.
    expect(fake.calls.filter((call) => call.url.startsWith('https://auth.example.com/'))).toHaveLength(1);
  });

  it('an identitytoken is exchanged as an OAuth2 refresh token (POST), for pull on this repository', async () => {
    let form: URLSearchParams | undefined;
    const fake = registry((url, init) => {
      if (url.hostname === 'auth.example.com') {
        form = new URLSearchParams(String(init.body));
        return init.method === 'POST' ? new Response(JSON.stringify({ access_token: 'T2' })) : new Response('', { status: 405 });
      }
      return (init.headers as Record<string, string>).authorization === 'Bearer T2' ? undefined : challenge('https://auth.example.com/token');
    });
    const credentials = new Map([['r.example.com', { kind: 'identity' as const, username: '<token>', token: 'refresh-1' }]]);
    expect((await lookUp('r.example.com/app:v1', { ...fake, credentials })).status).toBe('found');
    expect(Object.fromEntries(form!)).toEqual({ grant_type: 'refresh_token', refresh_token: 'refresh-1', client_id: 'pod-hardener', scope: 'repository:app:pull', service: 'svc' });
  });

  it('never sends credentials to a plain-http token service off loopback', async () => {
    const fake = registry((url) => (url.hostname === 'auth.example.com' ? new Response('', { status: 401 }) : challenge('http://auth.example.com/token')));
    const credentials = new Map([['r.example.com', { kind: 'basic' as const, username: 'u', password: 'p' }]]);
    expect(reason(await lookUp('r.example.com/app:v1', { ...fake, credentials }))).toContain('refused access (401)');
    expect(fake.calls.find((call) => call.url.startsWith('http://auth.example.com/'))?.authorization).toBeUndefined();
  });

  it('a Basic challenge without credentials says none are configured', async () => {
    const fake = registry(() => new Response('', { status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } }));
    expect(reason(await lookUp('r.example.com/app:v1', fake))).toContain('the registry config has none for it');
  });
});

describe('cache and budget', () => {
  it('a tag is read again after its TTL, a digest never; failures are remembered briefly', async () => {
    let now = 0;
    const fake = registry();
    const resolver = createImageResolver({ policy: policy({ cacheTtlSeconds: 60 }), fetch: fake.fetch, now: () => now });
    const manifests = (): number => fake.calls.filter((call) => call.url.includes('/manifests/')).length;
    const images = ['r.example.com/app:v1', `r.example.com/app@${digest(MANIFEST)}`, 'r.example.com/absent:v1'];
    await resolver.resolve(images, AMD64);
    expect(manifests()).toBe(3);
    now += 9_999;
    await resolver.resolve(images, AMD64);
    expect(manifests()).toBe(3);
    now += 1; // the failure's 10 s are over
    await resolver.resolve(images, AMD64);
    expect(manifests()).toBe(4);
    now += 50_000; // the tag's 60 s are over
    await resolver.resolve(images, AMD64);
    expect(manifests()).toBe(6);
    now += 365 * 24 * 3600 * 1000;
    await resolver.resolve([images[1]!], AMD64);
    expect(manifests()).toBe(6);
    resolver.close();
  });

  it('a registry that never answers: over the budget, and close() ends the lookup', async () => {
    let aborted = false;
    const hanging = ((_input: unknown, init: RequestInit = {}) =>
      new Promise<Response>((_resolve, reject) => {
        init.signal?.addEventListener('abort', () => {
          aborted = true;
          reject(init.signal!.reason);
        });
      })) as typeof fetch;
    const resolver = createImageResolver({ policy: policy(), fetch: hanging });
    const answers = await resolver.resolve(['r.example.com/app:v1'], AMD64, 50);
    expect(answers.get('r.example.com/app:v1')).toEqual({ status: 'unreadable', reason: 'image "r.example.com/app:v1": over the time budget of 50 ms' });
    expect(aborted).toBe(false);
    resolver.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(aborted).toBe(true);
  });

  it('a lookup that ends after its review fills the cache for the next one', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const fake = registry(async (url) => {
      if (url.pathname.includes('/manifests/')) await gate;
      return undefined;
    });
    const resolver = createImageResolver({ policy: policy(), fetch: fake.fetch });
    expect((await resolver.resolve(['r.example.com/app:v1'], AMD64, 20)).get('r.example.com/app:v1')?.status).toBe('unreadable');
    release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await resolver.resolve(['r.example.com/app:v1'], AMD64, 20)).get('r.example.com/app:v1')?.status).toBe('found');
    expect(fake.calls.filter((call) => call.url.includes('/manifests/'))).toHaveLength(1);
    resolver.close();
  });
});
