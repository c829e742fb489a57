/**
 * What the resolver needs from a pod: the images of its containers (all
 * three lists: containers, initContainers, ephemeralContainers — SPEC §1)
 * whose user only the image can tell, as written, once each; and the
 * platform its node will pull for. The spec
 * is user data: only strings are taken, nothing else is trusted.
 */
import { CONTAINER_LISTS, isObject } from '../engine/pod.js';
import { platformFromNodeSelector, type Platform } from './platform.js';

/** The pod's platform: spec.os.name when set (windows pods), else the nodeSelector's kubernetes.io/os and /arch, else linux/amd64. */
export function podPlatform(spec: unknown): Platform {
  const record = spec !== null && typeof spec === 'object' ? (spec as Record<string, unknown>) : {};
  const nodeSelector = record.nodeSelector !== null && typeof record.nodeSelector === 'object' ? (record.nodeSelector as Record<string, unknown>) : undefined;
  const strings = nodeSelector ? Object.fromEntries(Object.entries(nodeSelector).filter((entry): entry is [string, string] => typeof entry[1] === 'string')) : undefined;
  const platform = platformFromNodeSelector(strings);
  const os = (record.os as { name?: unknown } | null | undefined)?.name;
  return typeof os === 'string' && os !== '' ? { ...platform, os } : platform;
}

function runAsUserOf(holder: unknown): unknown {
  if (!isObject(holder) || !isObject(holder.securityContext)) return undefined;
  return holder.securityContext.runAsUser;
}

/**
 * The images whose USER decides runAsNonRoot: those of containers with no
 * runAsUser of their own or from the pod. The webhook and `harden
 * --resolve-images` look up exactly these, so both give the engine the same input.
 */
export function imagesToLookUp(spec: Record<string, unknown>): string[] {
  const podUid = runAsUserOf(spec);
  const images = new Set<string>();
  for (const list of CONTAINER_LISTS) {
    const containers = Object.hasOwn(spec, list) ? spec[list] : undefined;
    if (!Array.isArray(containers)) continue;
    for (const container of containers) {
      if (!isObject(container) || typeof container.image !== 'string' || container.image === '') continue;
      if ((runAsUserOf(container) ?? podUid) == null) images.add(container.image);
    }
  }
  return [...images];
}
