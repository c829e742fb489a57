/**
 * `pod-hardener harden --resolve-images` against a real OCI registry (the
 * CNCF distribution registry that global-setup built): the built executable
 * reads the images' configs as the webhook does, so the preview a CI job
 * shows is what the webhook will do. Images built with tar (oci-image.ts)
 * are pushed over the distribution API; one is read through an htpasswd
 * registry, with credentials from --registry-config, DOCKER_CONFIG or HOME.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { imageLookups } from '../../src/admission/images.js';
import { DEFAULT_CONFIG, loadConfigFile } from '../../src/config/config-file.js';
import { podCreateRequest } from '../../src/engine/admission-request.js';
import { reviewAdmission } from '../../src/engine/review.js';
import { createImageResolver } from '../../src/images/index.js';
import type { WorkloadResult } from '../../src/manifests/harden-manifests.js';
import { CLI, requireBuild } from '../helpers/cli-process.js';
import { until } from '../helpers/eventually.js';
import { buildImage } from './support/oci-image.js';
import { htpasswdLine, pushLayout, startRegistry, type RunningRegistry } from './support/registry.js';

const USER = 'puller';
const PASSWORD = 'e2e-harden-secret-do-not-print';
const AUTH = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');

let work: string;
let anonymous: RunningRegistry;
let basic: RunningRegistry;
/** A HOME with no Docker config: the runner's own ~/.docker/config.json must not take part. */
let emptyHome: string;
let registryConfig: string;
let manifest: string;
let privateManifest: string;
let policyFile: string;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The built executable, as CI runs it; HOME and DOCKER_CONFIG only as the test gives them. */
function harden(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  requireBuild();
  const { DOCKER_CONFIG: _ignored, ...inherited } = process.env;
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, 'harden', ...args], { env: { ...inherited, HOME: emptyHome, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr, ms: Date.now() - started })));
}

type Container = { name: string; image: string; securityContext?: Record<string, unknown> };

/** The containers of every pod template in harden's YAML output, by container name. */
function containers(yaml: string): Map<string, Container> {
  const found = new Map<string, Container>();
  for (const doc of parseAllDocuments(yaml, { version: '1.1' })) {
    const object = doc.toJS() as { kind: string; spec: { containers: Container[]; template?: { spec: { containers: Container[] } } } };
    const spec = object.kind === 'Pod' ? object.spec : object.spec.template!.spec;
    for (const container of spec.containers) found.set(container.name, container);
  }
  return found;
}

const securityContextOf = (yaml: string, name: string): Record<string, unknown> => containers(yaml).get(name)?.securityContext ?? {};

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ph-harden-images-'));
  const storage = join(work, 'storage');
  anonymous = await startRegistry({ storage });
  const images: Array<[string, { name: string; user?: string }]> = [
    ['root', { name: 'root', user: 'root' }],
    ['uid', { name: 'uid', user: '1000' }],
    ['private/app', { name: 'private', user: '1000' }],
  ];
  for (const [repository, spec] of images) await pushLayout(anonymous.host, repository, '1', (await buildImage(spec, join(work, 'layouts'))).layout);
  const htpasswd = join(work, 'htpasswd');
  writeFileSync(htpasswd, `${await htpasswdLine(USER, PASSWORD)}\n`);
  basic = await startRegistry({ storage, auth: { kind: 'htpasswd', file: htpasswd } });

  emptyHome = join(work, 'home');
  mkdirSync(emptyHome);
  registryConfig = join(work, 'registry-config.json');
  writeFileSync(registryConfig, JSON.stringify({ auths: { [basic.host]: { auth: AUTH } } }));
  manifest = join(work, 'app.yaml');
  writeFileSync(
    manifest,
    [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: web',
      'spec:',
      '  selector:',
      '    matchLabels: {app: web}',
      '  template:',
      '    metadata:',
      '      labels: {app: web}',
      '    spec:',
      '      containers:',
      `        - name: as-root`,
      `          image: ${anonymous.host}/root:1`,
      `        - name: as-uid`,
      `          image: ${anonymous.host}/uid:1`,
      '',
    ].join('\n'),
  );
  privateManifest = join(work, 'private.yaml');
  writeFileSync(privateManifest, `apiVersion: v1\nkind: Pod\nmetadata:\n  name: private\nspec:\n  containers:\n    - name: private\n      image: ${basic.host}/private/app:1\n`);
  policyFile = join(work, 'policy.yaml');
  writeFileSync(policyFile, 'defaultRunAsUser: 10001\n');
}, 180_000);

