/**
 * Control `runAsNonRoot`: the pod (or, where some container is exempt, each
 * hardened container) says runAsNonRoot: true, and no container says false.
 *
 * The kubelet refuses to start a container with runAsNonRoot: true whose user
 * is explicitly root (runAsUser: 0, or ContainerAdministrator on Windows), so
 * such containers are left alone. With the policy's defaultRunAsUser, a
 * container that gets no runAsUser from any level gets that uid, so images
 * whose USER is root still start.
 */
import {
  podSecurityContext,
  preliminaryOutcome,
  securityContext,
  writablePodSecurityContext,
  writableSecurityContext,
  type PassState,
  type Target,
} from '../context.js';
import { APPLIED, kept, notApplicable, SATISFIED, type Outcome } from '../outcome.js';
import type { SecurityContext } from '../pod.js';

const CONTROL = 'runAsNonRoot';

function windowsUserName(sc: SecurityContext): string | undefined {
  const name = sc.windowsOptions?.runAsUserName;
  return typeof name === 'string' ? name : undefined;
}

function effectiveUid(state: PassState, target: Target): number | undefined {
  return securityContext(target).runAsUser ?? podSecurityContext(state).runAsUser ?? undefined;
}

/** Why the kubelet would refuse this container under runAsNonRoot: true, if it would. */
function rootByDesign(state: PassState, target: Target): string | undefined {
  if (effectiveUid(state, target) === 0) {
    return 'the container runs as uid 0 (runAsUser: 0), and the kubelet refuses to start it with runAsNonRoot: true';
  }
  const user = windowsUserName(securityContext(target)) ?? windowsUserName(podSecurityContext(state));
  if (user !== undefined && user.toLowerCase() === 'containeradministrator') {
    return 'the container runs as ContainerAdministrator, and the kubelet refuses to start it with runAsNonRoot: true';
  }
  return undefined;
}

export function applyRunAsNonRoot(state: PassState): void {
  const fill = state.settings.strictness === 'fill';
  const candidates: Target[] = [];
  for (const target of state.targets) {
    const early = preliminaryOutcome(state, target, CONTROL, false);
    const refusal = early ? undefined : rootByDesign(state, target);
    if (early) target.outcomes.set(CONTROL, early);
    else if (refusal) target.outcomes.set(CONTROL, notApplicable(refusal));
    else candidates.push(target);
  }

  // The pod-level field is set only when it speaks for every container; an
  // exempt container must not inherit it.
  let podChanged = false;
  const podLevel = state.podLevelMutable && candidates.length > 0 && candidates.length === state.allContainers.length;
  const podValue = podSecurityContext(state).runAsNonRoot;
  if (podLevel && podValue !== true && !(fill && podValue === false)) {
    writablePodSecurityContext(state).runAsNonRoot = true;
    podChanged = true;
  }
  // A pod-level runAsUser: 0 that every container overrides runs nothing as
  // root, yet the restricted standard rejects it: enforce mode drops it. (When
  // a container inherits it, that container is not applicable above and
  // podLevel is false.)
  if (podLevel && !fill && podSecurityContext(state).runAsUser === 0) {
    delete writablePodSecurityContext(state).runAsUser;
  }

  for (const target of candidates) {
    const outcome = decide(state, target, fill, podChanged);
    target.outcomes.set(CONTROL, outcome);
    if (outcome.kind !== 'kept') applyDefaultRunAsUser(state, target);
  }
}

function decide(state: PassState, target: Target, fill: boolean, podChanged: boolean): Outcome {
  const own = securityContext(target).runAsNonRoot;
  const inherited = podSecurityContext(state).runAsNonRoot;
  if (own === true) return SATISFIED;
  if (own === false && fill) return kept('fill mode keeps the explicit runAsNonRoot: false');
  if (own == null && inherited === true) return podChanged ? APPLIED : SATISFIED;
  if (own == null && inherited === false && fill) return kept("fill mode keeps the pod's explicit runAsNonRoot: false");
  writableSecurityContext(target).runAsNonRoot = true;
  return APPLIED;
}

function applyDefaultRunAsUser(state: PassState, target: Target): void {
  const uid = state.settings.defaultRunAsUser;
  // runAsUser is forbidden on Windows pods (validateWindows).
  if (uid === undefined || state.windows || effectiveUid(state, target) !== undefined) return;
  writableSecurityContext(target).runAsUser = uid;
  target.outcomes.set(CONTROL, APPLIED);
}
