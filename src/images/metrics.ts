/**
 * The resolver's Prometheus metrics, registered into the registry the caller
 * gives (the webhook's /metrics registry): lookups by result and cause,
 * cache hits and misses, and the latency of the lookups that asked a registry.
 */
import client from 'prom-client';
import type { LookupCause } from './errors.js';

export interface ImageMetrics {
  /** One per image answered to a caller: found, or unreadable with its cause. */
  lookup(result: 'found' | LookupCause): void;
  cache(result: 'hit' | 'miss'): void;
  /** Seconds one registry lookup took (cache misses only; shared lookups count once). */
  registryLatency(seconds: number, result: 'found' | LookupCause): void;
}

// A warm registry answers in milliseconds; the review budget is seconds.
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function registerImageMetrics(registry: client.Registry): ImageMetrics {
  const lookups = new client.Counter({
    name: 'pod_hardener_image_lookups_total',
    help: 'Image lookups answered to reviews, by result: found, or why the image was unreadable (denied, not_found, unauthorized, unreachable, over_budget, bad_response, no_platform, invalid_reference).',
    labelNames: ['result'],
    registers: [registry],
  });
  const cache = new client.Counter({
    name: 'pod_hardener_image_cache_total',
    help: 'Image lookups answered from the cache (hit) or by asking the registry (miss; concurrent misses of one image share one request).',
    labelNames: ['result'],
    registers: [registry],
  });
  const latency = new client.Histogram({
    name: 'pod_hardener_image_registry_seconds',
    help: 'Time one image lookup took at its registry (manifest, index, config blob), by result.',
    labelNames: ['result'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  return {
    lookup: (result) => lookups.inc({ result }),
    cache: (result) => cache.inc({ result }),
    registryLatency: (seconds, result) => latency.observe({ result }, seconds),
  };
}

/** For callers without metrics (the offline CLI, tests). */
export const NO_METRICS: ImageMetrics = { lookup: () => undefined, cache: () => undefined, registryLatency: () => undefined };
