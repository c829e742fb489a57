/**
 * The image lookups of one review, for the engine's runAsNonRoot decisions:
 * the images of the containers whose user only the image can tell (no
 * runAsUser on the container or the pod), looked up within the policy's time
 * budget. Nothing is looked up for what the engine will not harden: other
 * resources, other operations, excluded namespaces, or images.resolve: false.
 */
import type { Policy } from '../config/policy.js';
import type { AdmissionRequest } from '../engine/admission-request.js';
import type { ImageLookups } from '../engine/image-facts.js';
import { podNamespace } from '../engine/review.js';
import { imagesToLookUp, podPlatform, type ImageResolver } from '../images/index.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hardenedPodSpec(request: AdmissionRequest): Record<string, unknown> | undefined {
  const resource = request.resource?.resource ?? (request.kind?.kind === 'Pod' ? 'pods' : undefined);
  if (resource !== 'pods' || (request.resource?.group ?? '') !== '') return undefined;
  const sub = request.subResource ?? '';
  const creates = request.operation === 'CREATE' && sub === '';
  const debugs = request.operation === 'UPDATE' && sub === 'ephemeralcontainers';
  if (!creates && !debugs) return undefined;
  const object = request.object;
  return isRecord(object) && isRecord(object.spec) ? object.spec : undefined;
}

/** The `images` dependency of the review handler, backed by a resolver. */
export function imageLookups(resolver: ImageResolver, extraExcludedNamespaces: readonly string[]) {
  return async (request: AdmissionRequest, policy: Policy): Promise<ImageLookups | undefined> => {
    if (!policy.images.resolve) return undefined;
    const spec = hardenedPodSpec(request);
    if (!spec) return undefined;
    const namespace = podNamespace(request);
    if (policy.excludedNamespaces.includes(namespace) || extraExcludedNamespaces.includes(namespace)) return undefined;
    const images = imagesToLookUp(spec);
    if (images.length === 0) return new Map();
    // The same policy object again changes nothing; a reloaded one empties the cache.
    resolver.setPolicy(policy.images);
    return resolver.resolve(images, podPlatform(spec), policy.images.timeoutMs);
  };
}
