/**
 * The `<prefix>/hardened` annotation: what the webhook changed on this pod, so
 * `kubectl get pod -o yaml` answers "what did the webhook do to me?".
 *
 * It accumulates across the API server's reinvocations: a later pass that
 * changes a container added by another webhook merges into what an earlier pass
 * wrote. The decision log, not this annotation, is the authoritative record;
 * the annotation is informational and is never read to make a decision.
 *
 * Container names are user data: the record is built in Maps and written by
 * mapJson (never through a plain object's keys), so a container named
 * "constructor" (a valid DNS label) or a previous value with a "__proto__" key
 * is just another name.
 */
import { CONTROL_IDS, isControlId, type ControlId } from './control-ids.js';
import type { ContainerReport } from './harden.js';
import type { Outcome } from './outcome.js';
import { isObject } from './pod.js';

export interface HardenedRecord {
  /** Controls that changed each container. */
  changed: Record<string, ControlId[]>;
  /** Controls that changed the pod-level security context. */
  pod?: ControlId[];
  /** Honoured exemptions per container. */
  exempt?: Record<string, ControlId[]>;
  /** Controls that could not be applied per container (see the warnings or the log for why). */
  skipped?: Record<string, ControlId[]>;
}

function controlList(value: unknown): ControlId[] {
  return Array.isArray(value) ? value.filter((id): id is ControlId => typeof id === 'string' && isControlId(id)) : [];
}

function readControlMap(value: unknown): Map<string, ControlId[]> {
  const result = new Map<string, ControlId[]>();
  if (!isObject(value)) return result;
  for (const [container, ids] of Object.entries(value)) result.set(container, controlList(ids));
  return result;
}

/** What an earlier pass recorded: changed containers and pod-level controls. Anything unreadable counts as nothing. */
export function parseHardenedRecord(value: string | undefined): { changed: Map<string, ControlId[]>; pod: ControlId[] } | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    if (!isObject(parsed)) return undefined;
    return { changed: readControlMap(parsed.changed), pod: controlList(parsed.pod) };
  } catch {
    return undefined;
  }
}

/** Merges ids into a list in control order (the lists are at most six long). */
function merge(into: readonly ControlId[] | undefined, ids: readonly ControlId[]): ControlId[] {
  if (!into || into.length === 0) return [...ids];
  return CONTROL_IDS.filter((id) => into.includes(id) || ids.includes(id));
}

/** The controls with outcome `kind`, in CONTROL_IDS order (not the order the controls ran in), so the lists come out ordered. */
function idsOf(outcomes: ReadonlyMap<ControlId, Outcome>, kind: Outcome['kind']): ControlId[] {
  return CONTROL_IDS.filter((id) => outcomes.get(id)?.kind === kind);
}

/** Appends `id` to the list of `name` in `map`, making the list on first use. */
function addTo(map: Map<string, ControlId[]>, name: string, id: ControlId): void {
  const ids = map.get(name);
  if (ids) ids.push(id);
  else map.set(name, [id]);
}

/** The annotation value after this pass, or undefined when the pass changed nothing. */
export function hardenedAnnotationValue(
  previous: string | undefined,
  containers: readonly ContainerReport[],
  pod: ReadonlyMap<ControlId, Outcome> = new Map(),
): string | undefined {
  const applied = new Map<string, ControlId[]>();
  const exempt = new Map<string, ControlId[]>();
  const skipped = new Map<string, ControlId[]>();
  for (const container of containers) {
    for (const id of CONTROL_IDS) {
      const kind = container.outcomes.get(id)?.kind;
      if (kind === 'applied') addTo(applied, container.name, id);
      else if (kind === 'exempt') addTo(exempt, container.name, id);
      else if (kind === 'notApplicable') addTo(skipped, container.name, id);
    }
  }
  const podApplied = idsOf(pod, 'applied');
  if (applied.size === 0 && podApplied.length === 0) return undefined;

  const earlier = parseHardenedRecord(previous);
  const changed = earlier?.changed ?? new Map<string, ControlId[]>();
  for (const [name, ids] of applied) changed.set(name, merge(changed.get(name), ids));
  const podChanged = merge(earlier?.pod, podApplied);

  // A HardenedRecord's JSON, written directly: this runs for every patched pod.
  let json = `{"changed":${mapJson(changed)}`;
  if (podChanged.length > 0) json += `,"pod":${listJson(podChanged)}`;
  if (exempt.size > 0) json += `,"exempt":${mapJson(exempt)}`;
  if (skipped.size > 0) json += `,"skipped":${mapJson(skipped)}`;
  return `${json}}`;
}

/** Control ids are plain identifiers: nothing in them needs escaping. */
function listJson(ids: readonly ControlId[]): string {
  return ids.length === 0 ? '[]' : `["${ids.join('","')}"]`;
}

/** Names JSON writes as they are (what the API server accepts: DNS labels, and more). */
const PLAIN_NAME = /^[a-z0-9.-]+$/;
/** Names an object lists first, in numeric order (array indices): JSON.stringify of an object would move them. */
const ARRAY_INDEX = /^(?:0|[1-9][0-9]{0,9})$/;

/**
 * What JSON.stringify(Object.fromEntries(map)) writes, at a third of its cost.
 * Names are user data: any that is not plain is escaped by JSON.stringify, and
 * a map with an array-index name takes the object route, whose order lists
 * those names first.
 */
export function mapJson(map: ReadonlyMap<string, readonly ControlId[]>): string {
  let json = '';
  for (const [name, ids] of map) {
    if (ARRAY_INDEX.test(name) && Number(name) < 2 ** 32 - 1) return JSON.stringify(Object.fromEntries(map));
    json += `${json === '' ? '' : ','}${PLAIN_NAME.test(name) ? `"${name}"` : JSON.stringify(name)}:${listJson(ids)}`;
  }
  return `{${json}}`;
}