afterAll(async () => {
  await Promise.all([anonymous, basic].filter(Boolean).map((registry) => registry.stop()));
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('harden --resolve-images with a real registry', () => {
  it('an image that runs as root gets no runAsNonRoot and a warning naming the image and the fix; a numeric USER gets runAsNonRoot', async () => {
    const run = await harden(['--resolve-images', '-f', manifest]);
    expect(run.status).toBe(0);
    expect(securityContextOf(run.stdout, 'as-root')).not.toHaveProperty('runAsNonRoot');
    expect(securityContextOf(run.stdout, 'as-uid')).toMatchObject({ runAsNonRoot: true });
    expect(run.stderr).toContain(
      `pod-hardener: warning: ${manifest} document 1 (Deployment web): container "as-root": runAsNonRoot not applied: image ${anonymous.host}/root:1 runs as root (USER root): set runAsUser, or use an image with a numeric non-root USER`,
    );
    expect(run.stderr).not.toContain('as-uid');
  }, 60_000);

  it("without the flag, runAsNonRoot is decided as before images were read (both containers get it, no warning about them)", async () => {
    const run = await harden(['-f', manifest]);
    expect(run.status).toBe(0);
    expect(securityContextOf(run.stdout, 'as-root')).toMatchObject({ runAsNonRoot: true });
    expect(securityContextOf(run.stdout, 'as-uid')).toMatchObject({ runAsNonRoot: true });
    expect(run.stderr).toBe('');
  }, 60_000);

  it("with the policy's defaultRunAsUser, the root image gets that uid (and runAsNonRoot)", async () => {
    const run = await harden(['--resolve-images', '--config', policyFile, '-f', manifest]);
    expect(run.status).toBe(0);
    expect(securityContextOf(run.stdout, 'as-root')).toMatchObject({ runAsUser: 10001, runAsNonRoot: true });
    expect(securityContextOf(run.stdout, 'as-uid')).toMatchObject({ runAsNonRoot: true });
    expect(securityContextOf(run.stdout, 'as-uid')).not.toHaveProperty('runAsUser');
    expect(run.stderr).not.toContain('runs as root');
  }, 60_000);

  it('images.resolve: false in the policy means no lookup, even with the flag', async () => {
    const noResolve = join(work, 'no-resolve.yaml');
    writeFileSync(noResolve, 'images:\n  resolve: false\n');
    await anonymous.logged();
    const before = anonymous.requests.length;
    const run = await harden(['--resolve-images', '--config', noResolve, '-f', manifest]);
    expect(run.status).toBe(0);
    expect(securityContextOf(run.stdout, 'as-root')).toMatchObject({ runAsNonRoot: true });
    await anonymous.logged();
    expect(anonymous.requests.length).toBe(before + 1); // only logged()'s own marker
  }, 60_000);
});

describe('credentials for a private registry (htpasswd)', () => {
  const expectNoCredential = (run: Run): void => {
    for (const text of [run.stdout, run.stderr]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(AUTH);
    }
  };

  it('without credentials the image is unreadable, and the warning says images.unreadable: skip applied', async () => {
    const run = await harden(['--resolve-images', '-f', privateManifest]);
    expect(run.status).toBe(0);
    expect(securityContextOf(run.stdout, 'private')).not.toHaveProperty('runAsNonRoot');
    expect(run.stderr).toContain(`runAsNonRoot not applied: image ${basic.host}/private/app:1 could not be read, and images.unreadable is skip`);
    expect(run.stderr).toMatch(/credentials/);
    expectNoCredential(run);
  }, 60_000);

  it('with images.unreadable: harden, the unreadable image is hardened as if non-root, and the warning says so', async () => {
    const hardenUnreadable = join(work, 'harden-unreadable.yaml');
    writeFileSync(hardenUnreadable, 'images:\n  unreadable: harden\n');
    const run = await harden(['--resolve-images', '--config', hardenUnreadable, '-f', privateManifest]);
    expect(run.status).toBe(0);
    expect(securityContextOf(run.stdout, 'private')).toMatchObject({ runAsNonRoot: true });
    expect(run.stderr).toContain(`image ${basic.host}/private/app:1 could not be read; hardened as if non-root (images.unreadable: harden)`);
  }, 60_000);

  it.each([
    ['--registry-config', (): [string[], NodeJS.ProcessEnv] => [['--registry-config', registryConfig], {}]],
    [
      'DOCKER_CONFIG',
      (): [string[], NodeJS.ProcessEnv] => {
        const dir = join(work, 'docker-config-dir');
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { [basic.host]: { auth: AUTH } } }));
        return [[], { DOCKER_CONFIG: dir }];
      },
    ],
    [
      'HOME (~/.docker/config.json)',
      (): [string[], NodeJS.ProcessEnv] => {
        const home = join(work, 'home-with-config');
        mkdirSync(join(home, '.docker'), { recursive: true });
        writeFileSync(join(home, '.docker', 'config.json'), JSON.stringify({ auths: { [basic.host]: { username: USER, password: PASSWORD } } }));
        return [[], { HOME: home }];
      },
    ],
  ])('read with credentials from %s: runAsNonRoot, no warning, no credential printed', async (_from, setup) => {
    const [args, env] = setup();
    // (The registry logs no line for a request it refuses for want of credentials, so logged() cannot be used here.)
    const before = basic.requests.length;
    const run = await harden(['--resolve-images', ...args, '-f', privateManifest], env);
    expect(run.status).toBe(0);
    expect(securityContextOf(run.stdout, 'private')).toMatchObject({ runAsNonRoot: true });
    expect(run.stderr).toBe('');
    expectNoCredential(run);
    // Read from the registry, not decided without it: the manifest and the config were served to this run.
    const served = (): string[] => basic.requests.slice(before).filter((request) => request.status === 200 && request.method === 'GET').map((request) => request.uri.replace(/sha256:[0-9a-f]+/, 'sha256:…'));
    await until('the registry to log the reads', () => served().includes('/v2/private/app/manifests/1') && served().includes('/v2/private/app/blobs/sha256:…'), { timeoutMs: 10_000, intervalMs: 20 });
  }, 60_000);

  it('a registry config that cannot be read is an error naming the file, exit 1, nothing on stdout', async () => {
    const broken = join(work, 'broken.json');
    writeFileSync(broken, `{"auths": {"${basic.host}": {"auth": "${AUTH}"`);
    const run = await harden(['--resolve-images', '--registry-config', broken, '-f', privateManifest]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`pod-hardener: ${broken}: not valid JSON\n`);
    expectNoCredential(run);
  }, 60_000);
});

