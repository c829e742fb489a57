/**
 * Image references, parsed as the container runtimes parse them
 * (github.com/distribution/reference ParseNormalizedNamed, which containerd
 * and the kubelet use): a registry host only when the first path element
 * looks like one (has "." or ":", is "localhost", or has upper case), else
 * docker.io with "library/" for single names; tag "latest" when neither tag
 * nor digest is given; a digest wins over a tag.
 */
import { ImageLookupError } from './errors.js';

export interface ImageReference {
  /** host[:port] as the runtime names it ("docker.io" for Docker Hub). */
  registry: string;
  /** The repository path in that registry ("library/nginx"). */
  repository: string;
  /** The tag, when the reference pins none by digest ("latest" by default). */
  tag: string | undefined;
  /** "sha256:…" when the reference pins a digest. */
  digest: string | undefined;
}

export const DOCKER_HUB = 'docker.io';
/** Docker Hub serves the distribution API on another host than its name. */
const DOCKER_HUB_API = 'registry-1.docker.io';

// distribution/reference regexp.go, term for term.
const ALPHANUMERIC = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const DOMAIN = new RegExp(`^${HOST}(?::[0-9]+)?$`);
const REMOTE_NAME = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const IDENTIFIER = /^[a-f0-9]{64}$/;
/** reference.NameTotalLengthMax */
const NAME_MAX = 255;

function invalid(image: string, why: string): ImageLookupError {
  return new ImageLookupError('invalid_reference', `image "${image}" is not a valid reference: ${why}`);
}

/** reference.splitDockerDomain */
function splitDomain(name: string): [string, string] {
  const slash = name.indexOf('/');
  let domain = DOCKER_HUB;
  let remote = name;
  if (slash !== -1) {
    const first = name.slice(0, slash);
    if (first === 'localhost' || first === 'index.docker.io' || /[.:]/.test(first) || first.toLowerCase() !== first) {
      domain = first === 'index.docker.io' ? DOCKER_HUB : first;
      remote = name.slice(slash + 1);
    }
  }
  if (domain === DOCKER_HUB && !remote.includes('/')) remote = `library/${remote}`;
  return [domain, remote];
}

/** Parses a container's `image` as the runtime would; throws ImageLookupError('invalid_reference'). */
export function parseReference(image: string): ImageReference {
  if (IDENTIFIER.test(image)) throw invalid(image, 'a bare 64-hex identifier names no repository');
  const at = image.indexOf('@');
  const named = at === -1 ? image : image.slice(0, at);
  const digest = at === -1 ? undefined : image.slice(at + 1);
  if (digest !== undefined && !DIGEST.test(digest)) throw invalid(image, 'malformed digest');

  const [registry, remainder] = splitDomain(named);
  // The tag separator is the last ":" after the last "/" (a port's ":" comes before a "/").
  const colon = remainder.lastIndexOf(':');
  const repository = colon === -1 ? remainder : remainder.slice(0, colon);
  const tag = colon === -1 ? undefined : remainder.slice(colon + 1);
  if (repository.toLowerCase() !== repository) throw invalid(image, 'the repository name must be lowercase');
  if (!DOMAIN.test(registry)) throw invalid(image, 'malformed registry host');
  if (!REMOTE_NAME.test(repository)) throw invalid(image, 'malformed repository name');
  if (tag !== undefined && !TAG.test(tag)) throw invalid(image, 'malformed tag');
  if (registry.length + 1 + repository.length > NAME_MAX) throw invalid(image, `the name is longer than ${NAME_MAX} characters`);
  return { registry, repository, tag: digest === undefined ? (tag ?? 'latest') : undefined, digest };
}

/** The canonical form (docker.io/library/nginx:latest): one cache key per image, however it was written. */
export function formatReference(reference: ImageReference): string {
  const name = `${reference.registry}/${reference.repository}`;
  return reference.digest === undefined ? `${name}:${reference.tag ?? 'latest'}` : `${name}@${reference.digest}`;
}

/** A registry name as references use it: lower case, and Docker Hub's other names ("index.docker.io", its API host) as docker.io. */
export function canonicalRegistry(host: string): string {
  const lower = host.toLowerCase();
  return lower === 'index.docker.io' || lower === DOCKER_HUB_API ? DOCKER_HUB : lower;
}

/** host[:port] → host ("[::1]:5000" → "[::1]"). */
export function hostOf(registry: string): string {
  return registry.startsWith('[') ? registry.slice(0, registry.indexOf(']') + 1) : registry.split(':')[0]!;
}

/** The host[:port] that serves the distribution API for a registry name. */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
}
