/**
 * The decision record: one per review, schema documented in docs/audit-log.md.
 * Built by a pure function from the request and the decision. It carries
 * identity and decisions, never content: no pod spec, no env values, no
 * command lines, no annotation values other than pod-hardener's own.
 */
import type { Operation } from 'fast-json-patch';
import type { Mode } from '../config/policy.js';
import type { AdmissionRequest } from '../engine/admission-request.js';
import type { ControlId } from '../engine/control-ids.js';
import { controlIds, controlSet, controlSetJson } from '../engine/control-set.js';
import type { Finding } from '../engine/findings.js';
import { keptPart } from '../engine/outcome.js';
import type { ContainerKind, Pod } from '../engine/pod.js';
import type { ReviewDecision, ReviewOutcome } from '../engine/review.js';

export const DECISION_SCHEMA_VERSION = 1;

export interface ContainerRecord {
  name: string;
  kind: ContainerKind;
  /** Controls that changed the container (in audit mode: would have changed it). */
  applied: ControlId[];
  exempted: ControlId[];
  notApplicable: Array<{ control: ControlId; reason: string }>;
  /** Fill mode: explicit values kept although they do not meet the control (beside a change, or instead of one). */
  kept: Array<{ control: ControlId; reason: string }>;
  /** The image the decisions read, when images are resolved: reference, digest read (null if unreadable, with why). */
  image?: { reference: string; digest: string | null; unreadable?: string };
}

