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

/** An empty list shared wherever one stands for "none" (frozen: nobody adds to it). */
export const NONE: readonly never[] = Object.freeze([]);

/** A JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/*
 * The checks below name the field they report as `${parent}.${name}`, joined
 * only when they throw: a well-formed pod, the usual case, spells no field.
 */

function optionalObject(value: unknown, parent: string, name: string): void {
  if (value !== undefined && value !== null && !isObject(value)) {
    throw new PodShapeError(`${parent}.${name}`, 'must be an object');
  }
}

function optionalArray(value: unknown, parent: string, name: string): readonly unknown[] {
  if (value === undefined || value === null) return NONE;
  if (!Array.isArray(value)) throw new PodShapeError(`${parent}.${name}`, 'must be a list');
  return value;
}

function optionalStringList(value: unknown, parent: string, name: string): void {
  const items = optionalArray(value, parent, name);
  for (let i = 0; i < items.length; i += 1) {
    if (typeof items[i] !== 'string') throw new PodShapeError(`${parent}.${name}[${i}]`, 'must be a string');
  }
}

const BOOLEAN_FIELDS = ['allowPrivilegeEscalation', 'privileged', 'runAsNonRoot', 'readOnlyRootFilesystem'] as const;

function checkSecurityContext(value: unknown, parent: string): void {
  if (value === undefined || value === null) return;
  if (!isObject(value)) throw new PodShapeError(`${parent}.securityContext`, 'must be an object');
  for (const key of BOOLEAN_FIELDS) {
    const flag = value[key];
    if (flag !== undefined && flag !== null && typeof flag !== 'boolean') throw new PodShapeError(`${parent}.securityContext.${key}`, 'must be true or false');
  }
  const uid = value.runAsUser;
  if (uid !== undefined && uid !== null && !Number.isInteger(uid)) {
    throw new PodShapeError(`${parent}.securityContext.runAsUser`, 'must be an integer');
  }
  const { capabilities, seccompProfile } = value;
  if (capabilities !== undefined && capabilities !== null) {
    optionalObject(capabilities, `${parent}.securityContext`, 'capabilities');
    const capabilitiesPath = `${parent}.securityContext.capabilities`;
    optionalStringList((capabilities as Record<string, unknown>).add, capabilitiesPath, 'add');
    optionalStringList((capabilities as Record<string, unknown>).drop, capabilitiesPath, 'drop');
  }
  if (seccompProfile !== undefined && seccompProfile !== null) {
    optionalObject(seccompProfile, `${parent}.securityContext`, 'seccompProfile');
    const type = (seccompProfile as Record<string, unknown>).type;
    if (type !== undefined && typeof type !== 'string') throw new PodShapeError(`${parent}.securityContext.seccompProfile.type`, 'must be a string');
  }
}

function checkContainer(value: unknown, field: string): void {
  if (!isObject(value)) throw new PodShapeError(field, 'must be an object');
  if (typeof value.name !== 'string' || value.name === '') throw new PodShapeError(`${field}.name`, 'must be a non-empty string');
  checkSecurityContext(value.securityContext, field);
  const mounts = optionalArray(value.volumeMounts, field, 'volumeMounts');
  for (let i = 0; i < mounts.length; i += 1) {
    const mount = mounts[i];
    if (!isObject(mount) || typeof mount.mountPath !== 'string' || typeof mount.name !== 'string') {
      throw new PodShapeError(`${field}.volumeMounts[${i}]`, 'must have a string name and mountPath');
    }
  }
  const devices = optionalArray(value.volumeDevices, field, 'volumeDevices');
  for (let i = 0; i < devices.length; i += 1) {
    if (!isObject(devices[i])) throw new PodShapeError(`${field}.volumeDevices[${i}]`, 'must be an object');
  }
}

function checkStringMap(value: unknown, parent: string, name: string): void {
  if (value === undefined || value === null) return;
  if (!isObject(value)) throw new PodShapeError(`${parent}.${name}`, 'must be an object');
  for (const key in value) {
    if (Object.hasOwn(value, key) && typeof value[key] !== 'string') throw new PodShapeError(`${parent}.${name}[${JSON.stringify(key)}]`, 'must be a string');
  }
}

/**
 * Checks that `value` has the shape of a Pod in the parts the engine touches,
 * and returns it typed. Throws PodShapeError naming the first bad field.
 */
export function readPod(value: unknown, field = 'object'): Pod {
  if (!isObject(value)) throw new PodShapeError(field, 'must be an object');
  const metadata = value.metadata;
  if (metadata !== undefined && metadata !== null) {
    if (!isObject(metadata)) throw new PodShapeError(`${field}.metadata`, 'must be an object');
    checkStringMap(metadata.annotations, `${field}.metadata`, 'annotations');
    checkStringMap(metadata.labels, `${field}.metadata`, 'labels');
    optionalArray(metadata.ownerReferences, `${field}.metadata`, 'ownerReferences');
  }
  if (!isObject(value.spec)) throw new PodShapeError(`${field}.spec`, 'must be an object');
  const spec = value.spec;
  checkSecurityContext(spec.securityContext, `${field}.spec`);
  optionalObject(spec.os, `${field}.spec`, 'os');
  const volumes = optionalArray(spec.volumes, `${field}.spec`, 'volumes');
  for (let i = 0; i < volumes.length; i += 1) {
    const volume = volumes[i];
    if (!isObject(volume) || typeof volume.name !== 'string') {
      throw new PodShapeError(`${field}.spec.volumes[${i}]`, 'must have a string name');
    }
  }
  for (const list of CONTAINER_LISTS) {
    const containers = optionalArray(spec[list], `${field}.spec`, list);
    for (let i = 0; i < containers.length; i += 1) checkContainer(containers[i], `${field}.spec.${list}[${i}]`);
  }
  return value as Pod;
}

export function isWindowsPod(pod: Pod): boolean {
  return pod.spec.os?.name === 'windows';
}
