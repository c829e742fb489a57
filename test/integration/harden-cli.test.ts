/** `pod-hardener harden` as a user runs it: the real executable, files, directories and stdin. */
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, jest } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { CLI, requireBuild } from '../helpers/cli-process.js';
import { postJson } from '../helpers/https.js';
import { decodePatch, reviewOf } from '../helpers/reviews.js';
import { startTestWebhook } from '../helpers/webhook.js';
import type { WorkloadResult } from '../../src/manifests/harden-manifests.js';
import { getPath } from '../../src/manifests/workloads.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/manifests/', import.meta.url));

// Each test spawns the executable, some several times and one with 100 MB of input; on a busy
// machine that takes seconds (correctness is what is tested here, not speed).
jest.setTimeout(60_000);

function harden(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  requireBuild();
  const result = spawnSync(process.execPath, [CLI, 'harden', ...args], { input: input ?? '', encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('pod-hardener harden', () => {
  test('a directory, recursively: every manifest printed hardened, warnings on stderr, exit 0', () => {
    const run = harden(['-f', FIXTURES]);
    expect(run.status).toBe(0);
    const docs = parseAllDocuments(run.stdout, { version: '1.1' }).map((d) => d.toJS() as { kind?: string } | null);
    expect(docs.filter((d) => d?.kind).map((d) => d?.kind)).toEqual([
      'CronJob', 'Deployment', 'Service', 'List', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'Pod', 'StatefulSet',
      // styles/: hand-written, helm, job-and-pod, kubectl, kustomize, no-trailing-newline, pod.json
      'DaemonSet', 'ServiceAccount', 'Deployment', 'Service', 'CronJob', 'Pod', 'Deployment', 'ConfigMap', 'StatefulSet', 'Pod', 'Pod',
      'Deployment',
    ]);
    expect(run.stderr).toContain('pod-hardener: warning: ');
    expect(run.stderr).toMatch(/statefulset-exempt-privileged\.yaml document 1 \(StatefulSet storage-agent\): container "agent": allowPrivilegeEscalation not applied/);
  });

  test('stdin, with no -f and with -f -', () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: x}]\n';
    for (const args of [[], ['-f', '-']]) {
      const run = harden(args, pod);
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('allowPrivilegeEscalation: false');
    }
  });

  test('--output patch gives, per pod template, the same JSON Patch the webhook returns for that pod', async () => {
    const run = harden(['-f', FIXTURES, '-o', 'patch']);
    expect(run.status).toBe(0);
    const workloads = JSON.parse(run.stdout) as WorkloadResult[];
    expect(workloads.length).toBe(18);
    const hook = await startTestWebhook();
    try {
      for (const workload of workloads) {
        const text = readFileSync(workload.file, 'utf8');
        const document = parseAllDocuments(text, { version: '1.1' })[workload.document - 1]?.toJS() as Record<string, unknown>;
        const object = workload.item ? (document.items as Array<Record<string, unknown>>)[workload.item - 1] : document;
        const path = workload.templatePath.split('/').filter(Boolean);
        const template = getPath(object, path) as Record<string, unknown>;
        const namespace = String(getPath(object, ['metadata', 'namespace']) ?? 'default');
        const pod = { apiVersion: 'v1', kind: 'Pod', metadata: template.metadata, spec: template.spec };
        if (pod.metadata === undefined) delete (pod as Record<string, unknown>).metadata;
        const res = await postJson(`${hook.url}/mutate`, hook.ca, reviewOf(pod, { namespace }));
        const fromWebhook = decodePatch(res.json<{ response: { patch?: string } }>().response);
        expect({ workload: `${workload.kind} ${workload.name}`, patch: workload.patch }).toEqual({ workload: `${workload.kind} ${workload.name}`, patch: fromWebhook });
      }
    } finally {
      await hook.stop();
    }
  });

  test('--output diff is a unified diff a reviewer can read', () => {
    const run = harden(['-f', join(FIXTURES, 'pod.yaml'), '-o', 'diff']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^--- a\/.*pod\.yaml\n\+\+\+ b\/.*pod\.yaml\n@@ /);
    expect(run.stdout).toContain('+        readOnlyRootFilesystem: true');
    expect(run.stdout).not.toMatch(/^[-+] {2}name: hello/m);
  });

  // (Not no-trailing-newline.yaml: its last line gains a newline when lines come after it, which a line diff shows as a changed line.)
  test.each(['helm.yaml', 'kubectl.yaml', 'hand-written.yaml'])('--output diff of %s shows only the hardening: added lines, none taken away', (name) => {
    const file = join(FIXTURES, 'styles', name);
    const run = harden(['-f', file, '-o', 'diff']);
    expect(run.status).toBe(0);
    const added = run.stdout.match(/^\+(?!\+\+ )/gm) ?? [];
    const hardened = harden(['-f', file]).stdout;
    const lineCount = (text: string): number => text.split('\n').length;
    expect(run.stdout.match(/^-(?!-- )/gm)).toBeNull();
    expect(added.length).toBe(lineCount(hardened) - lineCount(readFileSync(file, 'utf8')));
    expect(added.length).toBeGreaterThan(0);
  });

  test('--output yaml gives a file without a final newline back without one, and a JSON file back as JSON', () => {
    const bare = harden(['-f', join(FIXTURES, 'styles', 'no-trailing-newline.yaml')]).stdout;
    expect(bare.endsWith('emptyDir: {}')).toBe(true);
    const json = harden(['-f', join(FIXTURES, 'styles', 'pod.json')]).stdout;
    expect((JSON.parse(json) as { spec: { volumes: unknown[] } }).spec.volumes).toEqual([{ name: 'ph-app-tmp', emptyDir: {} }]);
  });

  test('--fail-on-change exits 0 when nothing would change', () => {
    const service = 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n';
    const run = harden(['-f', '-', '--fail-on-change', '-o', 'diff'], service);
    expect(run).toMatchObject({ status: 0, stdout: '', stderr: '' });
  });

  test('--fail-on-change exits 2 while something would change, 0 once the manifests are hardened', () => {
    const changed = harden(['-f', join(FIXTURES, 'deployment.yaml'), '--fail-on-change']);
    expect(changed.status).toBe(2);
    expect(changed.stderr).toMatch(/--fail-on-change/);
    const hardened = harden(['-f', '-', '--fail-on-change'], changed.stdout);
    expect(hardened.status).toBe(0);
    expect(hardened.stdout).toBe(changed.stdout);
  });

  test('--config takes the same policy file as the webhook, and --mode overrides its mode', () => {
    const directory = mkdtempSync(join(tmpdir(), 'ph-harden-'));
    const config = join(directory, 'policy.yaml');
    writeFileSync(config, 'mode: audit\nallowedCapabilities: [NET_BIND_SERVICE, NET_ADMIN]\n');
    const audit = harden(['-f', join(FIXTURES, 'deployment.yaml'), '--config', config]);
    expect(audit.stdout).toBe(readFileSync(join(FIXTURES, 'deployment.yaml'), 'utf8'));
    const enforced = harden(['-f', join(FIXTURES, 'deployment.yaml'), '--config', config, '--mode', 'enforce']);
    expect(enforced.stdout).toContain('add: [NET_ADMIN]');
  });

  test.each([
    { name: 'an unreadable file', args: ['-f', '/nonexistent/app.yaml'], message: /^pod-hardener: \/nonexistent\/app.yaml: cannot read: ENOENT/ },
    { name: 'invalid YAML', args: ['-f', '-'], input: 'apiVersion: v1\n---\nkind: Pod\nspec: [\n', message: /^pod-hardener: stdin document 2: invalid YAML: / },
    { name: 'a document that is not an object', args: ['-f', '-'], input: 'kind: ConfigMap\n---\n42\n', message: /^pod-hardener: stdin document 2: not an object/ },
    { name: 'a bad policy file', args: ['-f', '-', '--config', '/nonexistent/policy.yaml'], input: '', message: /^pod-hardener: \/nonexistent\/policy.yaml: cannot read the config file/ },
  ])('$name: exit 1, a message naming it, no stack trace, nothing on stdout', ({ args, input, message }) => {
    const run = harden(args, input);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stdout).toBe('');
  });

  test.each([
    {
      name: 'a container written as a YAML alias',
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n        - &app {name: a, image: x}\n        - *app\n',
      message: /^pod-hardener: stdin document 2 \(Deployment web\): cannot write the hardening into the text: the change at spec\.template\.spec\.containers\[\d\].* YAML (alias|anchor)/,
    },
    {
      name: 'a "billion laughs" document',
      input: `kind: ConfigMap\ndata:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n${[...'bcdefghi'].map((n, i) => `  ${n}: &${n} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(', ')}]`).join('\n')}\n`,
      message: /^pod-hardener: stdin document 1: cannot read: Excessive alias count/,
    },
    { name: '100 MB on stdin', input: 'x'.repeat(100 * 1000 * 1000), message: /^pod-hardener: stdin is larger than 32 MiB, the most harden reads from one input/ },
  ])('$name: exit 1 with a message naming where, nothing on stdout', ({ input, message }) => {
    const run = harden(['-f', '-'], input);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stdout).toBe('');
  });

  test('a 100 MB file is refused by its size, before it is read', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ph-harden-')), 'huge.yaml');
    writeFileSync(file, '');
    truncateSync(file, 100 * 1000 * 1000);
    const run = harden(['-f', file]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`pod-hardener: ${file}: is larger than 32 MiB, the most harden reads from one input\n`);
    rmSync(file);
  });

  test('bad input in a later file leaves nothing half-written on stdout', () => {
    const directory = mkdtempSync(join(tmpdir(), 'ph-harden-'));
    writeFileSync(join(directory, 'a-good.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: x}]}\n');
    writeFileSync(join(directory, 'b-bad.yaml'), 'kind: [\n');
    const run = harden(['-f', directory]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/b-bad\.yaml document 1: invalid YAML/);
  });
});

