import { container, harden, outcomeKinds, pod, warningsOf } from '../../../helpers/pods.js';
import type { SecurityContext } from '../../../../src/engine/pod.js';

function after(securityContext: SecurityContext, policy: Record<string, unknown> = {}) {
  const { pod: result, decision } = harden(pod({ containers: [container('app', { securityContext })] }), policy);
  return { sc: result.spec.containers?.[0]?.securityContext ?? {}, outcome: outcomeKinds(decision, 'app').allowPrivilegeEscalation, warnings: warningsOf(decision) };
}

describe('control allowPrivilegeEscalation', () => {
  test.each([
    { name: 'sets false where unset', sc: {}, policy: {}, expected: false, outcome: 'applied' },
    { name: 'enforce replaces true', sc: { allowPrivilegeEscalation: true }, policy: {}, expected: false, outcome: 'applied' },
    { name: 'fill keeps true', sc: { allowPrivilegeEscalation: true }, policy: { mode: 'fill' }, expected: true, outcome: 'kept' },
    { name: 'fill sets false where unset', sc: {}, policy: { mode: 'fill' }, expected: false, outcome: 'applied' },
    { name: 'a privileged container made unprivileged by enforce can get false', sc: { privileged: true }, policy: {}, expected: false, outcome: 'applied' },
    { name: 'not applied while fill keeps privileged: true', sc: { privileged: true }, policy: { mode: 'fill' }, expected: undefined, outcome: 'notApplicable' },
    { name: 'not applied while an allowed CAP_SYS_ADMIN stays', sc: { capabilities: { add: ['CAP_SYS_ADMIN'] } }, policy: { allowedCapabilities: ['CAP_SYS_ADMIN'] }, expected: undefined, outcome: 'notApplicable' },
    { name: 'SYS_ADMIN without the CAP_ prefix does not conflict (the API checks the exact string)', sc: { capabilities: { add: ['SYS_ADMIN'] } }, policy: { allowedCapabilities: ['SYS_ADMIN'] }, expected: false, outcome: 'applied' },
    { name: 'enforce removes a disallowed CAP_SYS_ADMIN, then sets false', sc: { capabilities: { add: ['CAP_SYS_ADMIN'] } }, policy: {}, expected: false, outcome: 'applied' },
  ])('$name', ({ sc, policy, expected, outcome }) => {
    const result = after(sc, policy);
    expect(result.sc.allowPrivilegeEscalation).toBe(expected);
    expect(result.outcome).toBe(outcome);
    if (outcome === 'notApplicable') expect(result.warnings.some((w: string) => w.includes('container "app"') && w.includes('allowPrivilegeEscalation'))).toBe(true);
  });
});
