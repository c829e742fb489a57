/**
 * Why an image could not be read. Every failure of a lookup is one of these:
 * the code is a fixed word (metrics label, tests), the message is the reason
 * the engine puts in its warning and decision record. Messages name the image
 * and the registry, never a credential or a header value (SPEC §3: the audit
 * record carries identity, never content).
 */

export const LOOKUP_CAUSES = [
  /** The reference is not one a container runtime would pull. */
  'invalid_reference',
  /** The policy denies the registry (no request was made). */
  'denied',
  /** The registry says the image or tag does not exist. */
  'not_found',
  /** The registry refused our credentials, or we had none. */
  'unauthorized',
  /** No connection, DNS failure, TLS failure, reset, or the lookup's own timeout. */
  'unreachable',
  /** The review's time budget ran out before the registry answered. */
  'over_budget',
  /** The registry answered something we will not read: bad status, too large, malformed, wrong digest. */
  'bad_response',
  /** An index without a manifest for the pod's platform. */
  'no_platform',
] as const;

export type LookupCause = (typeof LOOKUP_CAUSES)[number];

export class ImageLookupError extends Error {
  override readonly name = 'ImageLookupError';

  constructor(
    readonly code: LookupCause,
    message: string,
  ) {
    super(message);
  }
}

/** Any thrown value as a lookup error: ours as they are, anything else as the registry being unreachable. */
export function asLookupError(error: unknown, what: string): ImageLookupError {
  if (error instanceof ImageLookupError) return error;
  // Network errors from fetch carry the interesting part in `cause` (ECONNREFUSED, ENOTFOUND, certificate errors).
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  const detail = typeof code === 'string' ? code : name === 'TimeoutError' ? 'timed out' : name === 'AbortError' ? 'aborted' : 'connection failed';
  return new ImageLookupError('unreachable', `${what}: registry unreachable (${detail})`);
}
