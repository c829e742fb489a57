import { describe, expect, it } from '@jest/globals';
import { platformFromNodeSelector, platformMatches, selectPlatform } from '../../../src/images/platform.js';

describe('the platform of a pod', () => {
  it.each([
    ['no nodeSelector', undefined, { os: 'linux', architecture: 'amd64' }],
    ['arch only', { 'kubernetes.io/arch': 'arm64' }, { os: 'linux', architecture: 'arm64' }],
    ['os and arch', { 'kubernetes.io/os': 'windows', 'kubernetes.io/arch': 'amd64' }, { os: 'windows', architecture: 'amd64' }],
    ['other labels only', { disktype: 'ssd' }, { os: 'linux', architecture: 'amd64' }],
    ['an inherited key is not read', Object.create({ 'kubernetes.io/arch': 'arm64' }) as Record<string, string>, { os: 'linux', architecture: 'amd64' }],
  ])('%s', (_name, nodeSelector, platform) => {
    expect(platformFromNodeSelector(nodeSelector)).toEqual(platform);
  });
});

describe('picking a manifest in an index', () => {
  const entries = [
    { digest: 'arm-v7', platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
    { digest: 'amd64', platform: { os: 'linux', architecture: 'amd64' } },
    { digest: 'arm64', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    { digest: 'attestation', platform: undefined },
    { digest: 'windows', platform: { os: 'windows', architecture: 'amd64' } },
  ];

  it.each([
    [{ os: 'linux', architecture: 'amd64' }, 'amd64'],
    [{ os: 'linux', architecture: 'arm64' }, 'arm64'],
    [{ os: 'linux', architecture: 'aarch64' }, 'arm64'],
    [{ os: 'linux', architecture: 'arm' }, 'arm-v7'],
    [{ os: 'linux', architecture: 'arm', variant: 'v6' }, undefined],
    [{ os: 'windows', architecture: 'amd64' }, 'windows'],
    [{ os: 'linux', architecture: 's390x' }, undefined],
  ])('%j → %s', (wanted, digest) => {
    expect(selectPlatform(entries, wanted)?.digest).toBe(digest);
  });

  it('arm64 without a variant is v8', () => {
    expect(platformMatches({ os: 'linux', architecture: 'arm64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' })).toBe(true);
    expect(platformMatches({ os: 'linux', architecture: 'arm64', variant: 'v9' }, { os: 'linux', architecture: 'arm64' })).toBe(false);
  });
});
