import { container, harden, outcomeKinds, pod } from '../../../helpers/pods.js';
import type { Capabilities } from '../../../../src/engine/pod.js';

function capabilitiesAfter(capabilities: Capabilities | undefined, policy: Record<string, unknown> = {}) {
  const input = pod({ containers: [container('app', { securityContext: capabilities ? { capabilities } : {} })] });
  const { pod: result, decision } = harden(input, policy);
  return { capabilities: result.spec.containers?.[0]?.securityContext?.capabilities, outcome: outcomeKinds(decision, 'app').capabilities };
}

describe('control capabilities', () => {
  test.each([
    { name: 'adds drop ALL where nothing is set', input: undefined, policy: {}, expected: { drop: ['ALL'] }, outcome: 'applied' },
    { name: 'appends ALL to an explicit drop list in enforce', input: { drop: ['NET_RAW'] }, policy: {}, expected: { drop: ['NET_RAW', 'ALL'] }, outcome: 'applied' },
    { name: 'keeps an allowed added capability', input: { add: ['NET_BIND_SERVICE'] }, policy: {}, expected: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] }, outcome: 'applied' },
    { name: 'removes capabilities the policy does not allow', input: { add: ['NET_ADMIN', 'CAP_SYS_ADMIN', 'NET_BIND_SERVICE'], drop: ['ALL'] }, policy: {}, expected: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] }, outcome: 'applied' },
    { name: 'removes add entirely when nothing is left', input: { add: ['SYS_PTRACE'], drop: ['ALL'] }, policy: {}, expected: { drop: ['ALL'] }, outcome: 'applied' },
    { name: 'matches capabilities with or without CAP_ and in any case, and writes them as the policy does', input: { add: ['cap_net_admin'], drop: ['ALL'] }, policy: { allowedCapabilities: ['NET_ADMIN'] }, expected: { add: ['NET_ADMIN'], drop: ['ALL'] }, outcome: 'applied' },
    { name: 'CAP_NET_BIND_SERVICE becomes NET_BIND_SERVICE (restricted checks that exact string)', input: { add: ['CAP_NET_BIND_SERVICE', 'NET_BIND_SERVICE'], drop: ['ALL'] }, policy: {}, expected: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] }, outcome: 'applied' },
    { name: 'fill keeps any spelling', input: { add: ['CAP_NET_BIND_SERVICE'], drop: ['ALL'] }, policy: { mode: 'fill' }, expected: { add: ['CAP_NET_BIND_SERVICE'], drop: ['ALL'] }, outcome: 'satisfied' },
    { name: 'fill fills an absent drop list but keeps add', input: { add: ['SYS_PTRACE'] }, policy: { mode: 'fill' }, expected: { add: ['SYS_PTRACE'], drop: ['ALL'] }, outcome: 'applied' },
    { name: 'fill keeps an explicit drop list without ALL', input: { drop: ['NET_RAW'] }, policy: { mode: 'fill' }, expected: { drop: ['NET_RAW'] }, outcome: 'kept' },
    { name: 'an already hardened container is left alone', input: { drop: ['ALL'] }, policy: {}, expected: { drop: ['ALL'] }, outcome: 'satisfied' },
  ])('$name', ({ input, policy, expected, outcome }) => {
    const result = capabilitiesAfter(input, policy);
    expect(result.capabilities).toEqual(expected);
    expect(result.outcome).toBe(outcome);
  });
});
