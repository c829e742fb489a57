/**
 * Control `capabilities`: drop ALL; in enforce mode, `add` keeps only the
 * policy's allowed capabilities, written as the policy writes them
 * (CAP_NET_BIND_SERVICE becomes NET_BIND_SERVICE: the same capability to every
 * runtime, and the spelling the restricted Pod Security Standard checks for).
 */
import { forEachTarget, securityContext, writableSecurityContext, type PassState } from '../context.js';
import { APPLIED, appliedKeeping, kept, SATISFIED } from '../outcome.js';
import { NONE } from '../pod.js';

const KEEPS_ADD = 'fill mode keeps the explicit capabilities.add list, which holds capabilities the policy does not allow';

/** Runtimes accept NET_ADMIN and CAP_NET_ADMIN alike; compare them without the prefix and case. */
export function capabilityKey(name: string): string {
  const upper = name.trim().toUpperCase();
  return upper.startsWith('CAP_') ? upper.slice(4) : upper;
}

/** The adds the policy allows, each once, spelled as the policy spells it. */
function allowedAdds(add: readonly string[], spelling: ReadonlyMap<string, string>): string[] {
  const kept: string[] = [];
  for (const name of add) {
    const allowed = spelling.get(capabilityKey(name));
    if (allowed !== undefined && !kept.includes(allowed)) kept.push(allowed);
  }
  return kept;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

/** The policy's allowed capabilities by key, made once per policy (one policy serves review after review). */
const spellings = new WeakMap<readonly string[], ReadonlyMap<string, string>>();

function spellingOf(allowed: readonly string[]): ReadonlyMap<string, string> {
  let spelling = spellings.get(allowed);
  if (!spelling) {
    spelling = new Map(allowed.map((name) => [capabilityKey(name), name]));
    spellings.set(allowed, spelling);
  }
  return spelling;
}

export function applyCapabilities(state: PassState): void {
  const spelling = spellingOf(state.settings.allowedCapabilities);
  const enforce = state.settings.strictness === 'enforce';

  forEachTarget(state, 'capabilities', true, (target) => {
    const current = securityContext(target).capabilities;
    const drop: readonly string[] = current?.drop ?? NONE;
    const add: readonly string[] = current?.add ?? NONE;
    // Pod Security Standards (restricted) look for the exact string "ALL".
    const dropsAll = drop.includes('ALL');
    const keptAdds = enforce && add.length > 0 ? allowedAdds(add, spelling) : add;
    const dropChange = !dropsAll && (enforce || drop.length === 0);
    const addChange = keptAdds !== add && !sameList(keptAdds, add);
    // Enforce mode keeps only allowed adds; fill mode keeps them all.
    const disallowed = enforce || keptAdds.length === 0 ? NONE : keptAdds.filter((name) => !spelling.has(capabilityKey(name)));

    if (dropChange || addChange) {
      const capabilities = writableSecurityContext(target).capabilities ?? {};
      if (dropChange) capabilities.drop = [...drop, 'ALL'];
      if (addChange) {
        if (keptAdds.length > 0) capabilities.add = [...keptAdds];
        else delete capabilities.add;
      }
      writableSecurityContext(target).capabilities = capabilities;
      // Fill mode adds ALL to drop but keeps an explicit add: say so beside the change.
      return disallowed.length > 0 ? appliedKeeping(KEEPS_ADD) : APPLIED;
    }
    if (!dropsAll) return kept('fill mode keeps the explicit capabilities.drop list');
    if (disallowed.length > 0) return kept(KEEPS_ADD);
    return SATISFIED;
  });
}
