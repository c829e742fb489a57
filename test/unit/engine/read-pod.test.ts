/**
 * readPod names the first bad field of a malformed pod, the way a person finds
 * it in the manifest. The field is spelled only when the check fails, so each
 * kind of check is covered here once.
 */
import { PodShapeError, readPod } from '../../../src/engine/pod.js';

function fieldOf(value: unknown): string | undefined {
  try {
    readPod(value, 'request.object');
    return undefined;
  } catch (error) {
    if (!(error instanceof PodShapeError)) throw error;
    return error.message;
  }
}

const app = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ name: 'app', ...extra });

describe('readPod', () => {
  test.each([
    ['a list', [], 'request.object must be an object'],
    ['metadata a string', { metadata: 'x', spec: {} }, 'request.object.metadata must be an object'],
    ['a number annotation', { metadata: { annotations: { a: 1 } }, spec: {} }, 'request.object.metadata.annotations["a"] must be a string'],
    ['labels a list', { metadata: { labels: [] }, spec: {} }, 'request.object.metadata.labels must be an object'],
    ['ownerReferences an object', { metadata: { ownerReferences: {} }, spec: {} }, 'request.object.metadata.ownerReferences must be a list'],
    ['no spec', {}, 'request.object.spec must be an object'],
    ['os a string', { spec: { os: 'linux' } }, 'request.object.spec.os must be an object'],
    ['a pod securityContext list', { spec: { securityContext: [] } }, 'request.object.spec.securityContext must be an object'],
    ['a nameless volume', { spec: { volumes: [{ name: 'a' }, {}] } }, 'request.object.spec.volumes[1] must have a string name'],
    ['containers an object', { spec: { containers: {} } }, 'request.object.spec.containers must be a list'],
    ['a container a string', { spec: { initContainers: [app(), 'x'] } }, 'request.object.spec.initContainers[1] must be an object'],
    ['a nameless container', { spec: { containers: [{}] } }, 'request.object.spec.containers[0].name must be a non-empty string'],
    ['privileged a string', { spec: { containers: [app({ securityContext: { privileged: 'yes' } })] } }, 'request.object.spec.containers[0].securityContext.privileged must be true or false'],
    ['runAsUser a fraction', { spec: { securityContext: { runAsUser: 1.5 } } }, 'request.object.spec.securityContext.runAsUser must be an integer'],
    ['capabilities a list', { spec: { containers: [app({ securityContext: { capabilities: [] } })] } }, 'request.object.spec.containers[0].securityContext.capabilities must be an object'],
    ['a number in add', { spec: { ephemeralContainers: [app({ securityContext: { capabilities: { add: ['NET_ADMIN', 7] } } })] } }, 'request.object.spec.ephemeralContainers[0].securityContext.capabilities.add[1] must be a string'],
    ['drop a string', { spec: { containers: [app({ securityContext: { capabilities: { drop: 'ALL' } } })] } }, 'request.object.spec.containers[0].securityContext.capabilities.drop must be a list'],
    ['seccompProfile a string', { spec: { containers: [app({ securityContext: { seccompProfile: 'RuntimeDefault' } })] } }, 'request.object.spec.containers[0].securityContext.seccompProfile must be an object'],
    ['a number seccomp type', { spec: { securityContext: { seccompProfile: { type: 1 } } } }, 'request.object.spec.securityContext.seccompProfile.type must be a string'],
    ['a mount without a path', { spec: { containers: [app({ volumeMounts: [{ name: 'a' }] })] } }, 'request.object.spec.containers[0].volumeMounts[0] must have a string name and mountPath'],
    ['a device a string', { spec: { containers: [app({ volumeDevices: ['x'] })] } }, 'request.object.spec.containers[0].volumeDevices[0] must be an object'],
  ])('%s', (_case, value, message) => {
    expect(fieldOf(value)).toBe(message);
  });

  test('a well-formed pod, nulls included, is read as it is', () => {
    const pod = { metadata: { annotations: null, labels: { a: 'b' } }, spec: { securityContext: null, volumes: null, containers: [app({ securityContext: { capabilities: null, seccompProfile: null, privileged: null } })] } };
    expect(readPod(pod)).toBe(pod);
  });
});
