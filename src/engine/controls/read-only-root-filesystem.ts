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
import { normalizeMountPath, writableVolumeName } from '../volumes.js';

export function applyReadOnlyRootFilesystem(state: PassState): void {
  const required = ['/tmp', ...state.exemptions.writablePaths];
  const taken = new Set((state.view.spec.volumes ?? []).map((volume) => volume.name));

  forEachTarget(state, 'readOnlyRootFilesystem', true, (target): Outcome => {
    const current = securityContext(target).readOnlyRootFilesystem;
    if (current === false && state.settings.strictness === 'fill') {
      return kept('fill mode keeps the explicit readOnlyRootFilesystem: false');
    }
    const mounted = new Set((target.view.volumeMounts ?? []).map((mount) => normalizeMountPath(mount.mountPath)));
    const missing = required.filter((path) => !mounted.has(path));
    const obstacle = missing.length > 0 ? whyNoNewMounts(state, target, missing) : undefined;
    if (obstacle) return current === true ? SATISFIED : notApplicable(obstacle);

    for (const path of missing) addWritableMount(state, target, path, taken);
    if (current !== true) writableSecurityContext(target).readOnlyRootFilesystem = true;
    return missing.length > 0 || current !== true ? APPLIED : SATISFIED;
  });
}

function whyNoNewMounts(state: PassState, target: Target, missing: readonly string[]): string | undefined {
  if (!state.podLevelMutable) {
    return `an ephemeral container cannot get new volumes, so ${missing.join(', ')} would not be writable`;
  }
  const devices = new Set(
    (target.original.volumeDevices ?? []).flatMap((device) => (typeof device.devicePath === 'string' ? [normalizeMountPath(device.devicePath)] : [])),
  );
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