describe('pod-hardener harden: images are read only with --resolve-images', () => {
  /** The executable run asynchronously, so the registry stand-in below (in this process) can count its connections meanwhile. */
  function hardenAsync(args: string[], input: string): Promise<{ status: number | null; stdout: string; stderr: string; ms: number }> {
    requireBuild();
    const started = Date.now();
    const { DOCKER_CONFIG: _ignored, ...env } = process.env;
    const child = spawn(process.execPath, [CLI, 'harden', ...args], { env: { ...env, HOME: tmpdir() }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdin.end(input);
    return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr, ms: Date.now() - started })));
  }

  let server: Server;
  let connections = 0;
  let host: string;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    // A "registry" that answers every connection with 503 and hangs up: unreadable at once, and it counts who tried.
    server = createServer((socket) => {
      connections += 1;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      socket.end('HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  const pod = (images: string[]): string =>
    `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n${images.map((image, i) => `    - {name: c${i}, image: "${image}"}\n`).join('')}`;

  test('without the flag: no connection, no warning, no delay, runAsNonRoot as before images were read', async () => {
    connections = 0;
    const run = await hardenAsync([], pod([`${host}/app:1`, 'registry.invalid/app:1']));
    expect(run.status).toBe(0);
    expect(connections).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout.match(/runAsNonRoot: true/g)).toHaveLength(2);
    // Far below the time an unreachable registry costs with the flag (a DNS failure, a hang-up, the budget).
    expect(run.ms).toBeLessThan(10_000);
  });

  test('with the flag (the control): the registry is asked, and the unreadable image follows images.unreadable: skip', async () => {
    connections = 0;
    const run = await hardenAsync(['--resolve-images'], pod([`${host}/app:1`]));
    expect(run.status).toBe(0);
    expect(connections).toBeGreaterThan(0);
    expect(run.stderr).toContain(`container "c0": runAsNonRoot not applied: image ${host}/app:1 could not be read, and images.unreadable is skip`);
    expect(run.stdout).not.toContain('runAsNonRoot: true');
  });

  test('--registry-config without --resolve-images is refused, so a CI job does not believe it read images', () => {
    const run = harden(['--registry-config', '/dev/null'], pod(['x']));
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('pod-hardener: --registry-config is only read with --resolve-images\n');
  });
});
