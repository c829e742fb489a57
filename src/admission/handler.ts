/**
 * One review, end to end but for HTTP: decode, decide (the engine), answer,
 * log the decision, count it. A failure inside the engine still gets an
 * answer for the same uid, as the policy's onInternalError says.
 */
import { buildDecisionRecord } from '../audit/record.js';
import type { Policy } from '../config/policy.js';
import type { AdmissionRequest } from '../engine/admission-request.js';
import { podNamespace, reviewAdmission, type NamespaceFacts, type ReviewContext, type ReviewDecision } from '../engine/review.js';
import { finalizeWarnings } from '../engine/warnings.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { decodeAdmissionReview } from './decode.js';
import { allowed, denied, patchedFromJson, type AdmissionReviewResponse } from './response.js';

export interface AdmissionDeps {
  /** The policy in force now (it may be reloaded between reviews). */
  policy(): Policy;
  /** The namespace's labels and annotations, when the cluster is known; undefined otherwise. */
  namespace(name: string): Promise<NamespaceFacts | undefined>;
  /** Namespaces never touched beyond the policy's (the webhook's own). */
  extraExcludedNamespaces: readonly string[];
  logger: Logger;
  metrics: Metrics;
  /** The engine; replaceable so tests can make it fail. */
  review?: (request: AdmissionRequest, context: ReviewContext) => ReviewDecision;
}

export async function handleAdmission(body: Buffer, deps: AdmissionDeps): Promise<AdmissionReviewResponse> {
  const started = process.hrtime.bigint();
  // A bad review throws an HttpError; the HTTP adapter answers and counts it.
  const request = decodeAdmissionReview(body);
  const policy = deps.policy();
  const elapsed = (): number => Number(process.hrtime.bigint() - started) / 1e6;
  let decision: ReviewDecision;
  try {
    const name = podNamespace(request);
    const namespace = name === '' ? undefined : await deps.namespace(name);
    const context: ReviewContext = { policy, extraExcludedNamespaces: deps.extraExcludedNamespaces };
    if (namespace) context.namespace = namespace;
    decision = (deps.review ?? reviewAdmission)(request, context);
  } catch (error) {
    return internalError(request, policy, error, elapsed, deps);
  }
  // Serialized once: the answer carries it (base64) and so does the decision record.
  const patchJson = decision.patch.length > 0 ? JSON.stringify(decision.patch) : undefined;
  const response = patchedFromJson(request.uid, patchJson, decision.warnings);
  const record = buildDecisionRecord(request, decision, elapsed());
  deps.logger.decision(record, decision.wouldPatch ? undefined : patchJson);
  deps.metrics.observeReview(String(request.operation), decision, record.durationMs / 1000);
  return response;
}

function internalError(request: AdmissionRequest, policy: Policy, error: unknown, elapsed: () => number, deps: AdmissionDeps): AdmissionReviewResponse {
  const message = error instanceof Error ? error.message : String(error);
  deps.logger.error('internal error while reviewing; answered per onInternalError', {
    uid: request.uid,
    onInternalError: policy.onInternalError,
    error: message,
    stack: error instanceof Error ? error.stack : undefined,
  });
  const allow = policy.onInternalError === 'allow';
  const warnings = finalizeWarnings([
    allow ? 'internal error: the pod was admitted without hardening (onInternalError: allow); see the webhook log' : 'internal error: the pod was denied (onInternalError: deny); see the webhook log',
  ]);
  const decision: ReviewDecision = { outcome: 'error', mode: policy.mode, patch: [], warnings, containers: [], podNotes: [], refusedExemptions: [] };
  const record = buildDecisionRecord(request, decision, elapsed(), message);
  deps.logger.decision(record);
  deps.metrics.observeError('internal');
  deps.metrics.observeReview(String(request.operation), decision, record.durationMs / 1000);
  return allow ? allowed(request.uid, warnings) : denied(request.uid, 500, 'pod-hardener could not review this pod (internal error) and its policy denies pods it cannot review', warnings);
}
