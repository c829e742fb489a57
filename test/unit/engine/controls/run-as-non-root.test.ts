import { container, ephemeralRequest, harden, outcomeKinds, pod, policy, applyStrictly, warningsOf } from '../../../helpers/pods.js';
import { reviewAdmission } from '../../../../src/engine/review.js';

describe('control runAsNonRoot', () => {
  test('sets runAsNonRoot per container, never at pod level, so a container added later is judged on its own', () => {
    const { pod: result, decision } = harden(pod({ containers: [container('app'), container('sidecar')] }));
    expect(result.spec.securityContext?.runAsNonRoot).toBeUndefined();
    expect(result.spec.containers?.every((c) => c.securityContext?.runAsNonRoot === true)).toBe(true);
    expect(outcomeKinds(decision, 'sidecar').runAsNonRoot).toBe('applied');
  });

  test('keeps a pod-level true the user set', () => {
    const { pod: result, decision } = harden(pod({ securityContext: { runAsNonRoot: true } }));
    expect(result.spec.securityContext?.runAsNonRoot).toBe(true);
    expect(result.spec.containers?.[0]?.securityContext?.runAsNonRoot).toBeUndefined();
    expect(outcomeKinds(decision, 'app').runAsNonRoot).toBe('satisfied');
  });

  test('with one container exempt, sets it per container so the exempt one does not inherit it', () => {
    const input = pod({ containers: [container('app'), container('legacy')] }, { annotations: { 'container.pod-hardener.io/legacy': 'runAsNonRoot' } });
    const { pod: result } = harden(input);
    expect(result.spec.securityContext?.runAsNonRoot).toBeUndefined();
    expect(result.spec.containers?.[0]?.securityContext?.runAsNonRoot).toBe(true);
    expect(result.spec.containers?.[1]?.securityContext?.runAsNonRoot).toBeUndefined();
  });

  test.each([
    { name: 'enforce replaces a container false', mode: 'enforce', expected: true, outcome: 'applied' },
    { name: 'fill keeps a container false', mode: 'fill', expected: false, outcome: 'kept' },
  ])('$name', ({ mode, expected, outcome }) => {
    const { pod: result, decision } = harden(pod({ containers: [container('app', { securityContext: { runAsNonRoot: false } })] }), { mode });
    expect(result.spec.containers?.[0]?.securityContext?.runAsNonRoot).toBe(expected);
    expect(outcomeKinds(decision, 'app').runAsNonRoot).toBe(outcome);
  });

  test('enforce removes a pod-level false (restricted rejects it even when containers say true), recorded at pod level', () => {
    const { pod: result, decision } = harden(pod({ securityContext: { runAsNonRoot: false } }));
    expect(result.spec.securityContext?.runAsNonRoot).toBeUndefined();
    expect(result.spec.containers?.[0]?.securityContext?.runAsNonRoot).toBe(true);
    expect(decision.pod.get('runAsNonRoot')?.kind).toBe('applied');
  });

  test('fill keeps a pod-level false and does not override it per container', () => {
    const { pod: result, decision } = harden(pod({ securityContext: { runAsNonRoot: false } }), { mode: 'fill' });
    expect(result.spec.securityContext?.runAsNonRoot).toBe(false);
    expect(result.spec.containers?.[0]?.securityContext?.runAsNonRoot).toBeUndefined();
    expect(outcomeKinds(decision, 'app').runAsNonRoot).toBe('kept');
  });

  test.each([
    { name: 'container runAsUser: 0', spec: { containers: [container('app', { securityContext: { runAsUser: 0 } }), container('web')] } },
    { name: 'pod runAsUser: 0 inherited', spec: { securityContext: { runAsUser: 0 }, containers: [container('app'), container('web', { securityContext: { runAsUser: 1000 } })] } },
  ])('never makes a pod the kubelet refuses: $name', ({ spec }) => {
    const { pod: result, decision } = harden(pod(spec));
    const app = result.spec.containers?.[0];
    const effective = app?.securityContext?.runAsNonRoot ?? result.spec.securityContext?.runAsNonRoot;
    expect(effective).not.toBe(true);
    expect(result.spec.containers?.[1]?.securityContext?.runAsNonRoot).toBe(true);
    expect(outcomeKinds(decision, 'app').runAsNonRoot).toBe('notApplicable');
    expect(warningsOf(decision).join('\n')).toMatch(/container "app": runAsNonRoot not applied: the container runs as uid 0/);
  });

  test.each([
    { mode: 'enforce', expected: undefined },
    { mode: 'fill', expected: 0 },
  ])('$mode: a pod-level runAsUser: 0 that every container overrides ends as $expected', ({ mode, expected }) => {
    const input = pod({ securityContext: { runAsUser: 0 }, containers: [container('app', { securityContext: { runAsUser: 1000 } })] });
    const { pod: result } = harden(input, { mode });
    expect(result.spec.securityContext?.runAsUser).toBe(expected);
  });

  test('defaultRunAsUser gives a uid only to containers that get none from any level', () => {
    const input = pod({
      containers: [container('app'), container('own', { securityContext: { runAsUser: 2000 } })],
      initContainers: [container('init')],
    });
    const { pod: result } = harden(input, { defaultRunAsUser: 10001 });
    expect(result.spec.containers?.[0]?.securityContext?.runAsUser).toBe(10001);
    expect(result.spec.containers?.[1]?.securityContext?.runAsUser).toBe(2000);
    expect(result.spec.initContainers?.[0]?.securityContext?.runAsUser).toBe(10001);
  });

  test('defaultRunAsUser is not used when the pod sets runAsUser', () => {
    const { pod: result } = harden(pod({ securityContext: { runAsUser: 3000 } }), { defaultRunAsUser: 10001 });
    expect(result.spec.containers?.[0]?.securityContext?.runAsUser).toBeUndefined();
  });

  test('Windows pods get runAsNonRoot but never runAsUser', () => {
    const { pod: result } = harden(pod({ os: { name: 'windows' } }), { defaultRunAsUser: 10001 });
    expect(result.spec.containers?.[0]?.securityContext?.runAsNonRoot).toBe(true);
    expect(result.spec.securityContext?.runAsUser).toBeUndefined();
    expect(result.spec.containers?.[0]?.securityContext?.runAsUser).toBeUndefined();
  });

  test('a Windows container running as ContainerAdministrator is left alone', () => {
    const input = pod({ os: { name: 'windows' }, containers: [container('app', { securityContext: { windowsOptions: { runAsUserName: 'ContainerAdministrator' } } })] });
    const { pod: result, decision } = harden(input);
    expect(result.spec.securityContext?.runAsNonRoot).toBeUndefined();
    expect(outcomeKinds(decision, 'app').runAsNonRoot).toBe('notApplicable');
  });

  test('a new ephemeral container gets runAsNonRoot on itself; the pod level is not touched', () => {
    const old = pod({ containers: [container('app')] });
    const withDebug = pod({ containers: [container('app')], ephemeralContainers: [container('debugger')] });
    const decision = reviewAdmission(ephemeralRequest(withDebug, old), { policy: policy() });
    const result = applyStrictly(withDebug, decision.patch);
    expect(result.spec.securityContext).toBeUndefined();
    expect(result.spec.ephemeralContainers?.[0]?.securityContext?.runAsNonRoot).toBe(true);
    expect(decision.patch.every((op) => op.path.startsWith('/spec/ephemeralContainers/0/'))).toBe(true);
  });
});
