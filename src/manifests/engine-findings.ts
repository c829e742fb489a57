/**
 * What the CLI reads from the engine's decision beyond the patch, in one
 * place: the engine's structured findings, as text for stderr.
 */
import { findingLines } from '../admission/warnings.js';
import type { ReviewDecision } from '../engine/review.js';

/** Why the engine could not read the pod (e.g. "malformed pod: request.object.spec must be an object"), if it could not. */
export function malformedPodReason(decision: ReviewDecision): string | undefined {
  const finding = decision.findings.find((f) => f.kind === 'malformedPod');
  return finding === undefined ? undefined : `malformed pod: ${finding.detail}`;
}

/** What a person should hear about the decision, one line each, in full (the webhook's answer cuts them short; stderr need not). */
export function decisionWarnings(decision: ReviewDecision): string[] {
  return findingLines(decision.findings);
}
