// One Go build of e2e test tooling, cached under .cache/<name>/<key>/<name>:
// the key covers the module's files, the Go toolchain and whatever else the
// caller says changes the binary (ldflags…), so a change rebuilds it. The
// binary appears by an atomic rename, so a build that dies half-way is never
// mistaken for a cached one. Test tooling only: nothing here ships.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

async function goVersion(what) {
  try {
    return (await run('go', ['version'])).stdout.trim();
  } catch {
    throw new Error(`the end-to-end tests build ${what} from Go modules, and need Go on the PATH (test tooling only)`);
  }
}

/**
 * @param {object} options
 * @param {string} options.name       cache folder and binary name (.cache/<name>/<key>/<name>)
 * @param {string} options.what       what it is, for the log and errors
 * @param {string} options.source     the Go module's folder, relative to the repository root
 * @param {string[]} options.inputs   files of that folder the binary is built from
 * @param {string} [options.target]   the package to build (default: the module's main package)
 * @param {string} [options.ldflags]
 * @param {string[]} [options.key]    more that changes the binary (versions baked in by ldflags…)
 * @param {(line: string) => void} [options.log]
 * @returns {Promise<string>} the binary's path
 */
export async function cachedGoBuild({ name, what, source, inputs, target = '.', ldflags = '-s -w', key = [], log = (line) => process.stderr.write(`${line}\n`) }) {
  const cwd = join(ROOT, source);
  const hash = createHash('sha256');
  for (const file of inputs) hash.update(readFileSync(join(cwd, file)));
  hash.update(await goVersion(what));
  for (const part of key) hash.update(part);
  const directory = join(ROOT, '.cache', name, hash.digest('hex').slice(0, 16));
  const binary = join(directory, name);
  if (existsSync(binary)) return binary;

  log(`e2e: building ${what} from Go modules (once; cached in .cache/${name}/)`);
  const started = Date.now();
  mkdirSync(directory, { recursive: true });
  const partial = `${binary}.${process.pid}.partial`;
  try {
    await run('go', ['build', '-trimpath', '-ldflags', ldflags, '-o', partial, target], {
      cwd,
      env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly -buildvcs=false' },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    rmSync(partial, { force: true });
    throw new Error(`e2e: go build of ${what} failed:\n${error.stderr ?? error.message}`);
  }
  renameSync(partial, binary);
  log(`e2e: ${what} built in ${Math.round((Date.now() - started) / 1000)} s: ${binary}`);
  return binary;
}

/** For a builder run as a script: prints the binary's path, or the error. */
export function printBinary(build) {
  build().then((binary) => process.stdout.write(`${binary}\n`), (error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  });
}
