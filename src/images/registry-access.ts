/**
 * Which registry the resolver may ask for an image, where, and how: the
 * policy's allow and deny lists (checked against the registry the reference
 * names, before any request), its mirrors, and plain HTTP only for loopback
 * hosts (as Docker and containerd treat them) and registries the policy lists
 * as insecure.
 */
import type { ImagesPolicy } from '../config/policy.js';
import { ImageLookupError } from './errors.js';
import { apiHost, canonicalRegistry, hostOf } from './reference.js';

export interface Endpoint {
  /** The registry asked (the mirror when there is one), as references name it. */
  registry: string;
  /** https://host[:port] or http://host[:port]: the distribution API's base. */
  base: string;
}

/** "*.example.com" matches hosts under example.com (any port); "host" matches host on any port; "host:port" that port only. */
export function registryMatches(pattern: string, registry: string): boolean {
  const p = canonicalRegistry(pattern);
  const r = canonicalRegistry(registry);
  const host = hostOf(r);
  if (p.startsWith('*.')) return host.endsWith(p.slice(1));
  return p === r || p === host;
}

function isLoopback(registry: string): boolean {
  const host = hostOf(registry.toLowerCase());
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The policy's mirror for a registry; keys are matched as registries are ("index.docker.io" is docker.io). */
function mirrorOf(registry: string, mirrors: Readonly<Record<string, string>>): string | undefined {
  const key = Object.keys(mirrors).find((name) => canonicalRegistry(name) === canonicalRegistry(registry));
  return key === undefined ? undefined : mirrors[key];
}

/** The endpoint to ask for an image of this registry; throws ImageLookupError('denied') when the policy forbids it. */
export function endpointFor(registry: string, policy: Pick<ImagesPolicy, 'allowedRegistries' | 'deniedRegistries' | 'insecureRegistries' | 'mirrors'>, image: string): Endpoint {
  if (policy.deniedRegistries.some((pattern) => registryMatches(pattern, registry))) {
    throw new ImageLookupError('denied', `image "${image}": registry ${registry} is in the policy's images.deniedRegistries`);
  }
  if (policy.allowedRegistries.length > 0 && !policy.allowedRegistries.some((pattern) => registryMatches(pattern, registry))) {
    throw new ImageLookupError('denied', `image "${image}": registry ${registry} is not in the policy's images.allowedRegistries`);
  }
  const target = mirrorOf(registry, policy.mirrors) ?? registry;
  const insecure = isLoopback(target) || policy.insecureRegistries.some((pattern) => registryMatches(pattern, target));
  return { registry: target, base: `${insecure ? 'http' : 'https'}://${apiHost(target)}` };
}
