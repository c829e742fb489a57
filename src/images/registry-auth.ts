/**
 * Authorization for registry requests (distribution spec, "token
 * authentication"; Docker's registry auth): try the request with what we
 * hold for this registry and repository; on 401, read the challenge and
 * either ask the token service (Bearer: GET realm?service&scope, with Basic
 * credentials when we have them, or the OAuth2 refresh-token POST for an
 * `identitytoken`), or send Basic credentials directly (Basic). One retry.
 *
 * Credentials go only to the registry itself or to an https token service
 * (or one on loopback): a registry cannot make us send them in clear to a
 * host of its choice. Tokens are cached until shortly before they expire.
 */
import type { Credential } from './docker-config.js';
import { ImageLookupError } from './errors.js';
import { readBody, request, statusError, type RequestContext } from './registry-http.js';
import { parseChallenges } from './www-authenticate.js';

/** Token answers are small JSON documents. */
const MAX_TOKEN_BYTES = 64 * 1024;
/** The distribution spec: a token without expires_in lasts 60 s. */
const DEFAULT_TOKEN_SECONDS = 60;
/** Renew this long before a token expires, so it does not expire in flight. */
const TOKEN_MARGIN_MS = 10_000;
const CLIENT_ID = 'pod-hardener';
const TOKEN_CACHE_MAX = 1000;

export interface AuthTarget {
  /** The registry's API base (https://host[:port]). */
  base: string;
  repository: string;
  credential: Credential | undefined;
}

/** Authorization header values by registry base and repository, with their expiry. */
export class TokenCache {
  readonly #entries = new Map<string, { header: string; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  get(key: string): string | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.expiresAt <= this.now()) return undefined;
    return entry.header;
  }

  /** Forgets every header: after new credentials, none got with the old ones is sent again. */
  clear(): void {
    this.#entries.clear();
  }

  set(key: string, header: string, lifetimeMs: number): void {
    if (this.#entries.size >= TOKEN_CACHE_MAX) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, { header, expiresAt: this.now() + Math.max(0, lifetimeMs - TOKEN_MARGIN_MS) });
  }
}

function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

function mayReceiveCredentials(realm: URL): boolean {
  return realm.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(realm.hostname);
}

async function fetchToken(params: ReadonlyMap<string, string>, target: AuthTarget, context: RequestContext, what: string): Promise<{ header: string; lifetimeMs: number }> {
  let realm: URL;
  try {
    realm = new URL(params.get('realm') ?? '');
  } catch {
    throw new ImageLookupError('bad_response', `${what}: the registry's token realm is not a URL`);
  }
  if (realm.protocol !== 'https:' && realm.protocol !== 'http:') throw new ImageLookupError('bad_response', `${what}: the registry's token realm is not http(s)`);
  const service = params.get('service');
  // Our own scope: only pull, only this repository, whatever the challenge asked.
  const scope = `repository:${target.repository}:pull`;
  const credential = target.credential !== undefined && mayReceiveCredentials(realm) ? target.credential : undefined;

  let response: Response;
  if (credential?.kind === 'identity') {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credential.token, client_id: CLIENT_ID, scope });
    if (service !== undefined) form.set('service', service);
    response = await request(realm, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() }, context, what);
  } else {
    const url = new URL(realm);
    if (service !== undefined) url.searchParams.set('service', service);
    url.searchParams.set('scope', scope);
    url.searchParams.set('client_id', CLIENT_ID);
    const headers: Record<string, string> = credential?.kind === 'basic' ? { authorization: basicHeader(credential.username, credential.password) } : {};
    response = await request(url, { headers }, context, what);
  }
  if (response.status !== 200) {
    const error = await statusError(response, `${what}: token service`);
    throw error.code === 'not_found' ? new ImageLookupError('bad_response', error.message) : error;
  }
  let body: unknown;
  try {
    body = JSON.parse((await readBody(response, MAX_TOKEN_BYTES, `${what}: token`)).toString('utf8'));
  } catch (error) {
    if (error instanceof ImageLookupError) throw error;
    throw new ImageLookupError('bad_response', `${what}: the token service answered no JSON`);
  }
  const { token, access_token: accessToken, expires_in: expiresIn } = (body ?? {}) as Record<string, unknown>;
  const value = typeof token === 'string' && token !== '' ? token : typeof accessToken === 'string' ? accessToken : '';
  if (value === '' || /[\r\n]/.test(value)) throw new ImageLookupError('bad_response', `${what}: the token service answered no token`);
  const seconds = typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : DEFAULT_TOKEN_SECONDS;
  return { header: `Bearer ${value}`, lifetimeMs: seconds * 1000 };
}

/** The Authorization header a 401's challenge asks for, from our credentials. */
async function answerChallenge(response: Response, target: AuthTarget, context: RequestContext, what: string): Promise<{ header: string; lifetimeMs: number }> {
  const challenges = parseChallenges(response.headers.get('www-authenticate') ?? '');
  await response.body?.cancel();
  const bearer = challenges.find((challenge) => challenge.scheme === 'bearer');
  if (bearer !== undefined) return fetchToken(bearer.params, target, context, what);
  if (challenges.some((challenge) => challenge.scheme === 'basic')) {
    if (target.credential?.kind !== 'basic') throw new ImageLookupError('unauthorized', `${what}: the registry needs credentials, and the registry config has none for it`);
    return { header: basicHeader(target.credential.username, target.credential.password), lifetimeMs: Number.POSITIVE_INFINITY };
  }
  throw new ImageLookupError('unauthorized', `${what}: the registry asks for an authentication scheme we do not speak`);
}

/**
 * GET url (a path under target.base) with authorization; returns the final
 * response, whatever its status (the caller reads it). A 401 after our one
 * answer to the challenge is returned as it is.
 */
export async function authorizedGet(url: URL, headers: Record<string, string>, target: AuthTarget, tokens: TokenCache, context: RequestContext, what: string): Promise<Response> {
  const key = `${target.base} ${target.repository}`;
  const held = tokens.get(key);
  const first = await request(url, { headers: held === undefined ? headers : { ...headers, authorization: held } }, context, what);
  if (first.status !== 401) return first;
  const answer = await answerChallenge(first, target, context, what);
  tokens.set(key, answer.header, answer.lifetimeMs);
  return request(url, { headers: { ...headers, authorization: answer.header } }, context, what);
}
