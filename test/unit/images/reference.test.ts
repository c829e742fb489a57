import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ImageLookupError } from '../../../src/images/errors.js';
import { apiHost, formatReference, parseReference } from '../../../src/images/reference.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('parseReference: as the container runtime reads an image (distribution/reference ParseNormalizedNamed)', () => {
  it.each([
    ['nginx', 'docker.io', 'library/nginx', 'latest', undefined],
    ['nginx:1.27', 'docker.io', 'library/nginx', '1.27', undefined],
    ['bitnami/nginx', 'docker.io', 'bitnami/nginx', 'latest', undefined],
    ['docker.io/nginx', 'docker.io', 'library/nginx', 'latest', undefined],
    ['index.docker.io/library/nginx:1', 'docker.io', 'library/nginx', '1', undefined],
    ['quay.io/org/app:v2', 'quay.io', 'org/app', 'v2', undefined],
    ['localhost/app', 'localhost', 'app', 'latest', undefined],
    ['localhost:5000/app:dev', 'localhost:5000', 'app', 'dev', undefined],
    ['127.0.0.1:5000/a/b/c', '127.0.0.1:5000', 'a/b/c', 'latest', undefined],
    ['[::1]:5000/app', '[::1]:5000', 'app', 'latest', undefined],
    ['Registry/app', 'Registry', 'app', 'latest', undefined],
    // Without a "/", "localhost:5000" is the image localhost, tag 5000 (the runtime reads it so too).
    ['localhost:5000', 'docker.io', 'library/localhost', '5000', undefined],
    [`nginx@${DIGEST}`, 'docker.io', 'library/nginx', undefined, DIGEST],
    // A digest wins over a tag: the runtime pulls by digest.
    [`ghcr.io/o/app:1.0@${DIGEST}`, 'ghcr.io', 'o/app', undefined, DIGEST],
  ])('%s', (image, registry, repository, tag, digest) => {
    expect(parseReference(image)).toEqual({ registry, repository, tag, digest });
  });

  it.each([
    ['', 'malformed repository name'],
    ['NGINX', 'lowercase'],
    ['nginx:', 'malformed tag'],
    ['nginx:-bad', 'malformed tag'],
    ['nginx@sha256:short', 'malformed digest'],
    ['a'.repeat(64), 'identifier'],
    ['example.com/app//x', 'malformed repository name'],
    ['exa_mple.com:5000/app', 'malformed registry host'],
    [`example.com/${'a'.repeat(260)}`, 'longer than 255'],
  ])('refuses %j (%s)', (image, why) => {
    let error: unknown;
    try {
      parseReference(image);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ImageLookupError);
    expect((error as ImageLookupError).code).toBe('invalid_reference');
    expect((error as ImageLookupError).message).toContain(why);
  });

  it('asks Docker Hub at its API host, every other registry at its own name', () => {
    expect(apiHost('docker.io')).toBe('registry-1.docker.io');
    expect(apiHost('quay.io:443')).toBe('quay.io:443');
  });
});

describe('formatReference', () => {
  const component = fc.stringMatching(/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/).filter((s) => s.length > 0 && s.length < 20);
  const host = fc.oneof(fc.constant('docker.io'), fc.constant('localhost:5000'), fc.constant('registry.example.com'), fc.constant('127.0.0.1:5000'));
  const tag = fc.stringMatching(/^[\w][\w.-]{0,20}$/);
  const digest = fc.stringMatching(/^[a-f0-9]{64}$/).map((hex) => `sha256:${hex}`);

  it('round-trips: the canonical form parses to the same reference (property)', () => {
    fc.assert(
      fc.property(host, fc.array(component, { minLength: 1, maxLength: 3 }), fc.option(tag, { nil: undefined }), fc.option(digest, { nil: undefined }), (registry, path, t, d) => {
        const repository = registry === 'docker.io' && path.length === 1 ? `library/${path[0]}` : path.join('/');
        const reference = { registry, repository, tag: d === undefined ? (t ?? 'latest') : undefined, digest: d };
        expect(parseReference(formatReference(reference))).toEqual(reference);
      }),
    );
  });

  it('gives every spelling of one image one form (one cache entry)', () => {
    const forms = ['nginx', 'nginx:latest', 'docker.io/nginx', 'docker.io/library/nginx:latest', 'index.docker.io/library/nginx'].map((image) => formatReference(parseReference(image)));
    expect(new Set(forms)).toEqual(new Set(['docker.io/library/nginx:latest']));
  });
});
