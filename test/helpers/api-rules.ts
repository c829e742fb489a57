/**
 * The Kubernetes rules a hardened pod must keep, written from the upstream
 * sources (k8s.io/kubernetes pkg/apis/core/validation, the kubelet's
 * runAsNonRoot check, k8s.io/pod-security-admission policy). Used by the unit
 * and property tests; the end-to-end tests ask a real API server instead.
 */
import type { ImageLookups } from '../../src/engine/image-facts.js';
import type { Container, Pod, SecurityContext } from '../../src/engine/pod.js';
import { allContainers } from './pods.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LEGACY_POD = 'seccomp.security.alpha.kubernetes.io/pod';
const LEGACY_CONTAINER = 'container.seccomp.security.alpha.kubernetes.io/';

function legacyMatches(annotation: string, type: string | undefined, localhostProfile: unknown): boolean {
  switch (type) {
    case 'Unconfined':
      return annotation === 'unconfined';
    case 'RuntimeDefault':
      return annotation === 'runtime/default' || annotation === 'docker/default';
    case 'Localhost':
      return annotation.startsWith('localhost/') && annotation.slice('localhost/'.length) === localhostProfile;
    default:
      return true;
  }
}

function securityContextErrors(sc: SecurityContext | null | undefined, where: string): string[] {
  if (!sc) return [];
  const errors: string[] = [];
  if (sc.allowPrivilegeEscalation === false) {
    if (sc.privileged === true) errors.push(`${where}: allowPrivilegeEscalation false with privileged true`);
    if ((sc.capabilities?.add ?? []).includes('CAP_SYS_ADMIN')) errors.push(`${where}: allowPrivilegeEscalation false with CAP_SYS_ADMIN`);
  }
  if (sc.runAsUser != null && (sc.runAsUser < 0 || sc.runAsUser > 2147483647)) errors.push(`${where}: runAsUser out of range`);
  const seccomp = sc.seccompProfile;
  if (seccomp) {
    if (!['RuntimeDefault', 'Unconfined', 'Localhost'].includes(String(seccomp.type))) errors.push(`${where}: bad seccomp type`);
    if (seccomp.type === 'Localhost' && typeof seccomp.localhostProfile !== 'string') errors.push(`${where}: Localhost without profile`);
  }
  return errors;
}

const WINDOWS_FORBIDDEN_CONTAINER = ['appArmorProfile', 'seLinuxOptions', 'seccompProfile', 'capabilities', 'readOnlyRootFilesystem', 'privileged', 'allowPrivilegeEscalation', 'procMount', 'runAsUser', 'runAsGroup'];
const WINDOWS_FORBIDDEN_POD = ['appArmorProfile', 'seLinuxOptions', 'seccompProfile', 'fsGroup', 'fsGroupChangePolicy', 'sysctls', 'runAsUser', 'runAsGroup', 'supplementalGroups'];

/** Errors the API server's validation of a pod create (or ephemeral update) would report. */
export function apiValidationErrors(pod: Pod): string[] {
  const errors: string[] = [];
  const volumes = pod.spec.volumes ?? [];
  const volumeNames = new Set<string>();
  for (const volume of volumes) {
    if (!DNS_LABEL.test(volume.name) || volume.name.length > 63) errors.push(`volume ${volume.name}: not a DNS label`);
    if (volumeNames.has(volume.name)) errors.push(`volume ${volume.name}: duplicate name`);
    volumeNames.add(volume.name);
  }
  const names = new Set<string>();
  for (const c of allContainers(pod)) {
    if (names.has(c.name)) errors.push(`container ${c.name}: duplicate name`);
    names.add(c.name);
    const paths = new Set<string>();
    const devicePaths = new Set((c.volumeDevices ?? []).map((d) => d.devicePath));
    for (const mount of c.volumeMounts ?? []) {
      if (!volumeNames.has(mount.name)) errors.push(`container ${c.name}: mount of unknown volume ${mount.name}`);
      if (paths.has(mount.mountPath)) errors.push(`container ${c.name}: two mounts at ${mount.mountPath}`);
      if (devicePaths.has(mount.mountPath)) errors.push(`container ${c.name}: mount at device path ${mount.mountPath}`);
      paths.add(mount.mountPath);
    }
    errors.push(...securityContextErrors(c.securityContext, `container ${c.name}`));
  }
  errors.push(...securityContextErrors(pod.spec.securityContext, 'pod'));

  const windows = pod.spec.os?.name === 'windows';
  if (windows) {
    const podSc = pod.spec.securityContext ?? {};
    for (const key of WINDOWS_FORBIDDEN_POD) if (podSc[key] != null) errors.push(`pod: ${key} set on a Windows pod`);
    for (const c of allContainers(pod)) {
      const sc = c.securityContext ?? {};
      for (const key of WINDOWS_FORBIDDEN_CONTAINER) if (sc[key] != null) errors.push(`container ${c.name}: ${key} set on a Windows pod`);
    }
  }

  const annotations = pod.metadata?.annotations ?? {};
  const podSeccomp = pod.spec.securityContext?.seccompProfile;
  const podLegacy = annotations[LEGACY_POD];
  if (podSeccomp && podLegacy !== undefined && !legacyMatches(podLegacy, podSeccomp.type, podSeccomp.localhostProfile)) {
    errors.push('pod: seccomp field does not match the legacy annotation');
  }
  for (const c of allContainers(pod)) {
    const field = c.securityContext?.seccompProfile;
    const legacy = annotations[LEGACY_CONTAINER + c.name];
    if (field && legacy !== undefined && !legacyMatches(legacy, field.type, field.localhostProfile)) {
      errors.push(`container ${c.name}: seccomp field does not match the legacy annotation`);
    }
  }
  return errors;
}

