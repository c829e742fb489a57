/**
 * Which registry the resolver may ask for an image, where, and how: the
 * policy's allow and deny lists (checked against the registry the reference
 * names, before any request), its mirrors, and plain HTTP only for loopback
 * hosts (as Docker and containerd treat them) and registries the policy lists
 * as insecure.
 */
import type { ImagesPolicy } from '../config/policy.js';
import { ImageLookupError } from './errors.js';
import { apiHost } from './reference.js';

export interface Endpoint {
  /** The registry asked (the mirror when there is one), as references name it. */
  registry: string;
  /** https://host[:port] or http://host[:port]: the distribution API's base. */
  base: string;
}

/** "*.example.com" matches hosts under example.com (any port); "host" matches host on any port; "host:port" that port only. */
export function registryMatches(pattern: string, registry: string): boolean {
  const p = pattern.toLowerCase();
  const r = registry.toLowerCase();
  const host = r.startsWith('[') ? r.slice(0, r.indexOf(']') + 1) : r.split(':')[0]!;
  if (p.startsWith('*.')) return host.endsWith(p.slice(1));
  return p === r || p === host;
}

function isLoopback(registry: string): boolean {
  const host = registry.startsWith('[') ? registry.slice(1, registry.indexOf(']')) : registry.split(':')[0]!;
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The endpoint to ask for an image of this registry; throws ImageLookupError('denied') when the policy forbids it. */
export function endpointFor(registry: string, policy: Pick<ImagesPolicy, 'allowedRegistries' | 'deniedRegistries' | 'insecureRegistries' | 'mirrors'>, image: string): Endpoint {
  if (policy.deniedRegistries.some((pattern) => registryMatches(pattern, registry))) {
    throw new ImageLookupError('denied', `image "${image}": registry ${registry} is in the policy's images.deniedRegistries`);
  }
  if (policy.allowedRegistries.length > 0 && !policy.allowedRegistries.some((pattern) => registryMatches(pattern, registry))) {
    throw new ImageLookupError('denied', `image "${image}": registry ${registry} is not in the policy's images.allowedRegistries`);
  }
  const target = Object.hasOwn(policy.mirrors, registry) ? policy.mirrors[registry]! : registry;
  const insecure = isLoopback(target) || policy.insecureRegistries.some((pattern) => registryMatches(pattern, target));
  return { registry: target, base: `${insecure ? 'http' : 'https'}://${apiHost(target)}` };
}
