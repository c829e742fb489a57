/**
 * The state one hardening pass works on. Controls read the request's pod (never
 * changed) and write only to the "view": a projection holding copies of the
 * security contexts, the volume mounts, the volume list and the annotations.
 * Diffing the view before and after gives the patch, and by construction the
 * patch can touch nothing else.
 */
import type { ControlId } from './control-ids.js';
import type { Exemptions } from './exemptions.js';
import type { Finding } from './findings.js';
import type { ImageLookup } from './image-facts.js';
import { EXEMPT, notApplicable, type Outcome } from './outcome.js';
import { setOwn } from './own.js';
import type { Container, ContainerKind, ContainerList, Pod, SecurityContext, Volume, VolumeMount } from './pod.js';

/** How explicit values are treated: replaced (enforce) or kept (fill). Audit runs as enforce and discards the patch. */
export type Strictness = 'enforce' | 'fill';

export interface ContainerView {
  securityContext?: SecurityContext | null;
  volumeMounts?: VolumeMount[] | null;
}

export interface PodView {
  spec: {
    securityContext?: SecurityContext | null;
    volumes?: Volume[] | null;
    initContainers?: ContainerView[] | null;
    containers?: ContainerView[] | null;
    ephemeralContainers?: ContainerView[] | null;
  };
}

/** One container the pass may change. */
export interface Target {
  readonly name: string;
  readonly kind: ContainerKind;
  readonly list: ContainerList;
  readonly index: number;
  /** As the request has it. */
  readonly original: Container;
  /**
   * The parts the controls may change. Copy on write: it holds the request's
   * own objects until a control writes, through the writable… accessors below,
   * which copy first — so untouched parts keep their identity, and the diff
   * skips them.
   */
  readonly view: ContainerView;
  readonly copied: { securityContext: boolean; volumeMounts: boolean };
  readonly outcomes: Map<ControlId, Outcome>;
}

export interface HardenSettings {
  strictness: Strictness;
  /** Capabilities that capabilities.add may keep in enforce mode. */
  allowedCapabilities: readonly string[];
  defaultRunAsUser: number | undefined;
  /**
   * What to do with a container whose image could not be read: harden as if
   * its user were non-root (it may then be refused by the kubelet), or leave
   * runAsNonRoot unset.
   */
  unreadableImages: 'harden' | 'skip';
}

export interface PassState {
  readonly pod: Pod;
  readonly view: PodView;
  readonly settings: HardenSettings;
  readonly exemptions: Exemptions;
  readonly windows: boolean;
  /**
   * False for the pods/ephemeralcontainers subresource: the API server keeps
   * only the ephemeral containers from that request, so pod-level fields and
   * volumes cannot change.
   */
  readonly podLevelMutable: boolean;
  /** The containers this pass may change (all of them on CREATE, only the new ephemeral ones otherwise). */
  readonly targets: readonly Target[];
  /** Every container of the pod, changed or not, for pod-wide decisions. */
  readonly allContainers: readonly Container[];
  /** What a person should hear about (see findings.ts). */
  readonly findings: Finding[];
  /**
   * What each control did at the pod level (spec.securityContext): every
   * pod-level change is attributed here, as container changes are to their
   * target's outcomes.
   */
  readonly podOutcomes: Map<ControlId, Outcome>;
  /** What each container's image says about itself; undefined when images are not resolved. */
  image(target: Target): ImageLookup | undefined;
  /** Which pod-level parts of the view are copies already (copy on write, as for targets). */
  readonly copied: { securityContext: boolean; volumes: boolean };
}

/** A deep copy of plain JSON data (objects, arrays, primitives). */
export function copyJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copyJson) as T;
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) setOwn(copy, key, copyJson((value as Record<string, unknown>)[key]));
  return copy as T;
}

export function podSecurityContext(state: PassState): SecurityContext {
  return state.view.spec.securityContext ?? {};
}

/** The current (possibly already changed) security context of a target; empty when it has none. */
export function securityContext(target: Target): SecurityContext {
  return target.view.securityContext ?? {};
}

/** The target's security context, copied (or created) on first write. */
export function writableSecurityContext(target: Target): SecurityContext {
  if (!target.copied.securityContext) {
    const current = target.view.securityContext;
    target.view.securityContext = current ? copyJson(current) : {};
    target.copied.securityContext = true;
  }
  return target.view.securityContext as SecurityContext;
}

/** The target's volume mounts, copied (or created) on first write. */
export function writableVolumeMounts(target: Target): VolumeMount[] {
  if (!target.copied.volumeMounts) {
    target.view.volumeMounts = [...(target.view.volumeMounts ?? [])];
    target.copied.volumeMounts = true;
  }
  return target.view.volumeMounts as VolumeMount[];
}

export function writablePodSecurityContext(state: PassState): SecurityContext {
  if (!state.copied.securityContext) {
    const current = state.view.spec.securityContext;
    state.view.spec.securityContext = current ? copyJson(current) : {};
    state.copied.securityContext = true;
  }
  return state.view.spec.securityContext as SecurityContext;
}

/** The pod's volumes, copied (or created) on first write; only ever appended to. */
export function writableVolumes(state: PassState): Volume[] {
  if (!state.copied.volumes) {
    state.view.spec.volumes = [...(state.view.spec.volumes ?? [])];
    state.copied.volumes = true;
  }
  return state.view.spec.volumes as Volume[];
}

const WINDOWS_REASON = 'Windows pod: the API server forbids Linux-only fields on it';

/**
 * Runs `decide` on each target the control may apply to, recording exemptions
 * and the Windows rule first, and the outcome `decide` returns.
 */
export function forEachTarget(state: PassState, control: ControlId, linuxOnly: boolean, decide: (target: Target) => Outcome): void {
  for (const target of state.targets) {
    target.outcomes.set(control, preliminaryOutcome(state, target, control, linuxOnly) ?? decide(target));
  }
}

/** The outcome a control has on a container before looking at its fields: exempt, or not applicable on Windows. */
export function preliminaryOutcome(state: PassState, target: { name: string }, control: ControlId, linuxOnly: boolean): Outcome | undefined {
  if (state.exemptions.isExempt(target.name, control)) return EXEMPT;
  if (linuxOnly && state.windows) return notApplicable(WINDOWS_REASON);
  return undefined;
}

/**
 * Whether a container that sets none of its own (`own` is null or undefined)
 * inherits this control's pod-level field and is exempt from the control:
 * then the pod-level value is the exemption's, and stays as it is.
 */
export function exemptContainerInherits(state: PassState, control: ControlId, own: (sc: SecurityContext) => unknown): boolean {
  return state.allContainers.some((c) => own(c.securityContext ?? {}) == null && state.exemptions.isExempt(c.name, control));
}
