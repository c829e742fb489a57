/**
 * The image resolver: for the images of one review, what each says about
 * itself (ImageLookups, the engine's input), within the review's time budget.
 *
 * - Answers are cached per image and platform: a digest's answer never
 *   changes and stays until evicted, a tag's for images.cacheTtlSeconds, a
 *   failure for FAILURE_TTL_MS (so a dead registry is not asked on every
 *   review). Concurrent lookups of one image share one request.
 * - The budget bounds the review, not the lookup: an image not answered in
 *   time is unreadable "over the time budget", while its lookup goes on (up
 *   to LOOKUP_TIMEOUT_MS) and fills the cache for the next review.
 * - Denied registries and malformed references are answered without a request.
 */
import type { ImagesPolicy } from '../config/policy.js';
import type { ImageFacts, ImageLookup } from '../engine/image-facts.js';
import { loadDockerConfig, type CredentialStore } from './docker-config.js';
import { asLookupError, ImageLookupError, type LookupCause } from './errors.js';
import { LruCache } from './lru-cache.js';
import { NO_METRICS, type ImageMetrics } from './metrics.js';
import { formatPlatform, type Platform } from './platform.js';
import { readImage } from './read-image.js';
import { formatReference, parseReference, type ImageReference } from './reference.js';
import { endpointFor, type Endpoint } from './registry-access.js';
import { TokenCache } from './registry-auth.js';
import type { Fetch } from './registry-http.js';
import { SingleFlight } from './single-flight.js';

/** How long a failed lookup is remembered: short, so a registry that comes back is seen soon. */
export const FAILURE_TTL_MS = 10_000;
/** The longest one lookup may run, after its review has moved on, to fill the cache. */
export const LOOKUP_TIMEOUT_MS = 15_000;

/** A lookup's result, with the cause of a failure for metrics. */
type Outcome = { status: 'found'; facts: ImageFacts } | { status: 'unreadable'; code: LookupCause; reason: string };

export interface ImageResolverOptions {
  /** The policy's `images` block. */
  policy: ImagesPolicy;
  /** A Docker config JSON (a mounted pull secret, ~/.docker/config.json) with registry credentials. */
  dockerConfigFile?: string | undefined;
  /** Credentials given directly (the offline CLI's lookup: loadCliCredentials); beats dockerConfigFile. */
  credentials?: CredentialStore | undefined;
  metrics?: ImageMetrics | undefined;
  /** The fetch to use (tests); the global one by default. */
  fetch?: Fetch | undefined;
  now?: () => number;
}

export interface ImageResolver {
  /**
   * What each image says about itself, keyed by the image as written. Images
   * not answered within budgetMs (default: images.timeoutMs) are unreadable.
   * With images.resolve false: an empty map, and no request.
   */
  resolve(images: readonly string[], platform: Platform, budgetMs?: number): Promise<Map<string, ImageLookup>>;
  /** A reloaded policy; the cache is emptied (lists or mirrors may have changed what an image reads as). The same object again changes nothing, so a caller may pass the policy of every review. */
  setPolicy(policy: ImagesPolicy): void;
  /** Puts new credentials in force (a rotated pull secret, parsed by the caller); tokens got with the old ones are forgotten. */
  setCredentials(credentials: CredentialStore): void;
  /** Aborts lookups in flight and empties the cache. */
  close(): void;
}

/** An image string's parsed reference, endpoint and cache key; or why it is unreadable without a request (malformed, denied). */
type Route = { reference: ImageReference; endpoint: Endpoint; key: string } | Extract<Outcome, { status: 'unreadable' }>;

const OVER_BUDGET = Symbol('over budget');

function unreadable(error: ImageLookupError): Extract<Outcome, { status: 'unreadable' }> {
  return { status: 'unreadable', code: error.code, reason: error.message };
}

