// Builds the e2e OCI registry (the CNCF distribution registry, from its Go
// module, with the small main in test/e2e/registry/) once, and caches it under
// .cache/registry/<key>/ — the key covers our Go sources and the Go toolchain,
// so a change rebuilds it. Test tooling only: nothing here ships with
// pod-hardener. Same pattern as build-control-plane.mjs.
//
//   node test/e2e/support/build-registry.mjs     (prints the binary's path)
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SOURCE = join(ROOT, 'test/e2e/registry');

async function goVersion() {
  try {
    return (await run('go', ['version'])).stdout.trim();
  } catch {
    throw new Error('the end-to-end tests build a real OCI registry from Go modules, and need Go on the PATH (test tooling only)');
  }
}

export async function registryBinary({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'main.go']) hash.update(readFileSync(join(SOURCE, file)));
  hash.update(await goVersion());
  const directory = join(ROOT, '.cache/registry', hash.digest('hex').slice(0, 16));
  const binary = join(directory, 'registry');
  if (existsSync(binary)) return binary;

  log('e2e: building the OCI registry (distribution/distribution v3) from Go modules; cached in .cache/registry/');
  const started = Date.now();
  mkdirSync(directory, { recursive: true });
  const partial = `${binary}.${process.pid}.partial`;
  try {
    await run('go', ['build', '-trimpath', '-ldflags', '-s -w', '-o', partial, '.'], {
      cwd: SOURCE,
      env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly -buildvcs=false' },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    rmSync(partial, { force: true });
    throw new Error(`e2e: go build of the registry failed:\n${error.stderr ?? error.message}`);
  }
  renameSync(partial, binary);
  log(`e2e: registry built in ${Math.round((Date.now() - started) / 1000)} s: ${binary}`);
  return binary;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  registryBinary().then((binary) => process.stdout.write(`${binary}\n`), (error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  });
}
