/**
 * What an image says about itself, as the engine needs it. The engine never
 * reads a registry: a resolver beside it (src/images/) looks each container's
 * image up and hands the answers in as this plain data, keyed by the image
 * reference exactly as the container spec writes it.
 */

/** The parts of an image's config the decisions read. */
export interface ImageFacts {
  /** The config's `User`, as written ('' when unset): "1000", "1000:1000", "nginx", "root", "0:0". */
  user: string;
  /** The config's `Volumes` keys (paths the runtime mounts for the image). */
  volumes: string[];
  /** The digest of the manifest the facts were read from (sha256:…), for the decision record. */
  digest: string;
}

export type ImageLookup =
  /** The registry answered; the facts are the image's. */
  | { status: 'found'; facts: ImageFacts }
  /** The image could not be read (unreachable, unauthorised, missing, denied by policy, over the time budget); `reason` says which, without credentials. */
  | { status: 'unreadable'; reason: string };

/** Lookups by image reference (the container's `image` field as written). */
export type ImageLookups = ReadonlyMap<string, ImageLookup>;
