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

function inControlOrder(ids: Iterable<ControlId>): ControlId[] {
  const set = new Set(ids);
  return CONTROL_IDS.filter((id) => set.has(id));
}

/** The annotation value after this pass, or undefined when the pass changed nothing. */
export function hardenedAnnotationValue(previous: string | undefined, containers: readonly ContainerReport[]): string | undefined {
  if (!containers.some((c) => [...c.outcomes.values()].some((o) => o.kind === 'applied'))) return undefined;
  const changed = parseHardenedRecord(previous)?.changed ?? {};
  const exempt: Record<string, ControlId[]> = {};
  const skipped: Record<string, ControlId[]> = {};
  for (const container of containers) {
    const byKind = (kind: string): ControlId[] => [...container.outcomes].filter(([, o]) => o.kind === kind).map(([id]) => id);
    const applied = byKind('applied');
    if (applied.length > 0) changed[container.name] = inControlOrder([...(changed[container.name] ?? []), ...applied]);
    const exempted = byKind('exempt');
    if (exempted.length > 0) exempt[container.name] = inControlOrder(exempted);
    const notApplied = byKind('notApplicable');
    if (notApplied.length > 0) skipped[container.name] = inControlOrder(notApplied);
  }
  const record: HardenedRecord = { changed };
  if (Object.keys(exempt).length > 0) record.exempt = exempt;
  if (Object.keys(skipped).length > 0) record.skipped = skipped;
  return JSON.stringify(record);
}
