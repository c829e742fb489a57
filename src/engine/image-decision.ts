/**
 * What a container's image means for runAsNonRoot, read from the facts a
 * resolver looked up (image-facts.ts). The kubelet, when no runAsUser is set,
 * takes the user from the image and refuses runAsNonRoot: true when that user
 * is root (uid 0, or USER unset: root by default) or a name it cannot map to a
 * uid without reading the image's /etc/passwd (kuberuntime
 * verifyRunAsNonRoot: "image has non-numeric user (…), cannot verify user is
 * non-root").
 */
import type { PassState, Target } from './context.js';
import type { Finding } from './findings.js';

export type ImageVerdict =
  /** The image runs as a numeric non-root uid: runAsNonRoot: true starts. */
  | { kind: 'nonRoot' }
  /** Nothing is known (images not resolved), or the policy hardens unreadable images as if they were non-root. */
  | { kind: 'unknown'; finding?: Finding }
  /** runAsNonRoot: true alone would be refused by the kubelet, or the policy skips unreadable images. `why` names the image and the fix. */
  | { kind: 'root'; why: string };

const FIX = 'set runAsUser, or use an image with a numeric non-root USER';

/** The uid part of a USER ("1000:1000" → "1000"), or undefined for root, unset and names. */
export function numericNonRootUser(user: string): boolean {
  const uid = user.split(':')[0]?.trim() ?? '';
  return /^\d+$/.test(uid) && Number(uid) !== 0;
}

function describeUser(user: string): string {
  const uid = user.split(':')[0]?.trim() ?? '';
  if (uid === '') return 'runs as root (USER unset)';
  if (/^0+$/.test(uid) || uid === 'root') return `runs as root (USER ${user})`;
  return `runs as a named user the kubelet cannot verify (USER ${user})`;
}

export function imageVerdict(state: PassState, target: Target): ImageVerdict {
  const lookup = state.image(target);
  if (lookup === undefined) return { kind: 'unknown' };
  const image = String(target.original.image);
  const about = { container: target.name, controls: ['runAsNonRoot' as const], image };
  if (lookup.status === 'found') {
    const { user } = lookup.facts;
    if (numericNonRootUser(user)) return { kind: 'nonRoot' };
    // Short enough that kubectl's 256-character warning keeps the fix (the record keeps everything).
    return { kind: 'root', why: `image ${image} ${describeUser(user)}: ${FIX}` };
  }
  if (state.settings.unreadableImages === 'harden') {
    return { kind: 'unknown', finding: { kind: 'image', ...about, detail: `image ${image} could not be read; hardened as if non-root (images.unreadable: harden), so the kubelet refuses it if it runs as root: ${FIX} (${lookup.reason})` } };
  }
  return { kind: 'root', why: `image ${image} could not be read, and images.unreadable is skip: ${FIX} (${lookup.reason})` };
}
