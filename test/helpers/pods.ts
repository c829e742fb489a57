/** Builders for pods and admission requests used across the tests. */
import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { policySchema, type Policy } from '../../src/config/policy.js';
import { podCreateRequest, type AdmissionRequest } from '../../src/engine/admission-request.js';
import type { Container, Pod } from '../../src/engine/pod.js';
import { renderWarnings } from '../../src/admission/warnings.js';
import { reviewAdmission, type ReviewContext, type ReviewDecision } from '../../src/engine/review.js';

export function container(name: string, extra: Partial<Container> = {}): Container {
  return { name, image: `registry.example/${name}:1.0`, ...extra };
}

export function pod(spec: Partial<Pod['spec']> = {}, metadata: Pod['metadata'] = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'team-a', ...metadata },
    spec: { containers: [container('app')], ...spec },
  };
}

export function createRequest(object: unknown, extra: Partial<AdmissionRequest> = {}): AdmissionRequest {
  return podCreateRequest(object, {
    uid: '7f0b2a8e-1c1d-4c59-9a43-5f0e7b0c2d11',
    namespace: 'team-a',
    userInfo: { username: 'alice', groups: ['system:authenticated'] },
    oldObject: null,
    dryRun: false,
    ...extra,
  });
}

export function ephemeralRequest(newPod: Pod, oldPod: Pod): AdmissionRequest {
  return createRequest(newPod, { operation: 'UPDATE', subResource: 'ephemeralcontainers', oldObject: oldPod });
}

export function policy(overrides: Record<string, unknown> = {}): Policy {
  return policySchema.parse(overrides);
}

export function review(object: unknown, policyOverrides: Record<string, unknown> = {}, context: Partial<ReviewContext> = {}): ReviewDecision {
  return reviewAdmission(createRequest(object), { policy: policy(policyOverrides), ...context });
}

/** Applies a patch the strict way the API server does: every operation must fit the document. */
export function applyStrictly<T>(document: T, patch: readonly Operation[]): T {
  return fastJsonPatch.applyPatch(structuredClone(document), structuredClone(patch) as Operation[], true, false).newDocument;
}

/** Reviews the pod and returns it as the API server would store it. */
export function harden(object: Pod, policyOverrides: Record<string, unknown> = {}, context: Partial<ReviewContext> = {}): { pod: Pod; decision: ReviewDecision } {
  const decision = review(object, policyOverrides, context);
  return { pod: applyStrictly(object, decision.patch), decision };
}

/** A pod's containers of every kind, in validation order. */
export { allContainers } from '../../src/engine/pod.js';

export function outcomeKinds(decision: ReviewDecision, name: string): Record<string, string> {
  const report = decision.containers.find((c) => c.name === name);
  if (!report) throw new Error(`no report for container ${name}`);
  return Object.fromEntries([...report.outcomes].map(([id, o]) => [id, o.kind]));
}

/** The warnings the webhook would answer with for this decision (kubectl prints them). */
export function warningsOf(decision: Pick<ReviewDecision, 'findings'>): string[] {
  return renderWarnings(decision.findings);
}
