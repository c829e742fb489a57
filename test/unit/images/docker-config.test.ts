import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultDockerConfigPath, DockerConfigError, loadCliCredentials, loadDockerConfig, parseDockerConfig, registryOfAuthKey } from '../../../src/images/docker-config.js';

const b64 = (text: string): string => Buffer.from(text).toString('base64');

describe('Docker config JSON (a dockerconfigjson pull secret, ~/.docker/config.json)', () => {
  it.each([
    ['registry.example.com', 'registry.example.com'],
    ['https://registry.example.com:5000/v1/', 'registry.example.com:5000'],
    ['http://127.0.0.1:5000', '127.0.0.1:5000'],
    ['https://index.docker.io/v1/', 'docker.io'],
    ['index.docker.io', 'docker.io'],
    ['Registry.Example.com', 'registry.example.com'],
  ])('auths key %s names the registry %s', (key, registry) => {
    expect(registryOfAuthKey(key)).toBe(registry);
  });

  it('reads auth (base64 user:password, a password may hold ":"), username/password, and identitytoken', () => {
    const store = parseDockerConfig(
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: b64('hub-user:pa:ss') },
          'quay.io': { username: 'q', password: 'p' },
          'azurecr.example.io': { auth: b64('00000000-0000-0000-0000-000000000000:'), identitytoken: 'refresh' },
          'empty.example.com': {},
        },
        credsStore: 'desktop',
      }),
    );
    expect(Object.fromEntries(store)).toEqual({
      'docker.io': { kind: 'basic', username: 'hub-user', password: 'pa:ss' },
      'quay.io': { kind: 'basic', username: 'q', password: 'p' },
      'azurecr.example.io': { kind: 'identity', username: '00000000-0000-0000-0000-000000000000', token: 'refresh' },
    });
  });

  it('the first entry of one registry wins over later aliases', () => {
    const store = parseDockerConfig(JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: b64('first:1') }, 'docker.io': { auth: b64('second:2') } } }));
    expect(store.get('docker.io')).toEqual({ kind: 'basic', username: 'first', password: '1' });
  });

  it.each([
    ['not JSON', '{', 'not valid JSON'],
    ['an array', '[]', 'not a JSON object'],
    ['auths not an object', '{"auths":[]}', '"auths" is not an object'],
    ['an entry not an object', '{"auths":{"r.io":"x"}}', 'auths entry "r.io": not an object'],
    ['auth without a colon', `{"auths":{"r.io":{"auth":"${b64('secret-without-colon')}"}}}`, 'not base64 of user:password'],
  ])('refuses %s with a message that names the problem and no secret', (_name, text, message) => {
    expect(() => parseDockerConfig(text, 'pull-secret.json')).toThrow(DockerConfigError);
    expect(() => parseDockerConfig(text, 'pull-secret.json')).toThrow(message);
    try {
      parseDockerConfig(text, 'pull-secret.json');
    } catch (error) {
      expect((error as Error).message).not.toContain('secret-without-colon');
    }
  });

  it('files: the given file must exist; the default location may be absent', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ph-docker-config-'));
    expect(() => loadDockerConfig(join(dir, 'absent.json'))).toThrow('cannot read the registry config');
    expect(loadCliCredentials(undefined, { DOCKER_CONFIG: dir }).size).toBe(0);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { 'r.io': { username: 'u', password: 'p' } } }));
    expect(defaultDockerConfigPath({ DOCKER_CONFIG: dir })).toBe(join(dir, 'config.json'));
    expect(loadCliCredentials(undefined, { DOCKER_CONFIG: dir }).get('r.io')).toEqual({ kind: 'basic', username: 'u', password: 'p' });
    expect(() => loadCliCredentials(join(dir, 'absent.json'), {})).toThrow(DockerConfigError);
  });
});
