import { container, harden, outcomeKinds, pod } from '../../../helpers/pods.js';
import { apiValidationErrors } from '../../../helpers/api-rules.js';

describe('control seccompProfile', () => {
  test('sets RuntimeDefault per container when nothing is set, never adding a pod-level field', () => {
    const { pod: result } = harden(pod());
    expect(result.spec.securityContext?.seccompProfile).toBeUndefined();
    expect(result.spec.containers?.[0]?.securityContext?.seccompProfile).toEqual({ type: 'RuntimeDefault' });
  });

  test('enforce replaces a pod-level Unconfined (restricted rejects it at pod level), recorded at pod level', () => {
    const { pod: result, decision } = harden(pod({ securityContext: { seccompProfile: { type: 'Unconfined' } } }));
    expect(result.spec.securityContext?.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(decision.pod.get('seccompProfile')?.kind).toBe('applied');
  });

  test('keeps a Localhost profile', () => {
    const input = pod({ securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/app.json' } } });
    const { pod: result, decision } = harden(input);
    expect(result.spec.securityContext?.seccompProfile).toEqual({ type: 'Localhost', localhostProfile: 'profiles/app.json' });
    expect(outcomeKinds(decision, 'app').seccompProfile).toBe('satisfied');
  });

  test.each([
    { name: 'enforce replaces a container Unconfined', mode: 'enforce', expected: { type: 'RuntimeDefault' }, outcome: 'applied' },
    { name: 'fill keeps a container Unconfined', mode: 'fill', expected: { type: 'Unconfined' }, outcome: 'kept' },
  ])('$name', ({ mode, expected, outcome }) => {
    const { pod: result, decision } = harden(pod({ containers: [container('app', { securityContext: { seccompProfile: { type: 'Unconfined' } } })] }), { mode });
    expect(result.spec.containers?.[0]?.securityContext?.seccompProfile).toEqual(expected);
    expect(outcomeKinds(decision, 'app').seccompProfile).toBe(outcome);
  });

  test('enforce replaces a pod-level Unconfined', () => {
    const { pod: result } = harden(pod({ securityContext: { seccompProfile: { type: 'Unconfined' } } }));
    expect(result.spec.securityContext?.seccompProfile).toEqual({ type: 'RuntimeDefault' });
  });

  test('with an exempt container, sets the profile per container', () => {
    const input = pod({ containers: [container('app'), container('tracer')] }, { annotations: { 'container.pod-hardener.io/tracer': 'seccompProfile' } });
    const { pod: result } = harden(input);
    expect(result.spec.securityContext?.seccompProfile).toBeUndefined();
    expect(result.spec.containers?.[0]?.securityContext?.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(result.spec.containers?.[1]?.securityContext?.seccompProfile).toBeUndefined();
  });

  test('a legacy pod annotation asking for unconfined keeps the pod field unset, and containers get their own', () => {
    const input = pod({}, { annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' } });
    const { pod: result } = harden(input);
    expect(result.spec.securityContext?.seccompProfile).toBeUndefined();
    expect(result.spec.containers?.[0]?.securityContext?.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(apiValidationErrors(result)).toEqual([]);
  });

  test('a legacy container annotation asking for unconfined is not contradicted', () => {
    const input = pod(
      { containers: [container('app', { securityContext: { seccompProfile: { type: 'Unconfined' } } })] },
      { annotations: { 'container.seccomp.security.alpha.kubernetes.io/app': 'unconfined' } },
    );
    const { pod: result, decision } = harden(input);
    expect(result.spec.containers?.[0]?.securityContext?.seccompProfile).toEqual({ type: 'Unconfined' });
    expect(outcomeKinds(decision, 'app').seccompProfile).toBe('notApplicable');
    expect(apiValidationErrors(result)).toEqual([]);
  });
});
