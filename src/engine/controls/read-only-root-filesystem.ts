/**
 * Control `readOnlyRootFilesystem`: a read-only root, with a writable emptyDir
 * at /tmp (and at each <prefix>/writable-paths entry) in every container that
 * does not already mount that path.
 *
 * Each container gets volumes of its own: before hardening, each container had
 * its own writable /tmp, and sharing one would let containers step on each
 * other's files. API rules kept: volume names are unique DNS labels, a
 * container never gets two mounts at one path nor a mount at one of its
 * volumeDevices paths, and ephemeral containers get no new volumes (the
 * ephemeralcontainers subresource cannot add them).
 */
import { forEachTarget, securityContext, writableSecurityContext, writableVolumeMounts, writableVolumes, type PassState, type Target } from '../context.js';
import { APPLIED, kept, notApplicable, SATISFIED, type Outcome } from '../outcome.js';
import { NONE, type VolumeMount } from '../pod.js';
import { normalizeMountPath, writableVolumeName } from '../volumes.js';
import { checkWritablePath, DEFAULT_TERMINATION_MESSAGE_PATH, forbiddenWritablePath } from '../writable-paths.js';

export function applyReadOnlyRootFilesystem(state: PassState): void {
  const taken = new Set((state.view.spec.volumes ?? []).map((volume) => volume.name));

  forEachTarget(state, 'readOnlyRootFilesystem', true, (target): Outcome => {
    const current = securityContext(target).readOnlyRootFilesystem;
    if (current === false && state.settings.strictness === 'fill') {
      return kept('fill mode keeps the explicit readOnlyRootFilesystem: false');
    }
    const missing = unmounted(requiredPaths(state, target), target.view.volumeMounts ?? NONE);
    const obstacle = missing.length > 0 ? whyNoNewMounts(state, target, missing) : undefined;
    if (obstacle) return current === true ? SATISFIED : notApplicable(obstacle);

    for (const path of missing) addWritableMount(state, target, path, taken);
    if (current !== true) writableSecurityContext(target).readOnlyRootFilesystem = true;
    return missing.length > 0 || current !== true ? APPLIED : SATISFIED;
  });
}

/**
 * The paths that must stay writable in this container: /tmp, the pod's
 * writable-paths (but never the container's own termination message file),
 * and, for a container that will not run as root, the VOLUMEs its image
 * declares: containerd makes those a read-write directory owned by root even
 * under a read-only root, so a non-root user could not write there; an
 * emptyDir (mode 0777) can be written by any user. It starts empty, so it
 * hides whatever the image ships at that path; runtimes copy that content
 * into their own volume, an emptyDir does not (docs/images.md).
 */
function requiredPaths(state: PassState, target: Target): readonly string[] {
  const lookup = state.image(target);
  // Nearly every container: /tmp alone.
  if (state.exemptions.writablePaths.length === 0 && lookup?.status !== 'found') return TMP_ONLY;
  const paths = ['/tmp'];
  const terminationPath = state.exemptions.writablePaths.length > 0 ? terminationMessagePath(target) : undefined;
  for (const path of state.exemptions.writablePaths) {
    if (path !== terminationPath) paths.push(path);
    else state.findings.push({ kind: 'writablePathRefused', container: target.name, controls: ['readOnlyRootFilesystem'], detail: `writable path ${path} is the container's terminationMessagePath, a file the kubelet manages; not mounted` });
  }
  if (lookup?.status !== 'found') return paths;
  const runsAsNonRoot = target.outcomes.get('runAsNonRoot')?.kind;
  if (runsAsNonRoot !== 'applied' && runsAsNonRoot !== 'satisfied') return paths;
  for (const volume of lookup.facts.volumes) {
    // The image's config is data from a registry: held to the annotation's rules.
    const path = normalizeMountPath(volume);
    if (paths.includes(path)) continue;
    const forbidden = checkWritablePath(path) ?? forbiddenWritablePath(path);
    state.findings.push({
      kind: 'imageVolume',
      container: target.name,
      controls: ['readOnlyRootFilesystem'],
      image: String(target.original.image),
      detail: forbidden ? `VOLUME ${path} of the image: no emptyDir, ${forbidden}` : `VOLUME ${path} of the image: a writable emptyDir is mounted there for the non-root user (it hides what the image ships at that path)`,
    });
    if (!forbidden) paths.push(path);
  }
  return paths;
}

function isMounted(path: string, mounts: readonly VolumeMount[]): boolean {
  for (const mount of mounts) if (normalizeMountPath(mount.mountPath) === path) return true;
  return false;
}

const TMP_ONLY: readonly string[] = Object.freeze(['/tmp']);

/** The paths no mount of the container is at. */
function unmounted(paths: readonly string[], mounts: readonly VolumeMount[]): readonly string[] {
  let missing: string[] | undefined;
  for (const path of paths) {
    if (isMounted(path, mounts)) continue;
    if (paths.length === 1) return paths;
    (missing ??= []).push(path);
  }
  return missing ?? NONE;
}

function terminationMessagePath(target: Target): string {
  const path = target.original.terminationMessagePath;
  return typeof path === 'string' ? normalizeMountPath(path) : DEFAULT_TERMINATION_MESSAGE_PATH;
}

function whyNoNewMounts(state: PassState, target: Target, missing: readonly string[]): string | undefined {
  if (!state.podLevelMutable) {
    return `an ephemeral container cannot get new volumes, so ${missing.join(', ')} would not be writable`;
  }
  const volumeDevices = target.original.volumeDevices ?? [];
  if (volumeDevices.length === 0) return undefined;
  const devices = new Set(volumeDevices.flatMap((device) => (typeof device.devicePath === 'string' ? [normalizeMountPath(device.devicePath)] : [])));
  const blocked = missing.filter((path) => devices.has(path));
  if (blocked.length > 0) {
    return `${blocked.join(', ')} is a volumeDevices path of the container, so no writable volume can be mounted there`;
  }
  return undefined;
}

function addWritableMount(state: PassState, target: Target, path: string, taken: Set<string>): void {
  const name = writableVolumeName(target.name, path, taken);
  writableVolumes(state).push({ name, emptyDir: {} });
  writableVolumeMounts(target).push({ name, mountPath: path });
}
