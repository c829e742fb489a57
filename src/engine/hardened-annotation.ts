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
import { isControlId, type ControlId } from './control-ids.js';
import { controlIds, controlSet, controlSetJson, type ControlSet } from './control-set.js';
import type { ContainerReport } from './harden.js';
import { isObject } from './pod.js';
import { isLowerAlphanumeric } from './volumes.js';

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

/** Adds `set` to the set of `name` in `map` (made on first use), if it has anything. */
function addTo(map: Map<string, ControlSet> | undefined, name: string, set: ControlSet): Map<string, ControlSet> | undefined {
  if (set === 0) return map;
  const result = map ?? new Map<string, ControlSet>();
  result.set(name, (result.get(name) ?? 0) | set);
  return result;
}

/** The annotation value after this pass, or undefined when the pass changed nothing. */
export function hardenedAnnotationValue(
  previous: string | undefined,
  containers: readonly ContainerReport[],
  /** The controls that changed the pod level (spec.securityContext). */
  podApplied: ControlSet = 0,
): string | undefined {
  let applied: Map<string, ControlSet> | undefined;
  let exempt: Map<string, ControlSet> | undefined;
  let skipped: Map<string, ControlSet> | undefined;
  for (const { name, sets } of containers) {
    applied = addTo(applied, name, sets.applied);
    exempt = addTo(exempt, name, sets.exempt);
    skipped = addTo(skipped, name, sets.notApplicable);
  }
  if (applied === undefined && podApplied === 0) return undefined;

  // What an earlier pass recorded comes first, in its order; this pass's changes merge into it.
  const earlier = parseHardenedRecord(previous);
  let changed = applied ?? new Map<string, ControlSet>();
  if (earlier) {
    changed = new Map(Array.from(earlier.changed, ([name, ids]) => [name, controlSet(ids)]));
    for (const [name, set] of applied ?? []) changed.set(name, (changed.get(name) ?? 0) | set);
  }
  const podChanged = (earlier ? controlSet(earlier.pod) : 0) | podApplied;

  // A HardenedRecord's JSON, written directly: this runs for every patched pod.
  let json = `{"changed":${mapJson(changed)}`;
  if (podChanged !== 0) json += `,"pod":${controlSetJson(podChanged)}`;
  if (exempt) json += `,"exempt":${mapJson(exempt)}`;
  if (skipped) json += `,"skipped":${mapJson(skipped)}`;
  return `${json}}`;
}

/** Names an object lists first, in numeric order (array indices): JSON.stringify of an object would move them. */
const ARRAY_INDEX = /^(?:0|[1-9][0-9]{0,9})$/;

function isArrayIndex(name: string): boolean {
  const first = name.charCodeAt(0);
  return first >= 48 && first <= 57 && ARRAY_INDEX.test(name) && Number(name) < 2 ** 32 - 1;
}

/** Whether JSON writes the name as it is: [a-z0-9.-] only (DNS labels and more), nothing to escape. */
function isPlainName(name: string): boolean {
  if (name === '') return false;
  for (let i = 0; i < name.length; i += 1) {
    const code = name.charCodeAt(i);
    if (!(isLowerAlphanumeric(code) || code === 45 || code === 46)) return false;
  }
  return true;
}

/**
 * What JSON.stringify(Object.fromEntries(map)) writes with each set as its list
 * of ids, at a fraction of its cost. Names are user data: any that is not
 * plain is escaped by JSON.stringify, and a map with an array-index name takes
 * the object route, whose order lists those names first.
 */
export function mapJson(map: ReadonlyMap<string, ControlSet>): string {
  let json = '';
  for (const [name, set] of map) {
    if (isArrayIndex(name)) return JSON.stringify(Object.fromEntries(Array.from(map, ([key, value]) => [key, controlIds(value)])));
    json += `${json === '' ? '' : ','}${isPlainName(name) ? `"${name}"` : JSON.stringify(name)}:${controlSetJson(set)}`;
  }
  return `{${json}}`;
}
