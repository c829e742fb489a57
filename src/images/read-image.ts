/**
 * One image's facts from its registry, over the OCI distribution API:
 * GET /v2/<name>/manifests/<tag|digest> (an index: pick the platform's
 * manifest and GET it), then GET /v2/<name>/blobs/<config digest>. Every
 * document is checked against its digest; the digest recorded is the one the
 * reference resolves to (the index's for a multi-platform image: the digest a
 * pod pins with image@sha256:…, and the kubelet reports as imageID).
 */
import type { ImageFacts } from '../engine/image-facts.js';
import type { Credential } from './docker-config.js';
import { ImageLookupError } from './errors.js';
import { digestOf, MANIFEST_ACCEPT, parseConfig, parseManifest, verifyDigest } from './manifest.js';
import { formatPlatform, selectPlatform, type Platform } from './platform.js';
import type { ImageReference } from './reference.js';
import type { Endpoint } from './registry-access.js';
import { authorizedGet, type TokenCache } from './registry-auth.js';
import { readBody, statusError, type RequestContext } from './registry-http.js';

/** Manifests and indexes are small; the distribution registry itself refuses manifests over 4 MiB. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Config blobs hold history and environment; a few MiB is generous. */
export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

export interface ReadContext extends RequestContext {
  tokens: TokenCache;
  credential: Credential | undefined;
}

async function getVerified(url: URL, accept: string, maxBytes: number, expectedDigest: string | undefined, target: Parameters<typeof authorizedGet>[2], context: ReadContext, what: string) {
  const response = await authorizedGet(url, { accept }, target, context.tokens, context, what);
  if (response.status !== 200) throw await statusError(response, what);
  const bytes = await readBody(response, maxBytes, what);
  if (expectedDigest !== undefined) verifyDigest(bytes, expectedDigest, what);
  return { bytes, contentType: response.headers.get('content-type') };
}

/** Reads the image a reference names, for a platform; throws ImageLookupError. */
export async function readImage(image: string, reference: ImageReference, endpoint: Endpoint, platform: Platform, context: ReadContext): Promise<ImageFacts> {
  const target = { base: endpoint.base, repository: reference.repository, credential: context.credential };
  const api = `${endpoint.base}/v2/${reference.repository}`;
  const what = `image "${image}"`;

  const top = await getVerified(new URL(`${api}/manifests/${reference.digest ?? reference.tag}`), MANIFEST_ACCEPT, MAX_MANIFEST_BYTES, reference.digest, target, context, what);
  const digest = reference.digest ?? digestOf(top.bytes);
  let document = parseManifest(top.bytes, top.contentType, what);
  if (document.kind === 'index') {
    const entry = selectPlatform(document.entries, platform);
    if (entry === undefined) throw new ImageLookupError('no_platform', `${what}: no manifest for ${formatPlatform(platform)} in its index`);
    const child = await getVerified(new URL(`${api}/manifests/${entry.digest}`), MANIFEST_ACCEPT, MAX_MANIFEST_BYTES, entry.digest, target, context, what);
    document = parseManifest(child.bytes, child.contentType, what);
    if (document.kind === 'index') throw new ImageLookupError('bad_response', `${what}: an index nested in an index`);
  }
  const config = await getVerified(new URL(`${api}/blobs/${document.configDigest}`), '*/*', MAX_CONFIG_BYTES, document.configDigest, target, context, `${what} config`);
  return { ...parseConfig(config.bytes, `${what} config`), digest };
}
