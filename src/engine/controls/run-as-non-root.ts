/**
 * Control `runAsNonRoot`: each container says runAsNonRoot: true itself.
 *
 * Per container, never at the pod level: a container added later (a sidecar
 * injected on reinvocation, a `kubectl debug` container) would inherit a
 * pod-level value and be refused by the kubelet if it runs as root. The
 * restricted Pod Security Standard accepts the field on every container
 * (pod-security-admission policy check_runAsNonRoot). Pod-level values the
 * user set are kept, except what the restricted standard rejects in enforce
 * mode: runAsNonRoot: false, and a runAsUser: 0 that every container overrides.
 *
 * The kubelet refuses to start a container with runAsNonRoot: true whose user
 * is root or cannot be verified (kuberuntime verifyRunAsNonRoot): runAsUser 0,
 * ContainerAdministrator on Windows, or — without runAsUser — an image whose
 * USER is unset, root, 0 or a name. So the decision reads what the image says
 * about itself (image-decision.ts) when a resolver has looked it up.
 */
import {
  exemptContainerInherits,
  podSecurityContext,
  preliminaryOutcome,
  securityContext,
  writablePodSecurityContext,
  writableSecurityContext,
  type PassState,
  type Target,
} from '../context.js';
import { imageVerdict } from '../image-decision.js';
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

/** Why the kubelet would refuse this container under runAsNonRoot: true whatever its image, if it would. */
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
  for (const target of state.targets) {
    const outcome = preliminaryOutcome(state, target, CONTROL, false) ?? decide(state, target, fill);
    target.outcomes.set(CONTROL, outcome);
  }
  if (state.podLevelMutable && !fill) cleanPodLevel(state);
}

function decide(state: PassState, target: Target, fill: boolean): Outcome {
  const refusal = rootByDesign(state, target);
  if (refusal) return notApplicable(refusal);
  const own = securityContext(target).runAsNonRoot;
  const inherited = podSecurityContext(state).runAsNonRoot;
  if (own === false && fill) return kept('fill mode keeps the explicit runAsNonRoot: false');
  if (own == null && inherited === false && fill) return kept("fill mode keeps the pod's explicit runAsNonRoot: false");
  const alreadyTrue = own === true || (own == null && inherited === true);

  // With a uid from any level, the kubelet checks that uid, not the image.
  if (effectiveUid(state, target) !== undefined || state.windows) {
    return alreadyTrue ? SATISFIED : setTrue(target);
  }
  const verdict = imageVerdict(state, target);
  if (verdict.kind === 'nonRoot') return alreadyTrue ? SATISFIED : setTrue(target);
  if (verdict.kind === 'unknown' && verdict.finding) state.findings.push(verdict.finding);
  const uid = state.settings.defaultRunAsUser;
  if (uid !== undefined) {
    // The image may run as root, or as a name the kubelet cannot verify: a
    // numeric non-root uid makes the container both startable and non-root.
    writableSecurityContext(target).runAsUser = uid;
    if (!alreadyTrue) writableSecurityContext(target).runAsNonRoot = true;
    return APPLIED;
  }
  if (verdict.kind === 'unknown') return alreadyTrue ? SATISFIED : setTrue(target);
  if (alreadyTrue) {
    // The user asked for it; tell them the kubelet will refuse it.
    state.findings.push({ kind: 'image', container: target.name, controls: [CONTROL], image: String(target.original.image), detail: `${verdict.why}; the container already says runAsNonRoot: true, so it will not start` });
    return SATISFIED;
  }
  return notApplicable(verdict.why);
}

function setTrue(target: Target): Outcome {
  writableSecurityContext(target).runAsNonRoot = true;
  return APPLIED;
}

/**
 * Enforce mode: the restricted standard rejects a pod-level runAsNonRoot:
 * false, and a pod-level runAsUser: 0 even when every container overrides it
 * (so it runs nothing as root). Both are removed once the control is in force
 * on some container; neither changes what any container runs as.
 */
function cleanPodLevel(state: PassState): void {
  if (!state.targets.some((target) => target.outcomes.get(CONTROL)?.kind === 'applied' || target.outcomes.get(CONTROL)?.kind === 'satisfied')) return;
  const pod = podSecurityContext(state);
  let changed = false;
  // An exempt container that inherits the pod's false keeps it: exemptions hold.
  if (pod.runAsNonRoot === false && !exemptContainerInherits(state, CONTROL, (sc) => sc.runAsNonRoot)) {
    delete writablePodSecurityContext(state).runAsNonRoot;
    changed = true;
  }
  const everyContainerHasItsOwnUid = state.allContainers.every((container) => container.securityContext?.runAsUser != null);
  if (pod.runAsUser === 0 && everyContainerHasItsOwnUid && !state.windows) {
    delete writablePodSecurityContext(state).runAsUser;
    changed = true;
  }
  if (changed) state.podOutcomes.set(CONTROL, APPLIED);
}