export interface DecisionRecord {
  schemaVersion: typeof DECISION_SCHEMA_VERSION;
  uid: string;
  namespace: string | null;
  name: string | null;
  generateName: string | null;
  owner: { kind: string; name: string } | null;
  user: string | null;
  operation: string | null;
  subResource: string | null;
  dryRun: boolean;
  mode: Mode;
  outcome: ReviewOutcome;
  /** Why the review was skipped (outcome "skipped"), else null. */
  skipReason: string | null;
  /** The internal error (outcome "error"), else null. */
  error: string | null;
  /** The pod's exempt-reason annotation, else null. */
  exemptReason: string | null;
  containers: ContainerRecord[];
  /** Controls that changed the pod-level securityContext (in audit mode: would have). */
  pod: { applied: ControlId[] };
  refusedExemptions: Array<{ container: string | null; control: ControlId; reason: string }>;
  /** Pod-level fields left as they were, and why (the podLevel findings). */
  podNotes: string[];
  /** Everything the review found, in full (the warnings below may be cut to what kubectl shows). */
  findings: Finding[];
  /** The operations returned (in audit mode: those enforce mode would return). */
  patch: Operation[];
  /** The warnings as sent. */
  warnings: string[];
  durationMs: number;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function identity(request: AdmissionRequest): Pick<DecisionRecord, 'namespace' | 'name' | 'generateName' | 'owner'> {
  const object = (request.object ?? request.oldObject) as Partial<Pod> | null | undefined;
  const metadata = typeof object === 'object' && object !== null && typeof object.metadata === 'object' && object.metadata !== null ? object.metadata : {};
  const owners = Array.isArray(metadata.ownerReferences) ? metadata.ownerReferences : [];
  const owner = owners.find((ref) => ref?.controller === true) ?? owners[0];
  const ownerKind = str(owner?.kind);
  const ownerName = str(owner?.name);
  return {
    namespace: str(request.namespace) ?? str(metadata.namespace),
    name: str(request.name) ?? str(metadata.name),
    generateName: str(metadata.generateName),
    owner: ownerKind && ownerName ? { kind: ownerKind, name: ownerName } : null,
  };
}

function containerRecords(decision: ReviewDecision): ContainerRecord[] {
  return decision.containers.map(({ name, kind, outcomes, sets, image }) => {
    const record: ContainerRecord = { name, kind, applied: controlIds(sets.applied), exempted: controlIds(sets.exempt), notApplicable: [], kept: [] };
    // The lists with reasons read the outcomes, in control order; most containers have none.
    const withReasons = sets.notApplicable | sets.kept;
    if (withReasons !== 0) {
      for (const control of controlIds(withReasons)) {
        const outcome = outcomes.get(control);
        if (outcome?.kind === 'notApplicable') record.notApplicable.push({ control, reason: outcome.why });
        const keptReason = keptPart(outcome);
        if (keptReason !== undefined) record.kept.push({ control, reason: keptReason });
      }
    }
    if (image) record.image = image;
    return record;
  });
}

export function buildDecisionRecord(request: AdmissionRequest, decision: ReviewDecision, warnings: readonly string[], durationMs: number, error?: string): DecisionRecord {
  return {
    schemaVersion: DECISION_SCHEMA_VERSION,
    uid: request.uid,
    ...identity(request),
    user: str(request.userInfo?.username),
    operation: str(request.operation),
    subResource: str(request.subResource),
    dryRun: request.dryRun === true,
    mode: decision.mode,
    outcome: decision.outcome,
    skipReason: decision.skipReason ?? null,
    error: error ?? null,
    exemptReason: decision.exemptionReason ?? null,
    containers: containerRecords(decision),
    pod: { applied: controlIds(decision.podSets.applied) },
    refusedExemptions: decision.refusedExemptions.map(({ container, control, why }) => ({ container: container ?? null, control, reason: why })),
    podNotes: decision.findings.filter((finding) => finding.kind === 'podLevel').map((finding) => finding.detail),
    findings: decision.findings,
    patch: decision.wouldPatch ?? decision.patch,
    warnings: [...warnings],
    durationMs: Math.round(durationMs * 1000) / 1000,
  };
}

/** A string field: JSON.stringify escapes what the client sent. */
function stringJson(value: string | null): string {
  return value === null ? 'null' : JSON.stringify(value);
}

function listJson(list: readonly unknown[]): string {
  return list.length === 0 ? '[]' : JSON.stringify(list);
}

/** A list of control ids in control order without repeats, as the record's lists are: written from the table. */
function controlListJson(ids: readonly ControlId[]): string {
  return ids.length === 0 ? '[]' : controlSetJson(controlSet(ids));
}

function containerJson(container: ContainerRecord): string {
  const image = container.image === undefined ? '' : `,"image":${JSON.stringify(container.image)}`;
  return `{"name":${JSON.stringify(container.name)},"kind":"${container.kind}","applied":${controlListJson(container.applied)},"exempted":${controlListJson(container.exempted)},"notApplicable":${listJson(container.notApplicable)},"kept":${listJson(container.kept)}${image}}`;
}

/**
 * The record's fields as JSON, in the documented order, without the enclosing
 * braces (the log line puts its own fields first): what
 * JSON.stringify(record).slice(1, -1) writes, at a third of its cost — every
 * value from the request goes through JSON.stringify, the rest is ours. The
 * patch, the largest part, may come serialized already (the answer needed the
 * same text). test/unit/audit/record-json.test.ts holds it to JSON.stringify.
 */
export function decisionRecordFields(record: DecisionRecord, patchJson: string = JSON.stringify(record.patch)): string {
  const owner = record.owner === null ? 'null' : `{"kind":${JSON.stringify(record.owner.kind)},"name":${JSON.stringify(record.owner.name)}}`;
  return (
    `"schemaVersion":${record.schemaVersion},"uid":${JSON.stringify(record.uid)},"namespace":${stringJson(record.namespace)},"name":${stringJson(record.name)},` +
    `"generateName":${stringJson(record.generateName)},"owner":${owner},"user":${stringJson(record.user)},"operation":${stringJson(record.operation)},` +
    `"subResource":${stringJson(record.subResource)},"dryRun":${record.dryRun},"mode":"${record.mode}","outcome":"${record.outcome}",` +
    `"skipReason":${stringJson(record.skipReason)},"error":${stringJson(record.error)},"exemptReason":${stringJson(record.exemptReason)},` +
    `"containers":[${record.containers.map(containerJson).join(',')}],"pod":{"applied":${controlListJson(record.pod.applied)}},` +
    `"refusedExemptions":${listJson(record.refusedExemptions)},"podNotes":${listJson(record.podNotes)},"findings":${listJson(record.findings)},` +
    `"patch":${patchJson},"warnings":${listJson(record.warnings)},"durationMs":${JSON.stringify(record.durationMs)}`
  );
}
