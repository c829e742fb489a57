/**
 * The three documents of an image, as the OCI image spec and Docker's
 * schema 2 write them, read defensively: an index (or Docker manifest list)
 * names one manifest per platform, a manifest names the config blob, and the
 * config holds `config.User` and `config.Volumes`. Each is checked against
 * the digest it was asked by (content addressing: a registry cannot answer
 * another document than the one named).
 */
import { createHash } from 'node:crypto';
import { ImageLookupError } from './errors.js';
import type { Platform } from './platform.js';

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

/** The Accept header of a manifest GET: every kind we can read, and no schema 1. */
export const MANIFEST_ACCEPT = Object.values(MEDIA_TYPES).join(', ');

export interface IndexEntry {
  digest: string;
  platform: Platform | undefined;
}

export type ManifestDocument = { kind: 'index'; entries: IndexEntry[] } | { kind: 'manifest'; configDigest: string };

/** What the decisions read from a config blob. */
export interface ImageConfig {
  user: string;
  volumes: string[];
}

const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/** "sha256:…" of these bytes, with the algorithm of the expected digest (sha256 by default). */
export function digestOf(bytes: Uint8Array, algorithm: 'sha256' | 'sha512' = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** Throws unless the bytes are the ones the digest names. */
export function verifyDigest(bytes: Uint8Array, expected: string, what: string): void {
  if (!DIGEST.test(expected)) throw new ImageLookupError('bad_response', `${what}: unsupported digest ${expected.split(':')[0]}`);
  const algorithm = expected.startsWith('sha512:') ? 'sha512' : 'sha256';
  if (digestOf(bytes, algorithm) !== expected) throw new ImageLookupError('bad_response', `${what}: content does not match its digest`);
}

function parseJson(bytes: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new ImageLookupError('bad_response', `${what}: not JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ImageLookupError('bad_response', `${what}: not a JSON object`);
  return value as Record<string, unknown>;
}

function digestField(value: unknown, what: string): string {
  const digest = (value as { digest?: unknown } | null | undefined)?.digest;
  if (typeof digest !== 'string' || !DIGEST.test(digest)) throw new ImageLookupError('bad_response', `${what}: a descriptor without a valid digest`);
  return digest;
}

function platformField(value: unknown): Platform | undefined {
  const platform = (value as { platform?: unknown } | null | undefined)?.platform as Record<string, unknown> | undefined;
  if (platform === null || typeof platform !== 'object') return undefined;
  const { os, architecture, variant } = platform;
  if (typeof os !== 'string' || typeof architecture !== 'string') return undefined;
  return { os, architecture, ...(typeof variant === 'string' && variant !== '' ? { variant } : {}) };
}

/** An index or a manifest, told apart by its mediaType (the body's, else the response's Content-Type) or its shape. */
export function parseManifest(bytes: Uint8Array, contentType: string | null, what: string): ManifestDocument {
  const json = parseJson(bytes, what);
  const mediaType = typeof json.mediaType === 'string' ? json.mediaType : (contentType ?? '').split(';')[0]!.trim();
  if (json.schemaVersion === 1) throw new ImageLookupError('bad_response', `${what}: Docker schema 1 manifests are not supported (deprecated; re-push the image)`);
  const isIndex = mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerList || (Array.isArray(json.manifests) && json.config === undefined);
  if (isIndex) {
    if (!Array.isArray(json.manifests)) throw new ImageLookupError('bad_response', `${what}: an index without manifests`);
    return { kind: 'index', entries: json.manifests.map((entry) => ({ digest: digestField(entry, what), platform: platformField(entry) })) };
  }
  return { kind: 'manifest', configDigest: digestField(json.config, `${what} config`) };
}

/** The config blob's User and Volumes (absent fields read as unset, as the runtime reads them). */
export function parseConfig(bytes: Uint8Array, what: string): ImageConfig {
  const json = parseJson(bytes, what);
  const config = json.config;
  if (config === undefined || config === null) return { user: '', volumes: [] };
  if (typeof config !== 'object' || Array.isArray(config)) throw new ImageLookupError('bad_response', `${what}: "config" is not an object`);
  const { User: user, Volumes: volumes } = config as Record<string, unknown>;
  if (user !== undefined && user !== null && typeof user !== 'string') throw new ImageLookupError('bad_response', `${what}: config.User is not a string`);
  if (volumes !== undefined && volumes !== null && (typeof volumes !== 'object' || Array.isArray(volumes))) {
    throw new ImageLookupError('bad_response', `${what}: config.Volumes is not an object`);
  }
  return { user: user ?? '', volumes: volumes ? Object.keys(volumes).sort() : [] };
}
