import { container, ephemeralRequest, harden, outcomeKinds, pod, policy, applyStrictly, warningsOf } from '../../../helpers/pods.js';
import { apiValidationErrors } from '../../../helpers/api-rules.js';
import { reviewAdmission } from '../../../../src/engine/review.js';

describe('control readOnlyRootFilesystem', () => {
  test('sets a read-only root and mounts a writable emptyDir at /tmp', () => {
    const { pod: result } = harden(pod());
    const app = result.spec.containers?.[0];
    expect(app?.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(app?.volumeMounts).toEqual([{ name: 'ph-app-tmp', mountPath: '/tmp' }]);
    expect(result.spec.volumes).toEqual([{ name: 'ph-app-tmp', emptyDir: {} }]);
  });

  test('gives each container its own /tmp, as each had before', () => {
    const { pod: result } = harden(pod({ initContainers: [container('init')], containers: [container('app'), container('web')] }));
    expect(result.spec.volumes?.map((v) => v.name)).toEqual(['ph-init-tmp', 'ph-app-tmp', 'ph-web-tmp']);
    expect(apiValidationErrors(result)).toEqual([]);
  });

  test.each(['/tmp', '/tmp/', '/tmp/.'])('does not mount /tmp again where the container mounts %s', (mountPath) => {
    const input = pod({ volumes: [{ name: 'scratch', emptyDir: {} }], containers: [container('app', { volumeMounts: [{ name: 'scratch', mountPath }] })] });
    const { pod: result } = harden(input);
    expect(result.spec.containers?.[0]?.volumeMounts).toEqual([{ name: 'scratch', mountPath }]);
    expect(result.spec.volumes).toEqual([{ name: 'scratch', emptyDir: {} }]);
  });

  test('never reuses an existing volume name', () => {
    const input = pod({ volumes: [{ name: 'ph-app-tmp', configMap: { name: 'x' } }], containers: [container('app')] });
    const { pod: result } = harden(input);
    expect(result.spec.volumes?.map((v) => v.name)).toEqual(['ph-app-tmp', 'ph-app-tmp-2']);
    expect(result.spec.containers?.[0]?.volumeMounts).toEqual([{ name: 'ph-app-tmp-2', mountPath: '/tmp' }]);
  });

  test('long container names still give valid, unique volume names', () => {
    const long = 'a'.repeat(60);
    const { pod: result } = harden(pod({ containers: [container(long), container(`${long}b`)] }));
    expect(apiValidationErrors(result)).toEqual([]);
    expect(result.spec.volumes?.every((v) => v.name.length <= 63)).toBe(true);
  });

  test('mounts writable-paths beside /tmp', () => {
    const input = pod({}, { annotations: { 'pod-hardener.io/writable-paths': '/var/cache/nginx, /run' } });
    const { pod: result } = harden(input);
    expect(result.spec.containers?.[0]?.volumeMounts?.map((m) => m.mountPath)).toEqual(['/tmp', '/var/cache/nginx', '/run']);
    expect(apiValidationErrors(result)).toEqual([]);
  });

  test('bad writable paths are ignored with a warning', () => {
    const input = pod({}, { annotations: { 'pod-hardener.io/writable-paths': 'relative, /a/../b, /ok' } });
    const { pod: result, decision } = harden(input);
    expect(result.spec.containers?.[0]?.volumeMounts?.map((m) => m.mountPath)).toEqual(['/tmp', '/ok']);
    expect(warningsOf(decision).filter((w: string) => w.includes('writable-paths'))).toHaveLength(2);
  });

  test('fill keeps an explicit readOnlyRootFilesystem: false and adds no mounts', () => {
    const input = pod({ containers: [container('app', { securityContext: { readOnlyRootFilesystem: false } })] });
    const { pod: result, decision } = harden(input, { mode: 'fill' });
    expect(result.spec.containers?.[0]?.securityContext?.readOnlyRootFilesystem).toBe(false);
    expect(result.spec.volumes).toBeUndefined();
    expect(outcomeKinds(decision, 'app').readOnlyRootFilesystem).toBe('kept');
  });

  test('not applied where /tmp is a block device path of the container', () => {
    const input = pod({
      volumes: [{ name: 'disk', persistentVolumeClaim: { claimName: 'disk' } }],
      containers: [container('app', { volumeDevices: [{ name: 'disk', devicePath: '/tmp' }] })],
    });
    const { pod: result, decision } = harden(input);
    expect(result.spec.containers?.[0]?.securityContext?.readOnlyRootFilesystem).toBeUndefined();
    expect(apiValidationErrors(result)).toEqual([]);
    expect(outcomeKinds(decision, 'app').readOnlyRootFilesystem).toBe('notApplicable');
  });

  test('a new ephemeral container gets no volume, so its root stays writable, with a warning', () => {
    const old = pod();
    const withDebug = pod({ ephemeralContainers: [container('debugger')] });
    const decision = reviewAdmission(ephemeralRequest(withDebug, old), { policy: policy() });
    const result = applyStrictly(withDebug, decision.patch);
    expect(result.spec.volumes).toBeUndefined();
    expect(result.spec.ephemeralContainers?.[0]?.securityContext?.readOnlyRootFilesystem).toBeUndefined();
    expect(warningsOf(decision).join('\n')).toMatch(/container "debugger": readOnlyRootFilesystem not applied: an ephemeral container cannot get new volumes/);
  });

  test('a new ephemeral container that mounts an existing /tmp volume gets a read-only root', () => {
    const old = pod({ volumes: [{ name: 'scratch', emptyDir: {} }] });
    const withDebug = pod({ volumes: [{ name: 'scratch', emptyDir: {} }], ephemeralContainers: [container('debugger', { volumeMounts: [{ name: 'scratch', mountPath: '/tmp' }] })] });
    const decision = reviewAdmission(ephemeralRequest(withDebug, old), { policy: policy() });
    const result = applyStrictly(withDebug, decision.patch);
    expect(result.spec.ephemeralContainers?.[0]?.securityContext?.readOnlyRootFilesystem).toBe(true);
  });
});