function effective<K extends keyof SecurityContext>(pod: Pod, c: Container, key: K): SecurityContext[K] | undefined {
  return c.securityContext?.[key] ?? pod.spec.securityContext?.[key] ?? undefined;
}

/** Containers the kubelet is sure to refuse: runAsNonRoot with an explicit root user. */
/**
 * Containers the kubelet would refuse to start (kuberuntime
 * verifyRunAsNonRoot): runAsNonRoot with uid 0, or — without runAsUser — with
 * an image whose USER is root, unset or a name. `images` says what each image
 * runs as (absent: images unknown, only the uid rule is checked).
 */
export function kubeletRefusals(pod: Pod, images?: ImageLookups): string[] {
  const refusals: string[] = [];
  for (const c of allContainers(pod)) {
    if (effective(pod, c, 'runAsNonRoot') !== true) continue;
    const uid = effective(pod, c, 'runAsUser');
    if (uid === 0) refusals.push(`container ${c.name}: runAsNonRoot with runAsUser 0`);
    const lookup = typeof c.image === 'string' ? images?.get(c.image) : undefined;
    // Windows nodes check the user name, not the image's USER.
    if (uid === undefined && pod.spec.os?.name !== 'windows' && lookup?.status === 'found' && !/^[1-9]\d*$/.test(lookup.facts.user.split(':')[0] ?? '')) {
      refusals.push(`container ${c.name}: runAsNonRoot with an image whose USER is "${lookup.facts.user}"`);
    }
  }
  return refusals;
}

const RESTRICTED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

/** Violations of the restricted Pod Security Standard (the checks this product is about). */
export function restrictedViolations(pod: Pod): string[] {
  const violations: string[] = [];
  const windows = pod.spec.os?.name === 'windows';
  const podSc = pod.spec.securityContext ?? {};
  if (podSc.runAsNonRoot === false) violations.push('pod: runAsNonRoot false');
  if (podSc.runAsUser === 0) violations.push('pod: runAsUser 0');
  const podSeccompOk = ['RuntimeDefault', 'Localhost'].includes(String(podSc.seccompProfile?.type));
  if (podSc.seccompProfile && !podSeccompOk && !windows) violations.push('pod: bad seccomp');
  for (const volume of pod.spec.volumes ?? []) {
    if (!Object.keys(volume).some((key) => RESTRICTED_VOLUME_TYPES.includes(key))) violations.push(`volume ${volume.name}: type not allowed`);
  }
  for (const c of allContainers(pod)) {
    const sc = c.securityContext ?? {};
    const where = `container ${c.name}`;
    if (sc.privileged === true) violations.push(`${where}: privileged`);
    if (sc.runAsNonRoot === false || (sc.runAsNonRoot == null && podSc.runAsNonRoot !== true)) violations.push(`${where}: runAsNonRoot`);
    if (sc.runAsUser === 0) violations.push(`${where}: runAsUser 0`);
    if (windows) continue;
    if (sc.allowPrivilegeEscalation !== false) violations.push(`${where}: allowPrivilegeEscalation`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) violations.push(`${where}: capabilities.drop lacks ALL`);
    if ((sc.capabilities?.add ?? []).some((cap) => cap !== 'NET_BIND_SERVICE')) violations.push(`${where}: capabilities.add`);
    const type = sc.seccompProfile?.type;
    if (type !== undefined ? !['RuntimeDefault', 'Localhost'].includes(type) : !podSeccompOk) violations.push(`${where}: seccomp`);
  }
  return violations;
}
