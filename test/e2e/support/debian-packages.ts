/**
 * Installs the Debian packages the node tests need (containerd, runc, CNI
 * plugins, a static busybox) when they are missing, the way CI's fresh
 * machine gets them: `apt-get install`, as root. Test tooling only.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export class PackagesUnavailableError extends Error {
  override readonly name = 'PackagesUnavailableError';
}

async function missing(packages: string[]): Promise<string[]> {
  const absent: string[] = [];
  for (const name of packages) {
    const status = await run('dpkg-query', ['-W', '-f=${Status}', name]).then((r) => r.stdout, () => '');
    if (!status.includes('install ok installed')) absent.push(name);
  }
  return absent;
}

/** Installs whichever of `packages` is absent; `why` goes into the error a non-root user sees. */
export async function ensurePackages(packages: string[], why: string): Promise<void> {
  const absent = await missing(packages);
  if (absent.length === 0) return;
  if (process.getuid?.() !== 0) throw new PackagesUnavailableError(`${why} needs the Debian packages ${absent.join(', ')}; install them (apt-get install ${absent.join(' ')}) or run the tests as root`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...absent], { env, maxBuffer: 16 * 1024 * 1024 });
  } catch {
    // A fresh machine has no package lists yet.
    await run('apt-get', ['update', '-qq'], { env, maxBuffer: 16 * 1024 * 1024 });
    await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...absent], { env, maxBuffer: 16 * 1024 * 1024 });
  }
}
