/**
 * Prometheus metrics, served on GET /metrics. Each server owns its registry
 * (several servers can run in one process, as the tests do).
 */
import client from 'prom-client';
import { CONTROL_IDS, type ControlId } from '../engine/control-ids.js';
import type { ControlSet } from '../engine/control-set.js';
import type { ReviewDecision } from '../engine/review.js';
import type { Overload } from '../admission/errors.js';

export interface Metrics {
  readonly registry: client.Registry;
  /** Counts one answered review. */
  observeReview(operation: string, decision: Pick<ReviewDecision, 'outcome' | 'patch' | 'containers' | 'podSets'>, warnings: number, seconds: number): void;
  /** Counts a request that got no review decision (bad input, internal error). */
  observeError(kind: 'bad_request' | 'internal'): void;
  /** Counts a hot reload of a watched file (src/server/reloaders.ts); 'registry-config' is serve's --registry-config. */
  observeReload(what: 'policy' | 'certificate' | 'client-ca' | 'registry-config', result: 'success' | 'failure'): void;
  /** Counts a review refused with 429 because the server was at one of its load bounds. */
  observeOverload(limit: Overload): void;
  /** Counts a TLS handshake that failed on the review port (with client authentication: a caller without the CA's certificate). */
  observeHandshakeFailure(): void;
}

// Admission reviews take well under a millisecond; the API server gives up after seconds.
const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

const KNOWN_OPERATIONS = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);

/**
 * A counter by control, counted on the review path in plain numbers (bit i of
 * a set, CONTROL_IDS[i]) and handed to prom-client when scraped, through its
 * collect hook: prom-client's own inc() hashes and validates the labels on
 * every call, several times a review. Every series exists from the start, so
 * dashboards see zeros rather than gaps.
 */
function controlCounter(registry: client.Registry, name: string, help: string): (set: ControlSet) => void {
  const counted = new Float64Array(CONTROL_IDS.length);
  const reported = new Float64Array(CONTROL_IDS.length);
  const counter = new client.Counter({
    name,
    help,
    labelNames: ['control'],
    registers: [registry],
    collect() {
      for (let bit = 0; bit < CONTROL_IDS.length; bit += 1) {
        const delta = (counted[bit] as number) - (reported[bit] as number);
        if (delta === 0) continue;
        this.inc({ control: CONTROL_IDS[bit] as ControlId }, delta);
        reported[bit] = counted[bit] as number;
      }
    },
  });
  for (const control of CONTROL_IDS) counter.labels(control).inc(0);
  return (set) => {
    for (let bit = 0; set >> bit !== 0; bit += 1) if ((set & (1 << bit)) !== 0) counted[bit] = (counted[bit] as number) + 1;
  };
}

export function createMetrics(options: { version: string; collectDefaults?: boolean } = { version: 'dev' }): Metrics {
  const registry = new client.Registry();
  if (options.collectDefaults !== false) client.collectDefaultMetrics({ register: registry });

  new client.Gauge({ name: 'pod_hardener_build_info', help: 'Always 1; the version label says which build runs.', labelNames: ['version'], registers: [registry] }).set(
    { version: options.version },
    1,
  );
  const reviews = new client.Counter({
    name: 'pod_hardener_reviews_total',
    help: 'Admission reviews answered, by operation and outcome (patched, unchanged, exempt, skipped, error).',
    labelNames: ['operation', 'outcome'],
    registers: [registry],
  });
  const countApplied = controlCounter(registry, 'pod_hardener_patches_total', 'Pods changed, by control: one per review in which the control changed at least one container.');
  const countExempt = controlCounter(registry, 'pod_hardener_exemptions_total', 'Honoured exemptions, by control: one per review in which the control was exempted for at least one container.');
  const countNotApplicable = controlCounter(registry, 'pod_hardener_not_applicable_total', 'Controls left out because applying them would break the pod, by control: one per review.');
  const warnings = new client.Counter({ name: 'pod_hardener_warnings_total', help: 'Warnings returned to clients.', registers: [registry] });
  const errors = new client.Counter({
    name: 'pod_hardener_errors_total',
    help: 'Requests that got no review decision: bad_request (4xx) or internal (a bug; answered per onInternalError).',
    labelNames: ['kind'],
    registers: [registry],
  });
  const duration = new client.Histogram({
    name: 'pod_hardener_review_duration_seconds',
    help: 'Time to answer a review, from a read body to a written answer.',
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const reloads = new client.Counter({
    name: 'pod_hardener_reloads_total',
    help: 'Reloads of the policy file, the serving certificate, the client CA or the registry config (pull secret), by result.',
    labelNames: ['what', 'result'],
    registers: [registry],
  });
  const overloads = new client.Counter({
    name: 'pod_hardener_overload_refusals_total',
    help: 'Reviews refused with 429 at a load bound: concurrent_reviews (--max-concurrent-reviews) or bytes_in_flight (--max-bytes-in-flight).',
    labelNames: ['limit'],
    registers: [registry],
  });
  const handshakeFailures = new client.Counter({
    name: 'pod_hardener_tls_handshake_failures_total',
    help: 'TLS handshakes that failed on the review port: no common protocol, or, with --client-ca-file, no client certificate from that CA.',
    registers: [registry],
  });
  // Children of reviews_total by operation and outcome, bound on first use (a handful: four operations and "other", five outcomes).
  const reviewChildren = new Map<string, client.Counter.Internal>();
  const reviewCounter = (operation: string, outcome: string): client.Counter.Internal => {
    const key = `${operation} ${outcome}`;
    let child = reviewChildren.get(key);
    if (child === undefined) reviewChildren.set(key, (child = reviews.labels(operation, outcome)));
    return child;
  };
  for (const kind of ['bad_request', 'internal']) errors.labels(kind).inc(0);
  for (const limit of ['concurrent_reviews', 'bytes_in_flight']) overloads.labels(limit).inc(0);

  return {
    registry,
    observeReview(operation, decision, warningCount, seconds) {
      reviewCounter(KNOWN_OPERATIONS.has(operation) ? operation : 'other', decision.outcome).inc();
      duration.observe(seconds);
      if (warningCount > 0) warnings.inc(warningCount);
      // Each control counts once per review and kind: the sets of every container and the pod's, together.
      let { applied, exempt, notApplicable: leftOut } = decision.podSets;
      for (const { sets } of decision.containers) {
        applied |= sets.applied;
        exempt |= sets.exempt;
        leftOut |= sets.notApplicable;
      }
      // A review that changed nothing (audit mode) counts no control as applied.
      if (decision.patch.length > 0) countApplied(applied);
      countExempt(exempt);
      countNotApplicable(leftOut);
    },
    observeError(kind) {
      errors.labels(kind).inc();
    },
    observeReload(what, result) {
      reloads.labels(what, result).inc();
    },
    observeOverload(limit) {
      overloads.labels(limit).inc();
    },
    observeHandshakeFailure() {
      handshakeFailures.inc();
    },
  };
}
