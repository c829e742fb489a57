/**
 * What the e2e node needs from the machine it runs on, and why it may not get
 * it: a node runs containers, so it needs root (mounts, cgroups, network
 * namespaces), Linux cgroups, and an address that is not loopback.
 */
import { existsSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';

/** This machine cannot have a node; the message says why. */
export class NodeUnavailableError extends Error {
  override readonly name = 'NodeUnavailableError';
}

/** Why a node cannot run on this machine, or undefined when it can. */
export function nodeUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return `a node runs Linux containers; this is ${process.platform}`;
  if (process.getuid?.() !== 0) return 'a node (containerd + kubelet) must run as root: it mounts, creates cgroups and network namespaces (CI runs the tests as root)';
  if (!existsSync('/sys/fs/cgroup/memory') && !existsSync('/sys/fs/cgroup/cgroup.controllers')) return 'no cgroup file system under /sys/fs/cgroup: the kubelet cannot limit pods';
  if (!readFileSync('/proc/filesystems', 'utf8').includes('overlay')) return "the kernel has no overlay file system: containerd's snapshotter needs it";
  try {
    nodeAddress();
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}

/**
 * The node's InternalIP: the address of the default route's interface. The
 * kubelet refuses a loopback node IP (kubelet's validateNodeIP: "nodeIP can't
 * be loopback address"), and the host name here resolves to 127.0.0.1.
 */
export function nodeAddress(): string {
  const defaultRoute = readFileSync('/proc/net/route', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .find((fields) => fields[1] === '00000000' && fields[7] === '00000000');
  const device = defaultRoute?.[0];
  const address = device ? networkInterfaces()[device]?.find((a) => a.family === 'IPv4' && !a.internal)?.address : undefined;
  if (!address) throw new Error('no IPv4 default route: the kubelet needs a node IP that is not loopback');
  return address;
}

/** Every cgroup hierarchy mounted under /sys/fs/cgroup (v1 controllers, a hybrid host's unified one, or the v2 root). */
export function cgroupHierarchies(): string[] {
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' '))
    .filter((fields) => (fields[2] === 'cgroup' || fields[2] === 'cgroup2') && fields[1]?.startsWith('/sys/fs/cgroup'))
    .map((fields) => fields[1] as string);
}
