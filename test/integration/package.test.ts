/**
 * What the image would ship: `npm pack`, then the tarball installed with
 * production dependencies only in a clean folder, `pod-hardener serve` started
 * from there with certificate files (as in a cluster), and a hardened answer.
 * Catches a file missing from the package or a dependency declared as dev.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createSelfSignedPair } from '../../src/server/certificates.js';
import { jsonLines, startServeProcess } from '../helpers/cli-process.js';
import { postJson } from '../helpers/https.js';
import { pod } from '../helpers/pods.js';
import { decodePatch, reviewOf } from '../helpers/reviews.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the npm package', () => {
  let work: string;
  let bin: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ph-package-'));
    const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    if (!packed) throw new Error('npm pack produced nothing');
    const files = packed.files.map((f) => f.path);
    expect(files).toContain('dist/cli/main.js');
    expect(files.some((f) => f.startsWith('src/') || f.startsWith('test/') || f.endsWith('.map'))).toBe(false);

    const install = join(work, 'install');
    writeFileSync(join(work, 'package.json'), '{}');
    await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefix', install, join(work, packed.filename)], { cwd: work, maxBuffer: 16 * 1024 * 1024 });
    bin = join(install, 'node_modules', '.bin', 'pod-hardener');
    const installed = readdirSync(join(install, 'node_modules'));
    for (const devOnly of ['jest', 'typescript', 'ts-jest', 'fast-check']) expect(installed).not.toContain(devOnly);
  }, 180_000);

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  test('the installed bin prints its version', async () => {
    const { stdout } = await run(bin, ['--version']);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  test('the installed bin serves with certificate files and hardens a pod', async () => {
    const { certFile, keyFile, pair } = await createSelfSignedPair(join(work, 'tls'));
    const serve = await startServeProcess(['--tls-cert-file', certFile, '--tls-key-file', keyFile], {}, bin);
    try {
      const res = await postJson(`${serve.url}/mutate`, pair.cert, reviewOf(pod()));
      expect(res.status).toBe(200);
      const ops = decodePatch(res.json<{ response: { patch?: string } }>().response);
      expect(ops.map((op) => op.path)).toContain('/spec/containers/0/securityContext');
      expect(await serve.stop()).toBe(0);
      const started = jsonLines(serve.stdout()).find((line) => line.message === 'serving certificate loaded');
      expect(started?.certFile).toBe(certFile);
    } finally {
      await serve.stop('SIGKILL');
    }
  }, 60_000);
});
