import { describe, expect, it } from '@jest/globals';
import { parseChallenges } from '../../../src/images/www-authenticate.js';

const params = (header: string) => parseChallenges(header).map((c) => ({ scheme: c.scheme, params: Object.fromEntries(c.params) }));

describe('parseChallenges: WWW-Authenticate as registries send it', () => {
  it.each([
    [
      "Docker Hub's bearer challenge",
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      [{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull' } }],
    ],
    ['Basic, as htpasswd registries send it', 'Basic realm="pod-hardener-e2e"', [{ scheme: 'basic', params: { realm: 'pod-hardener-e2e' } }]],
    ['token values and spaces', 'bearer  realm = "https://a/token" , service=svc', [{ scheme: 'bearer', params: { realm: 'https://a/token', service: 'svc' } }]],
    ['escapes inside quotes', 'Bearer realm="a\\"b",error="insufficient_scope"', [{ scheme: 'bearer', params: { realm: 'a"b', error: 'insufficient_scope' } }]],
    [
      'two challenges in one header',
      'Basic realm="x", Bearer realm="https://t/token",service="s"',
      [
        { scheme: 'basic', params: { realm: 'x' } },
        { scheme: 'bearer', params: { realm: 'https://t/token', service: 's' } },
      ],
    ],
    ['an empty header', '', []],
    ['an unterminated quote keeps what was read', 'Bearer service="s",realm="https://t', [{ scheme: 'bearer', params: { service: 's' } }]],
  ])('%s', (_name, header, expected) => {
    expect(params(header)).toEqual(expected);
  });

  it('parameter names are data: __proto__ is an ordinary key', () => {
    const [challenge] = parseChallenges('Bearer __proto__="x",realm="r"');
    expect(challenge!.params.get('__proto__')).toBe('x');
    expect(challenge!.params.get('realm')).toBe('r');
  });
});
