/** Names and paths for the writable emptyDir volumes the readOnlyRootFilesystem control adds. */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';

const DNS_LABEL_MAX = 63;
const SLASH = 47;
const DOT = 46;

/**
 * Whether the path is normal as it is, as most are: absolute, every "/"
 * followed by a segment that does not start with "." (so no "//", no "." or
 * ".." segment; a hidden name like "/.cache" is left to posix.normalize, which
 * keeps it) and no trailing "/". A loop: it runs for every mount of every
 * container.
 */
export function isNormalMountPath(path: string): boolean {
  if (path.charCodeAt(0) !== SLASH) return false;
  for (let i = 0; i < path.length; i += 1) {
    if (path.charCodeAt(i) !== SLASH) continue;
    const next = path.charCodeAt(i + 1);
    if (Number.isNaN(next) || next === SLASH || next === DOT) return false;
  }
  return true;
}

/** "/tmp/", "/tmp/." and "/tmp" are one mount point to the runtime. */
export function normalizeMountPath(path: string): string {
  if (isNormalMountPath(path)) return path;
  const normalized = posix.normalize(path);
  return normalized.length > 1 ? normalized.replace(/\/+$/, '') : normalized;
}

/**
 * Lower case, every run of characters outside [a-z0-9] one "-", no "-" at
 * either end: "/var/Cache" becomes "var-cache". A loop rather than three
 * regular expressions: it runs for every mount the control adds.
 */
function slug(text: string): string {
  // Most names are slugs already ("log-shipper"), and most paths one after their first "/" ("/tmp").
  const from = text.startsWith('/') ? 1 : 0;
  if (isSlug(text, from)) return from === 0 ? text : text.slice(from);
  const lower = text.toLowerCase();
  let result = '';
  let pendingDash = false;
  for (let i = 0; i < lower.length; i += 1) {
    const code = lower.charCodeAt(i);
    if (isLowerAlphanumeric(code)) {
      if (pendingDash && result !== '') result += '-';
      pendingDash = false;
      result += lower[i];
    } else {
      pendingDash = true;
    }
  }
  return result;
}

/** Whether a UTF-16 code unit is one of [a-z0-9]: what a DNS label holds beside "-". */
export function isLowerAlphanumeric(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 48 && code <= 57);
}

/** Whether text[from..] is non-empty, [a-z0-9] and single "-" between them. */
function isSlug(text: string, from: number): boolean {
  if (text.length <= from) return false;
  let dash = true;
  for (let i = from; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (isLowerAlphanumeric(code)) dash = false;
    else if (code === 45 && !dash) dash = true;
    else return false;
  }
  return !dash;
}

function makeBaseName(container: string, path: string): string {
  const base = `ph-${slug(container) || 'container'}-${slug(path) || 'path'}`;
  if (base.length <= DNS_LABEL_MAX) return base;
  const hash = createHash('sha256').update(`${container}\u0000${path}`).digest('hex').slice(0, 10);
  return `${trimToLabel(base, DNS_LABEL_MAX - hash.length - 1)}-${hash}`;
}

/**
 * Base names made already, by path then container name: the same few ("/tmp"
 * and the workloads' container names) recur in every review. Only pairs whose
 * container name and path together are at most DNS_LABEL_MAX characters are
 * kept, at most MEMO_ENTRIES of them (emptied when full), so hostile names
 * cannot grow it.
 */
const baseNames = new Map<string, Map<string, string>>();
let memoized = 0;
const MEMO_ENTRIES = 4096;

function baseName(container: string, path: string): string {
  const byContainer = baseNames.get(path);
  const known = byContainer?.get(container);
  if (known !== undefined) return known;
  const base = makeBaseName(container, path);
  if (container.length + path.length > DNS_LABEL_MAX) return base;
  if (memoized >= MEMO_ENTRIES) {
    baseNames.clear();
    memoized = 0;
  }
  if (byContainer === undefined) baseNames.set(path, new Map([[container, base]]));
  else byContainer.set(container, base);
  memoized += 1;
  return base;
}

function trimToLabel(text: string, max: number): string {
  return text.slice(0, max).replace(/-+$/, '');
}

/**
 * A volume name for one container's writable path: readable where it fits
 * ("ph-app-tmp"), a valid DNS label always (the API server requires it), and
 * never one of `taken` (volume names must be unique in the pod). Adds the
 * result to `taken`.
 */
export function writableVolumeName(container: string, path: string, taken: Set<string>): string {
  const base = baseName(container, path);
  let name = base;
  for (let n = 2; taken.has(name); n += 1) {
    const suffix = `-${n}`;
    name = `${trimToLabel(base, DNS_LABEL_MAX - suffix.length)}${suffix}`;
  }
  taken.add(name);
  return name;
}
