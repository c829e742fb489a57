/** Control `privileged`: no container runs privileged. */
import { forEachTarget, securityContext, writableSecurityContext, type PassState } from '../context.js';
import { APPLIED, kept, SATISFIED } from '../outcome.js';

export function applyPrivileged(state: PassState): void {
  forEachTarget(state, 'privileged', true, (target) => {
    if (securityContext(target).privileged !== true) return SATISFIED;
    if (state.settings.strictness === 'fill') return kept('fill mode keeps the explicit privileged: true');
    writableSecurityContext(target).privileged = false;
    return APPLIED;
  });
}
