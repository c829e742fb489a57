/**
 * Admission logic as a function: from an AdmissionRequest and the policy to a
 * decision. No HTTP, no logging, no clock: the adapters around it do those.
 */
import type { Operation as PatchOperation } from 'fast-json-patch';
import type { Mode, Policy } from '../config/policy.js';
import type { AdmissionRequest } from './admission-request.js';
import { annotationKeys } from './annotations.js';
import { CONTROL_IDS, type ControlId } from './control-ids.js';
import { controlIds, NO_OUTCOMES, type ControlSet, type OutcomeSets } from './control-set.js';
import { readExemptions, type Exemptions, type RefusedExemption } from './exemptions.js';
import type { Finding } from './findings.js';
import { hardenPod, type ContainerReport, type HardenInput } from './harden.js';
import type { ImageLookups } from './image-facts.js';
import { namespaceDecision, type NamespaceFacts } from './namespace-rules.js';
import type { Outcome } from './outcome.js';
import { allContainers, PodShapeError, readPod, type Pod } from './pod.js';

export type ReviewOutcome = 'patched' | 'unchanged' | 'exempt' | 'skipped' | 'error';

export interface ReviewContext {
  policy: Policy;
  /** Namespaces never touched beyond the policy's list (the webhook's own). */
  extraExcludedNamespaces?: readonly string[];
  /** The pod's namespace as the cluster knows it; undefined when it is not known. */
  namespace?: NamespaceFacts;
  /** What each container's image says about itself (looked up by the resolver); absent: images are not resolved. */
  images?: ImageLookups;
}

export interface ReviewDecision {
  outcome: ReviewOutcome;
  /** Why the pod was skipped, for outcome "skipped". */
  skipReason?: string;
  mode: Mode;
  /** The JSON Patch to return (empty in audit mode and when nothing changes). */
  patch: PatchOperation[];
  /** In audit mode, the patch enforce mode would have returned. */
  wouldPatch?: PatchOperation[];
  /** Everything a person should hear about, structured; adapters render it (admission/warnings.ts, the record, the CLI). */
  findings: Finding[];
  containers: ContainerReport[];
  /** What each control did at the pod level (spec.securityContext). */
  pod: ReadonlyMap<ControlId, Outcome>;
  /** The pod level's outcomes by kind (as each container report's sets). */
  podSets: OutcomeSets;
  exemptionReason?: string;
  refusedExemptions: RefusedExemption[];
}

export type { NamespaceFacts };

function skipped(mode: Mode, reason: string, findings: Finding[] = []): ReviewDecision {
  return { outcome: 'skipped', skipReason: reason, mode, patch: [], findings, containers: [], pod: new Map(), podSets: NO_OUTCOMES, refusedExemptions: [] };
}

/** The pod's namespace: the request's, else the object's. Governance and the review read it from here. */
export function podNamespace(request: AdmissionRequest): string {
  if (typeof request.namespace === 'string' && request.namespace !== '') return request.namespace;
  const object = request.object as Pod | undefined;
  return typeof object?.metadata?.namespace === 'string' ? object.metadata.namespace : '';
}

/** Which operation this is for the webhook, or why it does not touch it. */
export function classify(request: AdmissionRequest): 'create' | 'ephemeral' | { skip: string } {
  const resource = request.resource?.resource ?? (request.kind?.kind === 'Pod' ? 'pods' : undefined);
  const group = request.resource?.group ?? request.kind?.group ?? '';
  if (resource !== 'pods' || group !== '') return { skip: 'not a pod' };
  const sub = request.subResource ?? '';
  if (request.operation === 'CREATE' && sub === '') return 'create';
  if (request.operation === 'UPDATE' && sub === 'ephemeralcontainers') return 'ephemeral';
  if (request.operation === 'UPDATE' && sub === '') return { skip: 'pod update: a pod spec is immutable, so updates are never patched' };
  const operation = typeof request.operation === 'string' ? request.operation : 'unknown operation';
  return { skip: sub === '' ? `${operation} is never patched` : `${operation} of pods/${sub} is never patched` };
}

/** Every container's name, read only if asked for (readExemptions asks when an annotation names a container). */
function* containerNames(pod: Pod): Generator<string> {
  for (const container of allContainers(pod)) yield container.name;
}

/** The names of ephemeral containers in `pod` that `oldPod` does not have. */
function newEphemeralContainers(pod: Pod, oldPod: Pod): Set<string> {
  const before = new Set((oldPod.spec.ephemeralContainers ?? []).map((c) => c.name));
  return new Set((pod.spec.ephemeralContainers ?? []).map((c) => c.name).filter((name) => !before.has(name)));
}

