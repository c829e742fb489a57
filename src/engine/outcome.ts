/** What happened to one control on one container. */
export type Outcome =
  /** This pass changed the container (or the pod on its behalf). */
  | { kind: 'applied' }
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

export function kept(why: string): Outcome {
  return { kind: 'kept', why };
}

export function notApplicable(why: string): Outcome {
  return { kind: 'notApplicable', why };
}
