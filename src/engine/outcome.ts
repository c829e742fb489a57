/** What happened to one control on one container (or at the pod level). */
export type Outcome =
  /**
   * This pass changed the container (or the pod on its behalf). `kept` says
   * what fill mode left as it was beside the change (e.g. ALL added to drop
   * while an explicit disallowed add stays).
   */
  | { kind: 'applied'; kept?: string }
  /** The container already met the control; nothing to change. */
  | { kind: 'satisfied' }
  /** Fill mode: an explicit value was kept although it does not meet the control. */
  | { kind: 'kept'; why: string }
  /** An honoured exemption annotation covers it. */
  | { kind: 'exempt' }
  /** Applying it would break the API server's validation or the kubelet's start checks. */
  | { kind: 'notApplicable'; why: string };

export const APPLIED: Outcome = { kind: 'applied' };
export const SATISFIED: Outcome = { kind: 'satisfied' };
export const EXEMPT: Outcome = { kind: 'exempt' };

export function appliedKeeping(why: string): Outcome {
  return { kind: 'applied', kept: why };
}

export function kept(why: string): Outcome {
  return { kind: 'kept', why };
}

export function notApplicable(why: string): Outcome {
  return { kind: 'notApplicable', why };
}

/** What fill mode kept of an outcome, if anything: the whole control (kept) or part of it (applied with kept). */
export function keptPart(outcome: Outcome | undefined): string | undefined {
  if (outcome?.kind === 'kept') return outcome.why;
  if (outcome?.kind === 'applied') return outcome.kept;
  return undefined;
}
