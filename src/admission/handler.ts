/**
 * One review, end to end but for HTTP: decode, look up what the engine needs
 * from outside (namespace, images), decide (the engine), answer, log the
 * decision, count it. Once the review is decoded, every failure — in a
 * lookup, the engine, serializing the answer, building the record, logging or
 * counting — is answered for the same uid as the policy's onInternalError
 * says, and recorded.
 */
import { buildDecisionRecord } from '../audit/record.js';
import type { Policy } from '../config/policy.js';
import type { AdmissionRequest } from '../engine/admission-request.js';
import { NO_OUTCOMES } from '../engine/control-set.js';
import type { ImageLookups } from '../engine/image-facts.js';
import { podNamespace, reviewAdmission, type NamespaceFacts, type ReviewContext, type ReviewDecision } from '../engine/review.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { decodeAdmissionReview } from './decode.js';
import { allowed, denied, patchedFromJson, type AdmissionReviewResponse } from './response.js';
import { limitWarnings, renderWarnings } from './warnings.js';

export interface AdmissionDeps {
  /** The policy in force now (it may be reloaded between reviews). */
  policy(): Policy;
  /** The namespace's labels and annotations, when the cluster is known; undefined otherwise. */
  namespace(name: string): Promise<NamespaceFacts | undefined>;
  /** What the request's images say about themselves, within the policy's time budget; absent or undefined: not resolved. */
  images?(request: AdmissionRequest, policy: Policy): Promise<ImageLookups | undefined>;
  /** Namespaces never touched beyond the policy's (the webhook's own). */
  extraExcludedNamespaces: readonly string[];
  logger: Logger;
  metrics: Metrics;
  /** The engine; replaceable so tests can make it fail. */
  review?: (request: AdmissionRequest, context: ReviewContext) => ReviewDecision;
}

function elapsedSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** `started`: when the review's time (its record's duration, the latency histogram) counts from; by default now. */
export async function handleAdmission(body: Buffer, deps: AdmissionDeps, started = process.hrtime.bigint()): Promise<AdmissionReviewResponse> {
  // A bad review throws an HttpError; the HTTP adapter answers and counts it.
  const request = decodeAdmissionReview(body);
  const policy = deps.policy();
  try {
    const decision = await decide(request, policy, deps);
    // Serialized once: the answer carries it (base64) and so does the decision record.
    const patchJson = decision.patch.length > 0 ? JSON.stringify(decision.patch) : undefined;
    const warnings = renderWarnings(decision.findings);
    const response = patchedFromJson(request.uid, patchJson, warnings);
    const record = buildDecisionRecord(request, decision, warnings, elapsedSince(started));
    deps.logger.decision(record, decision.wouldPatch ? undefined : patchJson);
    deps.metrics.observeReview(String(request.operation), decision, warnings.length, record.durationMs / 1000);
    return response;
  } catch (error) {
    return internalError(request, policy, error, started, deps);
  }
}

async function decide(request: AdmissionRequest, policy: Policy, deps: AdmissionDeps): Promise<ReviewDecision> {
  const name = podNamespace(request);
  const [namespace, images] = await Promise.all([name === '' ? undefined : deps.namespace(name), deps.images?.(request, policy)]);
  const context: ReviewContext = { policy, extraExcludedNamespaces: deps.extraExcludedNamespaces };
  if (namespace) context.namespace = namespace;
  if (images) context.images = images;
  return (deps.review ?? reviewAdmission)(request, context);
}

/**
 * The answer when the review failed inside: allowed unhardened or denied, as
 * the policy says. Recording it must not fail the answer: if the log or the
 * metrics throw too, the answer still goes out.
 */
function internalError(request: AdmissionRequest, policy: Policy, error: unknown, started: bigint, deps: AdmissionDeps): AdmissionReviewResponse {
  const message = error instanceof Error ? error.message : String(error);
  const allow = policy.onInternalError === 'allow';
  const warnings = limitWarnings([
    allow ? 'internal error: the pod was admitted without hardening (onInternalError: allow); see the webhook log' : 'internal error: the pod was denied (onInternalError: deny); see the webhook log',
  ]);
  try {
    deps.logger.error('internal error while reviewing; answered per onInternalError', {
      uid: request.uid,
      onInternalError: policy.onInternalError,
      error: message,
      stack: error instanceof Error ? error.stack : undefined,
    });
    const decision: ReviewDecision = { outcome: 'error', mode: policy.mode, patch: [], findings: [], containers: [], pod: new Map(), podSets: NO_OUTCOMES, refusedExemptions: [] };
    const record = buildDecisionRecord(request, decision, warnings, elapsedSince(started), message);
    deps.logger.decision(record);
    deps.metrics.observeError('internal');
    deps.metrics.observeReview(String(request.operation), decision, warnings.length, record.durationMs / 1000);
  } catch {
    // Nothing left to record it with; the answer below is what matters to the API server.
  }
  return allow ? allowed(request.uid, warnings) : denied(request.uid, 500, 'pod-hardener could not review this pod (internal error) and its policy denies pods it cannot review', warnings);
}
