import { container, harden, outcomeKinds, pod, warningsOf } from '../../../helpers/pods.js';

describe('control privileged', () => {
  test.each([
    { name: 'enforce replaces privileged: true', mode: 'enforce', privileged: true, expected: false, outcome: 'applied' },
    { name: 'fill keeps an explicit privileged: true', mode: 'fill', privileged: true, expected: true, outcome: 'kept' },
    { name: 'privileged: false is already fine', mode: 'enforce', privileged: false, expected: false, outcome: 'satisfied' },
    { name: 'unset privileged is left unset', mode: 'enforce', privileged: undefined, expected: undefined, outcome: 'satisfied' },
  ])('$name', ({ mode, privileged, expected, outcome }) => {
    const input = pod({ containers: [container('app', { securityContext: privileged === undefined ? {} : { privileged } })] });
    const { pod: result, decision } = harden(input, { mode });
    expect(result.spec.containers?.[0]?.securityContext?.privileged).toBe(expected);
    expect(outcomeKinds(decision, 'app').privileged).toBe(outcome);
  });

  test('an exempt privileged container keeps privileged: true and does not get allowPrivilegeEscalation: false', () => {
    const input = pod(
      { containers: [container('app', { securityContext: { privileged: true } })] },
      { annotations: { 'pod-hardener.io/exempt': 'privileged' } },
    );
    const { pod: result, decision } = harden(input);
    const sc = result.spec.containers?.[0]?.securityContext;
    expect(sc?.privileged).toBe(true);
    expect(sc?.allowPrivilegeEscalation).toBeUndefined();
    expect(outcomeKinds(decision, 'app')).toMatchObject({ privileged: 'exempt', allowPrivilegeEscalation: 'notApplicable' });
    expect(warningsOf(decision).join('\n')).toMatch(/container "app": allowPrivilegeEscalation not applied: the container stays privileged/);
  });
});
