import { describe, expect, it } from '@jest/globals';
import { policySchema, type ImagesPolicy } from '../../../src/config/policy.js';
import { endpointFor, registryMatches } from '../../../src/images/registry-access.js';

const policy = (images: Partial<ImagesPolicy>): ImagesPolicy => policySchema.parse({ images }).images;

describe('which registry is asked, and how', () => {
  it.each([
    ['registry.example.com', 'registry.example.com', true],
    ['registry.example.com', 'registry.example.com:5000', true],
    ['registry.example.com:5000', 'registry.example.com', false],
    ['*.example.com', 'a.b.example.com:443', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'badexample.com', false],
    ['[::1]', '[::1]:5000', true],
    ['Docker.io', 'docker.io', true],
    ['index.docker.io', 'docker.io', true],
    ['registry-1.docker.io', 'docker.io', true],
  ])('pattern %s matches %s: %s', (pattern, registry, matches) => {
    expect(registryMatches(pattern, registry)).toBe(matches);
  });

  it.each([
    ['docker.io', {}, 'https://registry-1.docker.io'],
    ['localhost:5000', {}, 'http://localhost:5000'],
    ['127.0.0.2:5000', {}, 'http://127.0.0.2:5000'],
    ['[::1]:5000', {}, 'http://[::1]:5000'],
    ['registry.lan:5000', {}, 'https://registry.lan:5000'],
    ['registry.lan:5000', { insecureRegistries: ['registry.lan'] }, 'http://registry.lan:5000'],
    ['docker.io', { mirrors: { 'docker.io': 'mirror.example.com' } }, 'https://mirror.example.com'],
    ['docker.io', { mirrors: { 'index.docker.io': 'mirror.example.com' } }, 'https://mirror.example.com'],
    ['quay.io', { mirrors: { 'docker.io': 'mirror.example.com' } }, 'https://quay.io'],
    ['docker.io', { allowedRegistries: ['docker.io', '*.example.com'] }, 'https://registry-1.docker.io'],
  ])('%s with %j → %s', (registry, images, base) => {
    expect(endpointFor(registry, policy(images), 'x').base).toBe(base);
  });

  it('denies before any request, naming the list; the deny list beats the allow list', () => {
    expect(() => endpointFor('quay.io', policy({ allowedRegistries: ['docker.io'] }), 'quay.io/a')).toThrow('registry quay.io is not in the policy\'s images.allowedRegistries');
    expect(() => endpointFor('evil.example.com', policy({ allowedRegistries: ['*.example.com'], deniedRegistries: ['evil.example.com'] }), 'e')).toThrow('images.deniedRegistries');
  });

  it('the policy refuses malformed registry patterns and mirrors', () => {
    expect(() => policySchema.parse({ images: { allowedRegistries: ['https://docker.io'] } })).toThrow();
    expect(() => policySchema.parse({ images: { mirrors: { 'docker.io': '*.example.com' } } })).toThrow();
    expect(() => policySchema.parse({ images: { unknown: true } })).toThrow();
    expect(policySchema.parse({}).images).toEqual({ resolve: true, unreadable: 'skip', allowedRegistries: [], deniedRegistries: [], insecureRegistries: [], mirrors: {}, timeoutMs: 2000, cacheTtlSeconds: 300, cacheSize: 1000 });
  });
});
