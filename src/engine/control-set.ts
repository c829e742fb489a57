/**
 * Sets of controls as bits, bit i for CONTROL_IDS[i]: a list written from a
 * set comes out in control order and without repeats, merging two is an "or",
 * and each of the 64 lists has its JSON made once.
 *
 * A review classifies each container's outcomes into such sets once
 * (outcomeSets); the hardened annotation, the decision record, its log line
 * and the metrics all read them instead of walking the outcomes again.
 */
import { CONTROL_IDS, type ControlId } from './control-ids.js';
import { keptPart, type Outcome } from './outcome.js';

export type ControlSet = number;

export function controlIds(set: ControlSet): ControlId[] {
  return CONTROL_IDS.filter((_, bit) => (set & (1 << bit)) !== 0);
}

export function controlSet(ids: Iterable<ControlId>): ControlSet {
  let set = 0;
  for (const id of ids) set |= 1 << CONTROL_IDS.indexOf(id);
  return set;
}

/** The JSON of every control list, by set: ids need no escaping. */
const LIST_JSON: readonly string[] = Array.from({ length: 1 << CONTROL_IDS.length }, (_, set) => JSON.stringify(controlIds(set)));

/** JSON.stringify(controlIds(set)), from the table. */
export function controlSetJson(set: ControlSet): string {
  return LIST_JSON[set] as string;
}

/** What the controls did to one container (or the pod), by kind of outcome. */
export interface OutcomeSets {
  /** Changed (in audit mode: would have changed). */
  readonly applied: ControlSet;
  /** Covered by an honoured exemption. */
  readonly exempt: ControlSet;
  /** Left out: applying them would break the pod. */
  readonly notApplicable: ControlSet;
  /** Fill mode kept an explicit value, instead of a change or beside one (see keptPart). */
  readonly kept: ControlSet;
}

/** No control did anything: a review that skipped the pod, or failed. */
export const NO_OUTCOMES: OutcomeSets = Object.freeze({ applied: 0, exempt: 0, notApplicable: 0, kept: 0 });

export function outcomeSets(outcomes: ReadonlyMap<ControlId, Outcome>): OutcomeSets {
  if (outcomes.size === 0) return NO_OUTCOMES;
  let applied = 0;
  let exempt = 0;
  let notApplicable = 0;
  let kept = 0;
  for (let bit = 0; bit < CONTROL_IDS.length; bit += 1) {
    const outcome = outcomes.get(CONTROL_IDS[bit] as ControlId);
    if (outcome === undefined) continue;
    const kind = outcome.kind;
    if (kind === 'applied') applied |= 1 << bit;
    else if (kind === 'exempt') exempt |= 1 << bit;
    else if (kind === 'notApplicable') notApplicable |= 1 << bit;
    if (keptPart(outcome) !== undefined) kept |= 1 << bit;
  }
  return { applied, exempt, notApplicable, kept };
}
