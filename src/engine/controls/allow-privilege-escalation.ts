/**
 * Control `allowPrivilegeEscalation`: set to false.
 *
 * Runs after `privileged` and `capabilities`, because the API server rejects
 * allowPrivilegeEscalation: false together with privileged: true or an added
 * "CAP_SYS_ADMIN" (pkg/apis/core/validation ValidateSecurityContext; it checks
 * that exact spelling only).
 */
import { forEachTarget, securityContext, writableSecurityContext, type PassState } from '../context.js';
import { APPLIED, kept, notApplicable, SATISFIED } from '../outcome.js';

export function applyAllowPrivilegeEscalation(state: PassState): void {
  forEachTarget(state, 'allowPrivilegeEscalation', true, (target) => {
    const sc = securityContext(target);
    if (sc.allowPrivilegeEscalation === false) return SATISFIED;
    if (sc.privileged === true) {
      return notApplicable('the container stays privileged, and the API server rejects allowPrivilegeEscalation: false with privileged: true');
    }
    if ((sc.capabilities?.add ?? []).includes('CAP_SYS_ADMIN')) {
      return notApplicable('the container keeps CAP_SYS_ADMIN, and the API server rejects allowPrivilegeEscalation: false with it');
    }
    if (sc.allowPrivilegeEscalation === true && state.settings.strictness === 'fill') {
      return kept('fill mode keeps the explicit allowPrivilegeEscalation: true');
    }
    writableSecurityContext(target).allowPrivilegeEscalation = false;
    return APPLIED;
  });
}
