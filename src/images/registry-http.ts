/**
 * The few HTTP rules every registry request follows. Registries are other
 * people's servers, so nothing read from one is trusted: bodies are capped
 * (a declared or streamed size over the cap ends the read), redirects are
 * followed by hand (only to http: or https:, at most a few, and the
 * Authorization header stays with the registry's own origin: blob GETs are
 * redirected to storage with signed URLs that must not receive our token),
 * and every request carries the lookup's abort signal. Node's fetch reads no
 * proxy variables, so a request goes where its URL says.
 */
import { ImageLookupError } from './errors.js';

export type Fetch = typeof fetch;

export interface RequestContext {
  fetch: Fetch;
  signal: AbortSignal;
}

const MAX_REDIRECTS = 5;

/** GET (or POST) with redirects followed under the rules above; the response's body is unread. */
export async function request(url: URL, init: { method?: string; headers: Record<string, string>; body?: string }, context: RequestContext, what: string): Promise<Response> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const sameOrigin = current.origin === url.origin;
    const headers = sameOrigin ? init.headers : Object.fromEntries(Object.entries(init.headers).filter(([name]) => name.toLowerCase() !== 'authorization'));
    const response = await context.fetch(current, { method: init.method ?? 'GET', headers, body: init.body, redirect: 'manual', signal: context.signal });
    if (response.status < 300 || response.status > 399 || response.status === 304) return response;
    await response.body?.cancel();
    const location = response.headers.get('location');
    if (location === null || hop >= MAX_REDIRECTS) throw new ImageLookupError('bad_response', `${what}: too many or empty redirects`);
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw new ImageLookupError('bad_response', `${what}: redirect to a malformed address`);
    }
    if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new ImageLookupError('bad_response', `${what}: redirect to a ${next.protocol} address refused`);
    // A redirect never downgrades an https registry to plain http.
    if (url.protocol === 'https:' && next.protocol === 'http:') throw new ImageLookupError('bad_response', `${what}: redirect from https to http refused`);
    current = next;
  }
}

/** The body, up to maxBytes; more than that (declared or sent) is an error, and the rest is not read. */
export async function readBody(response: Response, maxBytes: number, what: string): Promise<Buffer> {
  const tooLarge = (): ImageLookupError => new ImageLookupError('bad_response', `${what}: larger than ${maxBytes} bytes`);
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (response.body === null) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
  return Buffer.concat(chunks, size);
}

/** A registry's error status as a lookup error (the body is dropped: it is the registry's text, not ours). */
export async function statusError(response: Response, what: string): Promise<ImageLookupError> {
  await response.body?.cancel();
  if (response.status === 404) return new ImageLookupError('not_found', `${what}: not found in the registry`);
  if (response.status === 401 || response.status === 403) return new ImageLookupError('unauthorized', `${what}: the registry refused access (${response.status})`);
  return new ImageLookupError('bad_response', `${what}: the registry answered ${response.status}`);
}
