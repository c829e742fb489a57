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
import { namespaceDecision } from '../engine/namespace-rules.js';
import { isObject } from '../engine/pod.js';
import { classify, podNamespace } from '../engine/review.js';
import { imagesToLookUp, podPlatform, type ImageResolver } from '../images/index.js';

/** The spec of the pod the engine will harden (by the engine's own rules), or undefined when it will not. */
function hardenedPodSpec(request: AdmissionRequest, policy: Policy, extraExcludedNamespaces: readonly string[]): Record<string, unknown> | undefined {
  if (typeof classify(request) === 'object') return undefined;
  // By name only: the namespace's labels are not needed to skip what the policy always excludes.
  if (namespaceDecision(policy, podNamespace(request), undefined, extraExcludedNamespaces).excluded !== undefined) return undefined;
  const object = request.object;
  return isObject(object) && isObject(object.spec) ? object.spec : undefined;
}

/** The `images` dependency of the review handler, backed by a resolver. */
export function imageLookups(resolver: ImageResolver, extraExcludedNamespaces: readonly string[]) {
  return async (request: AdmissionRequest, policy: Policy): Promise<ImageLookups | undefined> => {
    if (!policy.images.resolve) return undefined;
    const spec = hardenedPodSpec(request, policy, extraExcludedNamespaces);
    if (!spec) return undefined;
    const images = imagesToLookUp(spec);
    if (images.length === 0) return new Map();
    // The same policy object again changes nothing; a reloaded one empties the cache.
    resolver.setPolicy(policy.images);
    return resolver.resolve(images, podPlatform(spec), policy.images.timeoutMs);
  };
}
