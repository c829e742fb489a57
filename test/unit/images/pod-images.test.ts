import { describe, expect, it } from '@jest/globals';
import { imagesToLookUp, podPlatform } from '../../../src/images/pod-images.js';

describe('the images and platform of a pod', () => {
  it('takes every container list, each image once, strings only', () => {
    const spec = {
      initContainers: [{ name: 'init', image: 'busybox' }],
      containers: [{ name: 'a', image: 'nginx:1.27' }, { name: 'b', image: 'busybox' }, { name: 'c' }, { name: 'd', image: 42 }, null],
      ephemeralContainers: [{ name: 'debug', image: 'ghcr.io/o/debug@sha256:' + 'a'.repeat(64) }],
    };
    expect(imagesToLookUp(spec)).toEqual(['busybox', 'nginx:1.27', `ghcr.io/o/debug@sha256:${'a'.repeat(64)}`]);
    expect(imagesToLookUp({ containers: 'nginx' })).toEqual([]);
  });

  it('leaves out the images of containers with a runAsUser of their own or from the pod', () => {
    const containers = [{ name: 'a', image: 'own-uid', securityContext: { runAsUser: 1000 } }, { name: 'b', image: 'no-uid' }];
    expect(imagesToLookUp({ containers })).toEqual(['no-uid']);
    expect(imagesToLookUp({ containers, securityContext: { runAsUser: 1000 } })).toEqual([]);
  });

  it.each([
    ['nothing said', {}, { os: 'linux', architecture: 'amd64' }],
    ['a nodeSelector', { nodeSelector: { 'kubernetes.io/arch': 'arm64', 'kubernetes.io/os': 'linux' } }, { os: 'linux', architecture: 'arm64' }],
    ['spec.os.name', { os: { name: 'windows' } }, { os: 'windows', architecture: 'amd64' }],
    ['a non-string selector value', { nodeSelector: { 'kubernetes.io/arch': 7 } }, { os: 'linux', architecture: 'amd64' }],
  ])('%s', (_name, spec, platform) => {
    expect(podPlatform(spec)).toEqual(platform);
  });
});
