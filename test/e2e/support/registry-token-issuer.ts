/**
 * Test scaffolding for the registry's token auth (the registry itself is
 * real): a token endpoint on loopback that checks Basic credentials against
 * one user and signs ES256 JWTs granting pull on the asked repository, with
 * the public key in a JWKS file the registry trusts by key id
 * (distribution/registry/auth/token: `jwks`, `kid`). Answers 401 to wrong or
 * missing credentials, like Docker Hub's token service does for private repositories.
 */
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TokenIssuer {
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  readonly jwksFile: string;
  /** Token requests answered with a token. */
  readonly issued: number;
  stop(): Promise<void>;
}

const base64url = (value: Buffer | string): string => Buffer.from(value).toString('base64url');

function jwt(key: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const signingInput = `${base64url(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid }))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${base64url(signature)}`;
}

export async function startTokenIssuer(options: { user: string; password: string; jwksFile: string }): Promise<TokenIssuer> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = randomUUID();
  writeFileSync(options.jwksFile, JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' }] }));
  const service = 'pod-hardener-e2e-registry';
  const issuer = 'pod-hardener-e2e-issuer';
  const expected = `Basic ${Buffer.from(`${options.user}:${options.password}`).toString('base64')}`;
  let issued = 0;

  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.headers.authorization !== expected) {
      response.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"incorrect username or password"}');
      return;
    }
    // scope=repository:<name>:pull[,push]
    const access = url.searchParams.getAll('scope').flatMap((scope) => {
      const [type, name, actions] = scope.split(':');
      return type === 'repository' && name && actions ? [{ type, name, actions: actions.split(',') }] : [];
    });
    const now = Math.floor(Date.now() / 1000);
    const token = jwt(privateKey, kid, { iss: issuer, sub: options.user, aud: url.searchParams.get('service'), exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(), access });
    issued += 1;
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, expires_in: 300 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    jwksFile: options.jwksFile,
    get issued() {
      return issued;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
