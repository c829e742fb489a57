/**
 * The rules a writable path must keep, whether a writable-paths annotation
 * asks for it or an image declares it as a VOLUME.
 */

const MAX_PATH_LENGTH = 1024;

/**
 * Checks one writable path. Kubernetes only forbids '..' in a mountPath; we are
 * stricter so the result is predictable: absolute, normalised, not the root.
 */
export function checkWritablePath(path: string): string | undefined {
  if (!path.startsWith('/')) return 'must be an absolute path';
  if (path === '/') return 'must not be the root directory';
  if (path.length > MAX_PATH_LENGTH) return `must be at most ${MAX_PATH_LENGTH} characters`;
  if (/[\s:\\]|[^\x20-\x7e]/.test(path)) return 'must not contain spaces, colons, backslashes or non-ASCII characters';
  const segments = path.slice(1).split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    return "must be normalised (no empty, '.' or '..' segments, no trailing slash)";
  }
  return undefined;
}

/**
 * Paths where a writable emptyDir must never go, whatever an annotation asks.
 * Mounting over them does not make an app writable: it breaks the container
 * or takes away what the kubelet gives it.
 *
 * - `/`, and `/dev`, `/proc`, `/sys` and anything below: the runtime mounts
 *   devices, procfs and sysfs there (runc refuses or the container loses them).
 * - The files the kubelet bind-mounts into every container: /etc/hosts,
 *   /etc/hostname, /etc/resolv.conf (kubelet makeMounts), and the termination
 *   message path (default /dev/termination-log, or the container's own
 *   terminationMessagePath, checked per container by the control).
 * - The service account token directory and anything below it: an emptyDir
 *   there hides the projected token, and the app loses its API credentials.
 *   /var/run is commonly a link to /run, so both spellings are covered.
 */
const BELOW = ['/dev', '/proc', '/sys', '/var/run/secrets/kubernetes.io/serviceaccount', '/run/secrets/kubernetes.io/serviceaccount'];
const EXACT = new Map([
  ['/', 'the root directory'],
  ['/etc/hosts', 'a file the kubelet manages'],
  ['/etc/hostname', 'a file the kubelet manages'],
  ['/etc/resolv.conf', 'a file the kubelet manages'],
]);

function atOrBelow(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}/`);
}

/** Why `path` (absolute, normalised) must not get a writable emptyDir, or undefined when it may. */
export function forbiddenWritablePath(path: string): string | undefined {
  const exact = EXACT.get(path);
  if (exact) return `${exact} must not be mounted over`;
  const root = BELOW.find((candidate) => atOrBelow(path, candidate));
  if (root === undefined) return undefined;
  return root.includes('serviceaccount')
    ? 'the service account token is mounted there; an emptyDir would hide it'
    : `${root} belongs to the container runtime and must not be mounted over`;
}

/** The kubelet's default terminationMessagePath (core/v1 defaults). */
export const DEFAULT_TERMINATION_MESSAGE_PATH = '/dev/termination-log';
