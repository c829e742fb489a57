/**
 * Control `seccompProfile`: every container's effective seccomp profile (its
 * own field, else the pod's) is RuntimeDefault, or a Localhost profile, which
 * is kept.
 *
 * Written per container, never added at the pod level: a container that
 * arrives later is judged on its own (the restricted standard accepts the field
 * on each container: pod-security-admission check_seccompProfile_restricted).
 * A pod-level value the user set is kept when it is secure; in enforce mode an
 * insecure one (Unconfined) is replaced by RuntimeDefault, since the
 * restricted standard rejects it at the pod level whatever the containers say.
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
  exemptContainerInherits,
  podSecurityContext,
  preliminaryOutcome,
  securityContext,
  writablePodSecurityContext,
  writableSecurityContext,
  type PassState,
  type Target,
} from '../context.js';
import { APPLIED, kept, notApplicable, SATISFIED, type Outcome } from '../outcome.js';
import { own } from '../own.js';

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
  const annotations = state.pod.metadata?.annotations;
  const podBlocked = asksForAnotherProfile(own(annotations, LEGACY_POD_ANNOTATION));
  const legacy = legacyContainerProfiles(annotations);
  const containerBlocked = (target: Target): boolean => legacy !== undefined && asksForAnotherProfile(legacy.get(target.name));

  // The pod-level field is replaced only when no exempt container inherits it.
  const podField = podSecurityContext(state).seccompProfile?.type;
  const exemptHeir = exemptContainerInherits(state, CONTROL, (sc) => sc.seccompProfile?.type);
  if (enforce && podField !== undefined && !secure(podField) && state.podLevelMutable && !state.windows && !exemptHeir) {
    if (podBlocked) {
      state.findings.push({
        kind: 'podLevel',
        controls: [CONTROL],
        detail: `the pod's seccompProfile stays ${podField}: the legacy annotation ${LEGACY_POD_ANNOTATION} asks for it and the API server requires the field to match; containers got their own profile`,
      });
    } else {
      writablePodSecurityContext(state).seccompProfile = { type: 'RuntimeDefault' };
      state.podOutcomes.set(CONTROL, APPLIED);
    }
  }
  const inherited = podSecurityContext(state).seccompProfile?.type;

  for (const target of state.targets) {
    const early = preliminaryOutcome(state, target, CONTROL, true);
    target.outcomes.set(CONTROL, early ?? decide(target, inherited, containerBlocked(target), podBlocked, enforce));
  }
}

/** The legacy per-container annotations by container name; undefined when there are none (nearly every pod). */
function legacyContainerProfiles(annotations: Readonly<Record<string, string>> | null | undefined): Map<string, string> | undefined {
  let profiles: Map<string, string> | undefined;
  for (const key in annotations) {
    if (!key.startsWith(LEGACY_CONTAINER_ANNOTATION_PREFIX) || !Object.hasOwn(annotations, key)) continue;
    profiles ??= new Map();
    profiles.set(key.slice(LEGACY_CONTAINER_ANNOTATION_PREFIX.length), annotations[key] as string);
  }
  return profiles;
}

function decide(target: Target, inherited: string | undefined, blocked: boolean, podBlocked: boolean, enforce: boolean): Outcome {
  const ownType = securityContext(target).seccompProfile?.type;
  if (ownType !== undefined) {
    if (secure(ownType)) return SATISFIED;
    if (!enforce) return kept(`fill mode keeps the explicit seccomp profile ${ownType}`);
  } else {
    if (secure(inherited)) return SATISFIED;
    if (!enforce && inherited !== undefined) return kept(`fill mode keeps the pod's explicit seccomp profile ${inherited}`);
    if (!enforce && (blocked || podBlocked)) return kept('fill mode keeps the profile a legacy seccomp annotation asks for');
  }
  if (blocked) return notApplicable(BLOCKED);
  writableSecurityContext(target).seccompProfile = { type: 'RuntimeDefault' };
  return APPLIED;
}
