/**
 * The `<prefix>/hardened` annotation: what the webhook changed on this pod, so
 * `kubectl get pod -o yaml` answers "what did the webhook do to me?".
 *
 * It accumulates across the API server's reinvocations: a later pass that
 * changes a container added by another webhook merges into what an earlier pass
 * wrote. The decision log, not this annotation, is the authoritative record;
 * the annotation is informational and is never read to make a decision.
 */
import { CONTROL_IDS, isControlId, type ControlId } from './control-ids.js';
import type { ContainerReport } from './harden.js';

export interface HardenedRecord {
  /** Controls that changed each container. */
  changed: Record<string, ControlId[]>;
  /** Honoured exemptions per container. */
  exempt?: Record<string, ControlId[]>;
  /** Controls that could not be applied per container (see the warnings or the log for why). */
  skipped?: Record<string, ControlId[]>;
}

function readControlMap(value: unknown): Record<string, ControlId[]> {
  const result: Record<string, ControlId[]> = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return result;
  for (const [container, ids] of Object.entries(value)) {
    if (Array.isArray(ids)) result[container] = ids.filter((id): id is ControlId => typeof id === 'string' && isControlId(id));
  }
  return result;
}

export function parseHardenedRecord(value: string | undefined): HardenedRecord | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    return { changed: readControlMap((parsed as Record<string, unknown>).changed) };
  } catch {
    return undefined;
  }
}

/** Merges ids into a list in control order (the lists are at most six long). */
function merge(into: readonly ControlId[] | undefined, ids: readonly ControlId[]): ControlId[] {
  if (!into || into.length === 0) return [...ids];
  return CONTROL_IDS.filter((id) => into.includes(id) || ids.includes(id));
}

/** The annotation value after this pass, or undefined when the pass changed nothing. */
export function hardenedAnnotationValue(previous: string | undefined, containers: readonly ContainerReport[]): string | undefined {
  const exempt: Record<string, ControlId[]> = {};
  const skipped: Record<string, ControlId[]> = {};
  const applied: Array<[string, ControlId[]]> = [];
  let anyExempt = false;
  let anySkipped = false;
  for (const container of containers) {
    const changedHere: ControlId[] = [];
    const exemptHere: ControlId[] = [];
    const skippedHere: ControlId[] = [];
    // Read in CONTROL_IDS order (not the order the controls ran in), so the lists come out ordered.
    for (const id of CONTROL_IDS) {
      const kind = container.outcomes.get(id)?.kind;
      if (kind === 'applied') changedHere.push(id);
      else if (kind === 'exempt') exemptHere.push(id);
      else if (kind === 'notApplicable') skippedHere.push(id);
    }
    if (changedHere.length > 0) applied.push([container.name, changedHere]);
    if (exemptHere.length > 0) {
      exempt[container.name] = exemptHere;
      anyExempt = true;
    }
    if (skippedHere.length > 0) {
      skipped[container.name] = skippedHere;
      anySkipped = true;
    }
  }
  if (applied.length === 0) return undefined;
  const changed = parseHardenedRecord(previous)?.changed ?? {};
  for (const [name, ids] of applied) changed[name] = merge(changed[name], ids);
  const record: HardenedRecord = { changed };
  if (anyExempt) record.exempt = exempt;
  if (anySkipped) record.skipped = skipped;
  return JSON.stringify(record);
}