describe('the same patch as the webhook', () => {
  it.each([
    ['the default policy', (): string[] => []],
    ['defaultRunAsUser', (): string[] => ['--config', policyFile]],
  ])('%s: every pod template gets the patch the webhook engine gives for the same lookups', async (_name, extra) => {
    const args = extra();
    const run = await harden(['--resolve-images', '--registry-config', registryConfig, ...args, '-o', 'patch', '-f', manifest, '-f', privateManifest]);
    expect(run.status).toBe(0);
    const workloads = JSON.parse(run.stdout) as WorkloadResult[];
    expect(workloads.map((w) => `${w.kind} ${w.name}`)).toEqual(['Deployment web', 'Pod private']);
    const policy = args.length > 0 ? loadConfigFile(policyFile).policy : DEFAULT_CONFIG.policy;
    // The webhook's own path: its resolver (credentials from the mounted file) and its imageLookups.
    const resolver = createImageResolver({ policy: policy.images, dockerConfigFile: registryConfig });
    try {
      const lookUp = imageLookups(resolver, []);
      const pods = [
        { apiVersion: 'v1', kind: 'Pod', metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'as-root', image: `${anonymous.host}/root:1` }, { name: 'as-uid', image: `${anonymous.host}/uid:1` }] } },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'private' }, spec: { containers: [{ name: 'private', image: `${basic.host}/private/app:1` }] } },
      ];
      for (const [index, pod] of pods.entries()) {
        const request = podCreateRequest(pod, { namespace: 'default' });
        const images = await lookUp(request, policy);
        expect(images?.size).toBe(pod.spec.containers.length);
        const decision = reviewAdmission(request, { policy, ...(images ? { images } : {}) });
        expect(workloads[index]!.patch).toEqual(decision.patch);
      }
    } finally {
      resolver.close();
    }
  }, 60_000);
});
