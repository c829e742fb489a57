/**
 * Control `capabilities`: drop ALL; in enforce mode, `add` keeps only the
 * policy's allowed capabilities, written as the policy writes them
 * (CAP_NET_BIND_SERVICE becomes NET_BIND_SERVICE: the same capability to every
 * runtime, and the spelling the restricted Pod Security Standard checks for).
 */
import { forEachTarget, securityContext, writableSecurityContext, type PassState } from '../context.js';
import { APPLIED, appliedKeeping, kept, SATISFIED } from '../outcome.js';

const KEEPS_ADD = 'fill mode keeps the explicit capabilities.add list, which holds capabilities the policy does not allow';

/** Runtimes accept NET_ADMIN and CAP_NET_ADMIN alike; compare them without the prefix and case. */
export function capabilityKey(name: string): string {
  const upper = name.trim().toUpperCase();
  return upper.startsWith('CAP_') ? upper.slice(4) : upper;
}

/** The adds the policy allows, each once, spelled as the policy spells it. */
function allowedAdds(add: readonly string[], spelling: ReadonlyMap<string, string>): string[] {
  return [...new Set(add.flatMap((name) => spelling.get(capabilityKey(name)) ?? []))];
}

export function applyCapabilities(state: PassState): void {
  const spelling = new Map(state.settings.allowedCapabilities.map((name) => [capabilityKey(name), name]));
  const enforce = state.settings.strictness === 'enforce';

  forEachTarget(state, 'capabilities', true, (target) => {
    const current = securityContext(target).capabilities ?? {};
    const drop = current.drop ?? [];
    const add = current.add ?? [];
    // Pod Security Standards (restricted) look for the exact string "ALL".
    const dropsAll = drop.includes('ALL');
    const keptAdds = enforce && add.length > 0 ? allowedAdds(add, spelling) : add;
    const dropChange = !dropsAll && (enforce || drop.length === 0);
    const addChange = keptAdds.length !== add.length || keptAdds.some((name, i) => name !== add[i]);
    const disallowed = keptAdds.length > 0 ? keptAdds.filter((name) => !spelling.has(capabilityKey(name))) : keptAdds;

    if (dropChange || addChange) {
      const capabilities = writableSecurityContext(target).capabilities ?? {};
      if (dropChange) capabilities.drop = [...drop, 'ALL'];
      if (addChange) {
        if (keptAdds.length > 0) capabilities.add = keptAdds;
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
