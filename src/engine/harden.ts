/**
 * One hardening pass over a pod: runs the six controls on a projection of the
 * pod and returns the JSON Patch between the projection before and after,
 * plus what happened to each container. Pure: no I/O, the input is not changed.
 */
import type { Operation } from 'fast-json-patch';
import type { ControlId } from './control-ids.js';
import { outcomeSets, type OutcomeSets } from './control-set.js';
import type { HardenSettings, PassState, PodView, Target } from './context.js';
import type { Exemptions } from './exemptions.js';
import type { Finding } from './findings.js';
import { hardenedAnnotationValue } from './hardened-annotation.js';
import type { ImageLookups } from './image-facts.js';
import type { Outcome } from './outcome.js';
import { own } from './own.js';
import { escapePathComponent } from './projection-diff.js';
import { diffView, project } from './projection.js';
import { allContainers, CONTAINER_LISTS, containerKind, isWindowsPod, type ContainerKind, type ContainerList, type Pod } from './pod.js';
import { applyAllowPrivilegeEscalation } from './controls/allow-privilege-escalation.js';
import { applyCapabilities } from './controls/capabilities.js';
import { applyPrivileged } from './controls/privileged.js';
import { applyReadOnlyRootFilesystem } from './controls/read-only-root-filesystem.js';
import { applyRunAsNonRoot } from './controls/run-as-non-root.js';
import { applySeccompProfile } from './controls/seccomp-profile.js';

/**
 * The controls in the order they run. Order matters once: allowPrivilegeEscalation
 * looks at what privileged and capabilities left behind.
 */
const CONTROLS: ReadonlyArray<(state: PassState) => void> = [
  applyPrivileged,
  applyCapabilities,
  applyAllowPrivilegeEscalation,
  applyRunAsNonRoot,
  applyReadOnlyRootFilesystem,
  applySeccompProfile,
];

export interface HardenInput {
  pod: Pod;
  settings: HardenSettings;
  exemptions: Exemptions;
  /**
   * Absent: every container may change (pod CREATE). Present: only these
   * ephemeral containers may, and nothing at pod level (the
   * pods/ephemeralcontainers subresource).
   */
  onlyEphemeral?: ReadonlySet<string>;
  /** Where to record what changed (`<prefix>/hardened`); absent: no annotation. */
  hardenedAnnotationKey?: string;
  /** What each image says about itself, by the container's image string; absent: images are not resolved. */
  images?: ImageLookups;
}

export interface ContainerReport {
  name: string;
  kind: ContainerKind;
  outcomes: ReadonlyMap<ControlId, Outcome>;
  /** The outcomes by kind, classified once for every reader (annotation, record, log, metrics). */
  sets: OutcomeSets;
  /** The image the decisions read, when it was looked up: its reference and the digest of what was read. */
  image?: { reference: string; digest: string | null; unreadable?: string };
}

export interface HardenResult {
  patch: Operation[];
  containers: ContainerReport[];
  /** What each control did at the pod level (spec.securityContext); only controls that looked at it. */
  pod: ReadonlyMap<ControlId, Outcome>;
  /** The pod level's outcomes by kind, classified once for every reader, as each container's are. */
  podSets: OutcomeSets;
  findings: Finding[];
}

function targetsOf(pod: Pod, view: PodView, onlyEphemeral: ReadonlySet<string> | undefined): Target[] {
  const targets: Target[] = [];
  for (const list of CONTAINER_LISTS) {
    const containers = pod.spec[list] ?? [];
    const views = view.spec[list] ?? [];
    containers.forEach((original, index) => {
      if (onlyEphemeral && !(list === 'ephemeralContainers' && onlyEphemeral.has(original.name))) return;
      const view = views[index];
      if (!view) return;
      targets.push({
        name: original.name,
        kind: containerKind(list as ContainerList, original),
        list,
        index,
        original,
        view,
        copied: { securityContext: false, volumeMounts: false },
        outcomes: new Map(),
      });
    });
  }
  return targets;
}

export function hardenPod(input: HardenInput): HardenResult {
  const { pod } = input;
  const after = project(pod);
  const targets = targetsOf(pod, after, input.onlyEphemeral);
  const state: PassState = {
    pod,
    view: after,
    settings: input.settings,
    exemptions: input.exemptions,
    windows: isWindowsPod(pod),
    podLevelMutable: input.onlyEphemeral === undefined,
    targets,
    allContainers: allContainers(pod),
    findings: [],
    podOutcomes: new Map(),
    image: (target) => {
      const image = target.original.image;
      return input.images && typeof image === 'string' ? input.images.get(image) : undefined;
    },
    copied: { securityContext: false, volumes: false },
  };
  for (const control of CONTROLS) control(state);

  const containers = targets.map((target): ContainerReport => {
    const report: ContainerReport = { name: target.name, kind: target.kind, outcomes: target.outcomes, sets: outcomeSets(target.outcomes) };
    const lookup = state.image(target);
    if (lookup) {
      const reference = String(target.original.image);
      report.image = lookup.status === 'found' ? { reference, digest: lookup.facts.digest } : { reference, digest: null, unreadable: lookup.reason };
    }
    return report;
  });
  const patch = diffView(pod, after);
  const podSets = outcomeSets(state.podOutcomes);
  if (input.hardenedAnnotationKey && state.podLevelMutable) {
    const key = input.hardenedAnnotationKey;
    const previous = own(pod.metadata?.annotations, key);
    const value = hardenedAnnotationValue(previous, containers, podSets.applied);
    if (value !== undefined && value !== previous) addAnnotation(patch, pod, key, value);
  }
  return { patch, containers, pod: state.podOutcomes, podSets, findings: state.findings };
}

/**
 * Writes our annotation into the patch, as the diff would with metadata in the
 * projection — the same operation at the same place (first, as the diff walks
 * metadata before spec; last where the pod has no metadata, as a new field) —
 * without copying and walking the pod's other annotations.
 */
function addAnnotation(patch: Operation[], pod: Pod, key: string, value: string): void {
  const metadata = pod.metadata;
  if (metadata === undefined || metadata === null) {
    patch.push({ op: metadata === null ? 'replace' : 'add', path: '/metadata', value: { annotations: { [key]: value } } });
    return;
  }
  const annotations = metadata.annotations;
  if (annotations === undefined || annotations === null) {
    patch.unshift({ op: annotations === null ? 'replace' : 'add', path: '/metadata/annotations', value: { [key]: value } });
  } else {
    patch.unshift({ op: Object.hasOwn(annotations, key) ? 'replace' : 'add', path: annotationPointer(key), value });
  }
}

/** The last key's pointer: the key is the policy's, the same review after review. */
let pointer = { key: '', path: '' };

function annotationPointer(key: string): string {
  if (pointer.key !== key) pointer = { key, path: `/metadata/annotations/${escapePathComponent(key)}` };
  return pointer.path;
}
