/**
 * The parts of a Pod the engine reads or writes, as they appear in JSON.
 *
 * Input comes from the network or from manifests, so nothing here is trusted:
 * `readPod` checks the shape of exactly these parts and reports the first
 * problem in words a person can act on. Everything else in the pod is carried
 * through untouched and never inspected.
 */

export interface Capabilities {
  add?: string[] | null;
  drop?: string[] | null;
  [other: string]: unknown;
}

export interface SeccompProfile {
  type?: string;
  localhostProfile?: string;
  [other: string]: unknown;
}

export interface SecurityContext {
  capabilities?: Capabilities | null;
  allowPrivilegeEscalation?: boolean | null;
  privileged?: boolean | null;
  runAsNonRoot?: boolean | null;
  runAsUser?: number | null;
  readOnlyRootFilesystem?: boolean | null;
  seccompProfile?: SeccompProfile | null;
  windowsOptions?: { runAsUserName?: string; [other: string]: unknown } | null;
  [other: string]: unknown;
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  [other: string]: unknown;
}

export interface VolumeDevice {
  name?: string;
  devicePath?: string;
  [other: string]: unknown;
}

export interface Container {
  name: string;
  securityContext?: SecurityContext | null;
  volumeMounts?: VolumeMount[] | null;
  volumeDevices?: VolumeDevice[] | null;
  restartPolicy?: string;
  [other: string]: unknown;
}

export interface Volume {
  name: string;
  [other: string]: unknown;
}

export interface PodSpec {
  containers?: Container[] | null;
  initContainers?: Container[] | null;
  ephemeralContainers?: Container[] | null;
  volumes?: Volume[] | null;
  securityContext?: SecurityContext | null;
  os?: { name?: string; [other: string]: unknown } | null;
  [other: string]: unknown;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  annotations?: Record<string, string> | null;
  labels?: Record<string, string> | null;
  ownerReferences?: Array<{ kind?: string; name?: string; controller?: boolean; [other: string]: unknown }> | null;
  [other: string]: unknown;
}

export interface Pod {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta | null;
  spec: PodSpec;
  [other: string]: unknown;
}

/** The three lists of containers, in the order the API server validates them. */
export const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;
export type ContainerList = (typeof CONTAINER_LISTS)[number];

/** Every container of the pod, init containers first, as CONTAINER_LISTS orders them. */
export function allContainers(pod: Pod): Container[] {
  const containers: Container[] = [];
  for (const list of CONTAINER_LISTS) {
    const items = pod.spec[list];
    if (items) for (const container of items) containers.push(container);
  }
  return containers;
}

/** What kind of container a slot holds; sidecars are init containers that keep running. */
export type ContainerKind = 'container' | 'initContainer' | 'sidecar' | 'ephemeralContainer';

export function containerKind(list: ContainerList, container: Container): ContainerKind {
  if (list === 'containers') return 'container';
  if (list === 'ephemeralContainers') return 'ephemeralContainer';
  return container.restartPolicy === 'Always' ? 'sidecar' : 'initContainer';
}

export class PodShapeError extends Error {
  constructor(readonly field: string, detail: string) {
    super(`${field} ${detail}`);
    this.name = 'PodShapeError';
  }
}

