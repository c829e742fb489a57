/**
 * Registry credentials from a Docker config JSON: the file a pull secret of
 * type kubernetes.io/dockerconfigjson holds (mounted into the webhook's pod),
 * or ~/.docker/config.json for the offline CLI. Only `auths` is read:
 * credential helpers (`credsStore`, `credHelpers`) run programs, which a
 * webhook must not do. Credentials never leave this module's values into a
 * message: errors name the file and the entry, never its content.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { canonicalRegistry } from './reference.js';

export type Credential =
  /** Sent as Basic auth, to the registry or its token service. */
  | { kind: 'basic'; username: string; password: string }
  /** An OAuth2 refresh token (`identitytoken`), exchanged at the token service. */
  | { kind: 'identity'; username: string; token: string };

/** Credentials by registry host[:port] as references name it ("docker.io", "127.0.0.1:5000"). */
export type CredentialStore = ReadonlyMap<string, Credential>;

export class DockerConfigError extends Error {
  override readonly name = 'DockerConfigError';
}

/**
 * The registry a key of `auths` names. Keys come as written by `docker login`
 * and by kubectl create secret: "registry.example.com", "https://host:5000/v1/",
 * and Docker Hub as "https://index.docker.io/v1/".
 */
export function registryOfAuthKey(key: string): string {
  return canonicalRegistry(key.replace(/^[a-z]+:\/\//i, '').split('/')[0]!);
}

function credentialOf(entry: unknown, where: string): Credential | undefined {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new DockerConfigError(`${where}: not an object`);
  const { auth, username, password, identitytoken } = entry as Record<string, unknown>;
  let user = typeof username === 'string' ? username : '';
  let secret = typeof password === 'string' ? password : '';
  if (typeof auth === 'string' && auth !== '') {
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) throw new DockerConfigError(`${where}: "auth" is not base64 of user:password`);
    user = decoded.slice(0, colon);
    secret = decoded.slice(colon + 1);
  }
  if (typeof identitytoken === 'string' && identitytoken !== '') return { kind: 'identity', username: user, token: identitytoken };
  if (user === '' && secret === '') return undefined;
  return { kind: 'basic', username: user, password: secret };
}

/** The credentials a Docker config JSON text holds. */
export function parseDockerConfig(text: string, source = 'docker config'): CredentialStore {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new DockerConfigError(`${source}: not valid JSON`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new DockerConfigError(`${source}: not a JSON object`);
  const auths: unknown = Object.hasOwn(json, 'auths') ? (json as { auths: unknown }).auths : undefined;
  const store = new Map<string, Credential>();
  if (auths === undefined) return store;
  if (auths === null || typeof auths !== 'object' || Array.isArray(auths)) throw new DockerConfigError(`${source}: "auths" is not an object`);
  for (const [key, entry] of Object.entries(auths)) {
    const credential = credentialOf(entry, `${source}: auths entry "${registryOfAuthKey(key)}"`);
    // Like Docker, the first entry for a registry wins over later aliases of it.
    const registry = registryOfAuthKey(key);
    if (credential !== undefined && !store.has(registry)) store.set(registry, credential);
  }
  return store;
}

/** Reads a Docker config file; an absent file at the default path means no credentials. */
export function loadDockerConfig(path: string, { optional = false }: { optional?: boolean } = {}): CredentialStore {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (optional && (error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw new DockerConfigError(`cannot read the registry config ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  return parseDockerConfig(text, path);
}

/** Where `docker login` writes: $DOCKER_CONFIG/config.json, else ~/.docker/config.json. */
export function defaultDockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json');
}

/** The offline CLI's lookup: the given file, else the user's Docker config if there is one. */
export function loadCliCredentials(registryConfig: string | undefined, env: NodeJS.ProcessEnv = process.env): CredentialStore {
  return registryConfig !== undefined ? loadDockerConfig(registryConfig) : loadDockerConfig(defaultDockerConfigPath(env), { optional: true });
}