export function reviewAdmission(request: AdmissionRequest, context: ReviewContext): ReviewDecision {
  const { policy } = context;
  const kind = classify(request);
  if (typeof kind === 'object') return skipped(policy.mode, kind.skip);

  const namespace = podNamespace(request);
  const governance = namespaceDecision(policy, namespace, context.namespace, context.extraExcludedNamespaces);
  if (governance.excluded !== undefined) return skipped(governance.mode, governance.excluded);
  const mode = governance.mode;

  let pod: Pod;
  let onlyEphemeral: Set<string> | undefined;
  try {
    pod = readPod(request.object, 'request.object');
    if (kind === 'ephemeral') {
      if (request.oldObject === undefined || request.oldObject === null) {
        return skipped(mode, 'ephemeral containers update without oldObject', [
          { kind: 'notHardened', detail: 'the review has no oldObject, so the new ephemeral containers cannot be told apart; not hardened' },
        ]);
      }
      onlyEphemeral = newEphemeralContainers(pod, readPod(request.oldObject, 'request.oldObject'));
    }
  } catch (error) {
    if (!(error instanceof PodShapeError)) throw error;
    return skipped(mode, `malformed pod: ${error.message}`, [{ kind: 'malformedPod', field: error.field, detail: error.message }]);
  }

  const keys = annotationKeys(policy.annotationPrefix);
  const exemptions = readExemptions(pod.metadata?.annotations ?? {}, containerNames(pod), keys, {
    requireReason: policy.exemptions.requireReason,
    allowedControls: policy.exemptions.allowedControls,
    namespace: governance.exemptions,
  });
  const input: HardenInput = {
    pod,
    exemptions,
    settings: {
      strictness: mode === 'fill' ? 'fill' : 'enforce',
      allowedCapabilities: policy.allowedCapabilities,
      defaultRunAsUser: policy.defaultRunAsUser,
      unreadableImages: policy.images.unreadable,
    },
    hardenedAnnotationKey: keys.hardened,
  };
  if (onlyEphemeral) input.onlyEphemeral = onlyEphemeral;
  if (context.images) input.images = context.images;
  const result = hardenPod(input);

  const audit = mode === 'audit';
  const findings = governance.findings.concat(exemptions.findings, notApplicableFindings(result.containers), result.findings);
  if (audit && result.patch.length > 0) findings.push(...auditFindings(result.containers, result.podSets.applied));
  const decision: ReviewDecision = {
    outcome: outcomeOf(result.containers, audit ? [] : result.patch, exemptions),
    mode,
    patch: audit ? [] : result.patch,
    findings,
    containers: result.containers,
    pod: result.pod,
    podSets: result.podSets,
    refusedExemptions: exemptions.refused,
  };
  if (audit) decision.wouldPatch = result.patch;
  if (exemptions.reason !== undefined) decision.exemptionReason = exemptions.reason;
  return decision;
}

function outcomeOf(containers: readonly ContainerReport[], patch: readonly PatchOperation[], exemptions: Exemptions): ReviewOutcome {
  if (patch.length > 0) return 'patched';
  const everythingExempt = containers.length > 0 && containers.every((c) => CONTROL_IDS.every((id) => exemptions.isExempt(c.name, id)));
  return everythingExempt ? 'exempt' : 'unchanged';
}

/** One finding per container and control left out, with the reason. */
function notApplicableFindings(containers: readonly ContainerReport[]): Finding[] {
  const findings: Finding[] = [];
  for (const container of containers) {
    // Most passes leave nothing out.
    if (container.sets.notApplicable === 0) continue;
    for (const control of controlIds(container.sets.notApplicable)) {
      const outcome = container.outcomes.get(control);
      if (outcome?.kind === 'notApplicable') findings.push({ kind: 'notApplicable', container: container.name, controls: [control], detail: outcome.why });
    }
  }
  return findings;
}

function auditFindings(containers: readonly ContainerReport[], podSet: ControlSet): Finding[] {
  const findings: Finding[] = [];
  for (const container of containers) {
    if (container.sets.applied === 0) continue;
    const applied = controlIds(container.sets.applied);
    findings.push({ kind: 'audit', container: container.name, controls: applied, detail: `audit mode, nothing changed; enforce mode would change container "${container.name}": ${applied.join(', ')}` });
  }
  const podApplied = controlIds(podSet);
  if (podApplied.length > 0) findings.push({ kind: 'audit', controls: podApplied, detail: `audit mode, nothing changed; enforce mode would change the pod's securityContext: ${podApplied.join(', ')}` });
  return findings;
}