/** A JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalObject(value: unknown, field: string): void {
  if (value !== undefined && value !== null && !isObject(value)) {
    throw new PodShapeError(field, 'must be an object');
  }
}

function optionalArray(value: unknown, field: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new PodShapeError(field, 'must be a list');
  return value;
}

function optionalBoolean(value: unknown, field: string): void {
  if (value !== undefined && value !== null && typeof value !== 'boolean') {
    throw new PodShapeError(field, 'must be true or false');
  }
}

function optionalStringList(value: unknown, field: string): void {
  for (const [i, item] of optionalArray(value, field).entries()) {
    if (typeof item !== 'string') throw new PodShapeError(`${field}[${i}]`, 'must be a string');
  }
}

function checkSecurityContext(value: unknown, field: string): void {
  optionalObject(value, field);
  if (!isObject(value)) return;
  for (const key of ['allowPrivilegeEscalation', 'privileged', 'runAsNonRoot', 'readOnlyRootFilesystem']) {
    optionalBoolean(value[key], `${field}.${key}`);
  }
  const uid = value.runAsUser;
  if (uid !== undefined && uid !== null && !Number.isInteger(uid)) {
    throw new PodShapeError(`${field}.runAsUser`, 'must be an integer');
  }
  optionalObject(value.capabilities, `${field}.capabilities`);
  if (isObject(value.capabilities)) {
    optionalStringList(value.capabilities.add, `${field}.capabilities.add`);
    optionalStringList(value.capabilities.drop, `${field}.capabilities.drop`);
  }
  optionalObject(value.seccompProfile, `${field}.seccompProfile`);
  if (isObject(value.seccompProfile) && value.seccompProfile.type !== undefined && typeof value.seccompProfile.type !== 'string') {
    throw new PodShapeError(`${field}.seccompProfile.type`, 'must be a string');
  }
}

function checkContainer(value: unknown, field: string): void {
  if (!isObject(value)) throw new PodShapeError(field, 'must be an object');
  if (typeof value.name !== 'string' || value.name === '') throw new PodShapeError(`${field}.name`, 'must be a non-empty string');
  checkSecurityContext(value.securityContext, `${field}.securityContext`);
  for (const [i, mount] of optionalArray(value.volumeMounts, `${field}.volumeMounts`).entries()) {
    if (!isObject(mount) || typeof mount.mountPath !== 'string' || typeof mount.name !== 'string') {
      throw new PodShapeError(`${field}.volumeMounts[${i}]`, 'must have a string name and mountPath');
    }
  }
  for (const [i, device] of optionalArray(value.volumeDevices, `${field}.volumeDevices`).entries()) {
    if (!isObject(device)) throw new PodShapeError(`${field}.volumeDevices[${i}]`, 'must be an object');
  }
}

function checkStringMap(value: unknown, field: string): void {
  optionalObject(value, field);
  if (!isObject(value)) return;
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') throw new PodShapeError(`${field}[${JSON.stringify(key)}]`, 'must be a string');
  }
}

/**
 * Checks that `value` has the shape of a Pod in the parts the engine touches,
 * and returns it typed. Throws PodShapeError naming the first bad field.
 */
export function readPod(value: unknown, field = 'object'): Pod {
  if (!isObject(value)) throw new PodShapeError(field, 'must be an object');
  optionalObject(value.metadata, `${field}.metadata`);
  if (isObject(value.metadata)) {
    checkStringMap(value.metadata.annotations, `${field}.metadata.annotations`);
    checkStringMap(value.metadata.labels, `${field}.metadata.labels`);
    optionalArray(value.metadata.ownerReferences, `${field}.metadata.ownerReferences`);
  }
  if (!isObject(value.spec)) throw new PodShapeError(`${field}.spec`, 'must be an object');
  const spec = value.spec;
  checkSecurityContext(spec.securityContext, `${field}.spec.securityContext`);
  optionalObject(spec.os, `${field}.spec.os`);
  for (const [i, volume] of optionalArray(spec.volumes, `${field}.spec.volumes`).entries()) {
    if (!isObject(volume) || typeof volume.name !== 'string') {
      throw new PodShapeError(`${field}.spec.volumes[${i}]`, 'must have a string name');
    }
  }
  for (const list of CONTAINER_LISTS) {
    for (const [i, container] of optionalArray(spec[list], `${field}.spec.${list}`).entries()) {
      checkContainer(container, `${field}.spec.${list}[${i}]`);
    }
  }
  return value as Pod;
}

export function isWindowsPod(pod: Pod): boolean {
  return pod.spec.os?.name === 'windows';
}