export function createImageResolver(options: ImageResolverOptions): ImageResolver {
  const now = options.now ?? Date.now;
  const metrics = options.metrics ?? NO_METRICS;
  const fetchImpl = options.fetch ?? fetch;
  const closing = new AbortController();
  const tokens = new TokenCache(now);
  const inFlight = new SingleFlight<Outcome>();
  let policy = options.policy;
  let cache = new LruCache<Outcome>(policy.cacheSize, now);
  let routes = new LruCache<Route>(policy.cacheSize, now);
  let credentials: CredentialStore = options.credentials ?? (options.dockerConfigFile !== undefined ? loadDockerConfig(options.dockerConfigFile) : new Map());

  /** Where an image string is read from under the current policy; remembered, as parsing and matching cost microseconds per image. */
  function routeOf(image: string, platform: Platform): Route {
    const written = `${image} ${formatPlatform(platform)}`;
    let route = routes.get(written);
    if (route === undefined) {
      try {
        const reference = parseReference(image);
        const endpoint = endpointFor(reference.registry, policy, image);
        route = { reference, endpoint, key: `${formatReference(reference)} ${formatPlatform(platform)} ${endpoint.base}` };
      } catch (error) {
        route = unreadable(asLookupError(error, `image "${image}"`));
      }
      routes.set(written, route, Number.POSITIVE_INFINITY);
    }
    return route;
  }

  /** The answer at once when it needs no request (cached, denied, malformed), else the lookup's promise (shared by concurrent callers). */
  function lookUp(image: string, platform: Platform): Outcome | Promise<Outcome> {
    const route = routeOf(image, platform);
    if ('status' in route) return route;
    const { reference, endpoint, key } = route;
    const cached = cache.get(key);
    metrics.cache(cached === undefined ? 'miss' : 'hit');
    if (cached !== undefined) return cached;

    const cacheAtStart = cache;
    return inFlight.run(key, async () => {
      const started = now();
      const signal = AbortSignal.any([closing.signal, AbortSignal.timeout(LOOKUP_TIMEOUT_MS)]);
      let outcome: Outcome;
      try {
        const facts = await readImage(image, reference, endpoint, platform, { fetch: fetchImpl, signal, tokens, credential: credentials.get(endpoint.registry) });
        outcome = { status: 'found', facts };
      } catch (error) {
        outcome = unreadable(asLookupError(error, `image "${image}"`));
      }
      metrics.registryLatency((now() - started) / 1000, outcome.status === 'found' ? 'found' : outcome.code);
      const ttlMs = outcome.status === 'unreadable' ? FAILURE_TTL_MS : reference.digest !== undefined ? Number.POSITIVE_INFINITY : policy.cacheTtlSeconds * 1000;
      // A policy change while this ran made a new cache; the old policy's answer does not go into it.
      if (cache === cacheAtStart && !closing.signal.aborted) cache.set(key, outcome, ttlMs);
      return outcome;
    });
  }

  return {
    async resolve(images, platform, budgetMs = policy.timeoutMs) {
      const answers = new Map<string, ImageLookup>();
      if (!policy.resolve) return answers;
      const unique = [...new Set(images)];
      const immediate = unique.map((image) => lookUp(image, platform));
      let timer: NodeJS.Timeout | undefined;
      try {
        // The review path of a warm cache sets no timer and awaits nothing but this function's own promise.
        let outcomes: Array<Outcome | typeof OVER_BUDGET> = immediate as Outcome[];
        if (immediate.some((outcome) => outcome instanceof Promise)) {
          const deadline = new Promise<typeof OVER_BUDGET>((resolve) => {
            timer = setTimeout(resolve, budgetMs, OVER_BUDGET);
          });
          outcomes = await Promise.all(immediate.map((outcome) => (outcome instanceof Promise ? Promise.race([outcome, deadline]) : outcome)));
        }
        unique.forEach((image, index) => {
          const raced = outcomes[index]!;
          const outcome: Outcome = raced === OVER_BUDGET ? { status: 'unreadable', code: 'over_budget', reason: `image "${image}": over the time budget of ${budgetMs} ms` } : raced;
          metrics.lookup(outcome.status === 'found' ? 'found' : outcome.code);
          answers.set(image, outcome.status === 'found' ? { status: 'found', facts: outcome.facts } : { status: 'unreadable', reason: outcome.reason });
        });
      } finally {
        clearTimeout(timer);
      }
      return answers;
    },
    setPolicy(next) {
      if (next === policy) return;
      policy = next;
      cache = new LruCache<Outcome>(next.cacheSize, now);
      routes = new LruCache<Route>(next.cacheSize, now);
    },
    setCredentials(next) {
      credentials = next;
      // Tokens and Basic headers got with the old credentials may still be valid: none is sent again.
      tokens.clear();
    },
    close() {
      closing.abort();
      cache.clear();
    },
  };
}
