/**
 * Control `seccompProfile`: every container's effective seccomp profile (its
 * own field, else the pod's) is RuntimeDefault, or a Localhost profile, which
 * is kept.
 *
 * Legacy annotations (seccomp.security.alpha.kubernetes.io/pod and
 * container.seccomp.security.alpha.kubernetes.io/<name>) have no effect at run
 * time any more (the kubelet reads only the fields: kuberuntime
 * getSeccompProfile), but they still bind: on create the API server rejects a
 * field that does not match the annotation at the same level
 * (validateSeccompAnnotationsAndFields). So a field is only written where no
 * such annotation asks for another profile, and fill mode treats such an
 * annotation as an explicit choice.
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

const CONTROL = 'seccompProfile';
export const LEGACY_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
export const LEGACY_CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

/** True when a legacy annotation asks for something other than the runtime default (k8s.io/api core/v1 annotation_key_constants). */
function asksForAnotherProfile(value: string | undefined): boolean {
  return value !== undefined && value !== 'runtime/default' && value !== 'docker/default';
}

function secure(type: string | undefined): boolean {
  return type === 'RuntimeDefault' || type === 'Localhost';
}

const BLOCKED = 'a legacy seccomp annotation for this container asks for another profile, and the API server requires the field to match it';

export function applySeccompProfile(state: PassState): void {
  const enforce = state.settings.strictness === 'enforce';
  const annotations = state.pod.metadata?.annotations ?? {};
  const podBlocked = asksForAnotherProfile(annotations[LEGACY_POD_ANNOTATION]);
  const containerBlocked = (target: Target): boolean => asksForAnotherProfile(annotations[LEGACY_CONTAINER_ANNOTATION_PREFIX + target.name]);

  // Containers with a profile of their own are decided alone; the others
  // inherit the pod's and are decided together below.
  const inheriting: Target[] = [];
  let decidedAlone = 0;
  for (const target of state.targets) {
    const early = preliminaryOutcome(state, target, CONTROL, true);
    if (early) {
      target.outcomes.set(CONTROL, early);
      continue;
    }
    const own = securityContext(target).seccompProfile?.type;
    if (own === undefined) {
      inheriting.push(target);
      continue;
    }
    decidedAlone += 1;
    target.outcomes.set(CONTROL, decideOwn(target, own, containerBlocked(target), enforce));
  }

  // The pod-level field is written only when it speaks for every container
  // (an exempt one must not inherit it) and no legacy annotation forbids it.
  const podField = podSecurityContext(state).seccompProfile?.type;
  const everyContainer = inheriting.length + decidedAlone === state.allContainers.length;
  const podWritable = state.podLevelMutable && everyContainer && !podBlocked;
  let podChanged = false;
  if (podWritable && !secure(podField) && (enforce || podField === undefined)) {
    writablePodSecurityContext(state).seccompProfile = { type: 'RuntimeDefault' };
    podChanged = true;
  } else if (enforce && podField !== undefined && !secure(podField) && podBlocked && state.podLevelMutable) {
    state.podNotes.push(
      `the pod's seccompProfile stays ${podField}: the legacy annotation ${LEGACY_POD_ANNOTATION} asks for it and the API server requires the field to match; containers got their own profile`,
    );
  }

  for (const target of inheriting) {
    target.outcomes.set(CONTROL, decideInherited(target, podField, podChanged, containerBlocked(target), podBlocked, enforce));
  }
}

function decideOwn(target: Target, own: string, blocked: boolean, enforce: boolean): Outcome {
  if (secure(own)) return SATISFIED;
  if (!enforce) return kept(`fill mode keeps the explicit seccomp profile ${own}`);
  if (blocked) return notApplicable(BLOCKED);
  writableSecurityContext(target).seccompProfile = { type: 'RuntimeDefault' };
  return APPLIED;
}

function decideInherited(target: Target, podField: string | undefined, podChanged: boolean, blocked: boolean, podBlocked: boolean, enforce: boolean): Outcome {
  if (podChanged) return APPLIED;
  if (secure(podField)) return SATISFIED;
  if (!enforce && podField !== undefined) return kept(`fill mode keeps the pod's explicit seccomp profile ${podField}`);
  if (!enforce && (blocked || podBlocked)) return kept('fill mode keeps the profile a legacy seccomp annotation asks for');
  if (blocked) return notApplicable(BLOCKED);
  writableSecurityContext(target).seccompProfile = { type: 'RuntimeDefault' };
  return APPLIED;
}
