import { describe, expect, it } from '@jest/globals';
import { MEDIA_TYPES, parseConfig, parseManifest, verifyDigest } from '../../../src/images/manifest.js';

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

describe('parseManifest', () => {
  it('an OCI index, a Docker manifest list, or an index told by its Content-Type only', () => {
    const manifests = [{ digest: D1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }, { digest: D2 }];
    const expected = { kind: 'index', entries: [{ digest: D1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }, { digest: D2, platform: undefined }] };
    expect(parseManifest(json({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests }), null, 'i')).toEqual(expected);
    expect(parseManifest(json({ schemaVersion: 2, mediaType: MEDIA_TYPES.dockerList, manifests }), null, 'i')).toEqual(expected);
    expect(parseManifest(json({ schemaVersion: 2, manifests }), `${MEDIA_TYPES.ociIndex}; charset=utf-8`, 'i')).toEqual(expected);
  });

  it('a manifest names its config', () => {
    expect(parseManifest(json({ schemaVersion: 2, mediaType: MEDIA_TYPES.dockerManifest, config: { digest: D1 } }), null, 'm')).toEqual({ kind: 'manifest', configDigest: D1 });
  });

  it.each([
    ['a config digest that is no digest', { schemaVersion: 2, config: { digest: '../../etc' } }, 'without a valid digest'],
    ['an index entry without a digest', { schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: [{}] }, 'without a valid digest'],
    ['an index without manifests', { schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex }, 'without manifests'],
    ['an array', [], 'not a JSON object'],
  ])('refuses %s', (_name, value, message) => {
    expect(() => parseManifest(json(value), null, 'image "x"')).toThrow(message);
  });
});

describe('parseConfig', () => {
  it.each([
    ['User and Volumes', { config: { User: '1000:1000', Volumes: { '/b': {}, '/a': {} } } }, { user: '1000:1000', volumes: ['/a', '/b'] }],
    ['no User, null Volumes', { config: { Volumes: null } }, { user: '', volumes: [] }],
    ['no config at all', { architecture: 'amd64' }, { user: '', volumes: [] }],
  ])('%s', (_name, value, expected) => {
    expect(parseConfig(json(value), 'c')).toEqual(expected);
  });

  it.each([
    ['a numeric User', { config: { User: 0 } }, 'config.User is not a string'],
    ['Volumes as a list', { config: { Volumes: ['/data'] } }, 'config.Volumes is not an object'],
    ['config as a string', { config: 'x' }, '"config" is not an object'],
  ])('refuses %s', (_name, value, message) => {
    expect(() => parseConfig(json(value), 'c')).toThrow(message);
  });
});

describe('verifyDigest', () => {
  it('accepts the bytes a digest names, sha256 or sha512, and nothing else', () => {
    const bytes = Buffer.from('hello');
    expect(() => verifyDigest(bytes, 'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824', 'b')).not.toThrow();
    expect(() => verifyDigest(bytes, `sha512:${'0'.repeat(128)}`, 'b')).toThrow('does not match its digest');
    expect(() => verifyDigest(bytes, `md5:${'0'.repeat(32)}`, 'b')).toThrow('unsupported digest md5');
  });
});
