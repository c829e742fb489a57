/**
 * The platform whose image the node will pull. A pod pins it with the
 * well-known node labels in its nodeSelector (kubernetes.io/os,
 * kubernetes.io/arch); without them the resolver assumes linux/amd64, the
 * usual node. The pick in an index follows containerd's platform matcher
 * closely enough for the user and volumes: os and architecture must match,
 * a variant must match when both sides name one (arm64 defaults to v8).
 */

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

/** The platform a pod's nodeSelector pins, else linux/amd64. */
export function platformFromNodeSelector(nodeSelector: Readonly<Record<string, string>> | undefined): Platform {
  // Own properties only: a nodeSelector is user data (SPEC §1, "names are data").
  const read = (key: string): string | undefined => (nodeSelector !== undefined && Object.hasOwn(nodeSelector, key) ? nodeSelector[key] : undefined);
  return { os: read('kubernetes.io/os') || DEFAULT_PLATFORM.os, architecture: read('kubernetes.io/arch') || DEFAULT_PLATFORM.architecture };
}

/** "linux/arm64/v8": for reasons and cache keys. */
export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/** containerd's normalisation: arm64 is v8 unless said otherwise; aarch64 and x86_64 are aliases. */
function normalise(platform: Platform): Platform {
  const architecture = { aarch64: 'arm64', x86_64: 'amd64', 'x86-64': 'amd64' }[platform.architecture] ?? platform.architecture;
  const variant = platform.variant || (architecture === 'arm64' ? 'v8' : undefined);
  return { os: platform.os.toLowerCase(), architecture, ...(variant ? { variant } : {}) };
}

/** Whether an index entry's platform serves the wanted one. */
export function platformMatches(wanted: Platform, offered: Platform): boolean {
  const a = normalise(wanted);
  const b = normalise(offered);
  return a.os === b.os && a.architecture === b.architecture && (a.variant === undefined || b.variant === undefined || a.variant === b.variant);
}

/** The first entry whose platform matches, in index order (the order registries and runtimes honour). */
export function selectPlatform<T extends { platform?: Platform | undefined }>(entries: readonly T[], wanted: Platform): T | undefined {
  return entries.find((entry) => entry.platform !== undefined && platformMatches(wanted, entry.platform));
}
