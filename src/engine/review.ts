/**
 * Admission logic as a function: from an AdmissionRequest and the policy to a
 * decision. No HTTP, no logging, no clock: the adapters around it do those.
 */
import type { Operation as PatchOperation } from 'fast-json-patch';
import type { Mode, Policy } from '../config/policy.js';
import type { AdmissionRequest } from './admission-request.js';
import { annotationKeys } from './annotations.js';
import { CONTROL_IDS, type ControlId } from './control-ids.js';
import { readExemptions, type Exemptions, type RefusedExemption } from './exemptions.js';
import { hardenPod, type ContainerReport } from './harden.js';
import { namespaceDecision, type NamespaceFacts } from './namespace-rules.js';
import { CONTAINER_LISTS, PodShapeError, readPod, type Pod } from './pod.js';
import { finalizeWarnings, quoteList } from './warnings.js';

export type ReviewOutcome = 'patched' | 'unchanged' | 'exempt' | 'skipped' | 'error';

export interface ReviewContext {
  policy: Policy;
  /** Namespaces never touched beyond the policy's list (the webhook's own). */
  extraExcludedNamespaces?: readonly string[];
  /** The pod's namespace as the cluster knows it; undefined when it is not known. */
  namespace?: NamespaceFacts;
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
  warnings: string[];
  containers: ContainerReport[];
  /** Pod-level fields left insecure, and why. */
  podNotes: string[];
  exemptionReason?: string;
  refusedExemptions: RefusedExemption[];
}

export type { NamespaceFacts };

function skipped(mode: Mode, reason: string, warnings: string[] = []): ReviewDecision {
  return { outcome: 'skipped', skipReason: reason, mode, patch: [], warnings: finalizeWarnings(warnings), containers: [], podNotes: [], refusedExemptions: [] };
}

/** The pod's namespace: the request's, else the object's. Governance and the review read it from here. */
export function podNamespace(request: AdmissionRequest): string {
  if (typeof request.namespace === 'string' && request.namespace !== '') return request.namespace;
  const object = request.object as Pod | undefined;
  return typeof object?.metadata?.namespace === 'string' ? object.metadata.namespace : '';
}

/** Which operation this is for the webhook, or why it does not touch it. */
function classify(request: AdmissionRequest): 'create' | 'ephemeral' | { skip: string } {
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
        return skipped(mode, 'ephemeral containers update without oldObject', ['the review has no oldObject, so the new ephemeral containers cannot be told apart; not hardened']);
      }
      onlyEphemeral = newEphemeralContainers(pod, readPod(request.oldObject, 'request.oldObject'));
    }
  } catch (error) {
    if (!(error instanceof PodShapeError)) throw error;
    return skipped(mode, `malformed pod: ${error.message}`, [`the pod could not be read (${error.message}); not hardened`]);
  }

  const keys = annotationKeys(policy.annotationPrefix);
  const containerNames = CONTAINER_LISTS.flatMap((list) => (pod.spec[list] ?? []).map((c) => c.name));
  const exemptions = readExemptions(pod.metadata?.annotations ?? {}, containerNames, keys, {
    requireReason: policy.exemptions.requireReason,
    allowedControls: policy.exemptions.allowedControls,
    namespace: governance.exemptions,
  });
  const result = hardenPod({
    pod,
    exemptions,
    settings: {
      strictness: mode === 'fill' ? 'fill' : 'enforce',
      allowedCapabilities: policy.allowedCapabilities,
      defaultRunAsUser: policy.defaultRunAsUser,
    },
    ...(onlyEphemeral ? { onlyEphemeral } : {}),
    hardenedAnnotationKey: keys.hardened,
  });

  const audit = mode === 'audit';
  const warnings = [...governance.warnings, ...exemptions.warnings, ...notApplicableWarnings(result.containers), ...result.podNotes];
  if (audit && result.patch.length > 0) warnings.push(...auditWarnings(result.containers));
  const decision: ReviewDecision = {
    outcome: outcomeOf(result.containers, audit ? [] : result.patch, exemptions),
    mode,
    patch: audit ? [] : result.patch,
    warnings: finalizeWarnings(warnings),
    containers: result.containers,
    podNotes: result.podNotes,
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

/** One warning per reason, naming the containers and controls it stopped. */
function notApplicableWarnings(containers: readonly ContainerReport[]): string[] {
  const byReason = new Map<string, { controls: Set<ControlId>; containers: Set<string> }>();
  for (const container of containers) {
    for (const [control, outcome] of container.outcomes) {
      if (outcome.kind !== 'notApplicable') continue;
      const group = byReason.get(outcome.why) ?? { controls: new Set(), containers: new Set() };
      group.controls.add(control);
      group.containers.add(container.name);
      byReason.set(outcome.why, group);
    }
  }
  return [...byReason].map(([why, group]) => {
    const who = `${group.containers.size === 1 ? 'container' : 'containers'} ${quoteList([...group.containers])}`;
    return `${who}: ${CONTROL_IDS.filter((id) => group.controls.has(id)).join(', ')} not applied: ${why}`;
  });
}

function auditWarnings(containers: readonly ContainerReport[]): string[] {
  const changes = containers
    .map((c) => ({ name: c.name, applied: CONTROL_IDS.filter((id) => c.outcomes.get(id)?.kind === 'applied') }))
    .filter((c) => c.applied.length > 0);
  return changes.map((c) => `audit mode, nothing changed; enforce mode would change container "${c.name}": ${c.applied.join(', ')}`);
}
