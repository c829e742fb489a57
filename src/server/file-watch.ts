/**
 * Notices when files change — including the symlink swap with which the
 * kubelet updates mounted Secrets and ConfigMaps (…/..data → a new
 * directory), which an inode watch on the file would miss. Directory events
 * trigger an early check; a poll of the files' content is the fallback, so
 * nothing depends on the file system delivering events.
 */
import { createHash } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';

export interface FileWatch {
  close(): void;
}

function fingerprint(paths: readonly string[]): string {
  const hash = createHash('sha256');
  for (const path of paths) {
    try {
      hash.update(readFileSync(path));
    } catch (error) {
      hash.update(`unreadable:${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    hash.update('\u0000');
  }
  return hash.digest('hex');
}

/**
 * Calls `onChange` after the content of any of `paths` changed. Changes that
 * come in a burst (a certificate, then its key) are settled for `settleMs`
 * before one call.
 */
export function watchFiles(paths: readonly string[], onChange: () => void, options: { intervalMs: number; settleMs?: number }): FileWatch {
  let last = fingerprint(paths);
  let pending: NodeJS.Timeout | undefined;
  const settle = options.settleMs ?? 150;

  const check = (): void => {
    const now = fingerprint(paths);
    if (now === last) return;
    last = now;
    onChange();
  };
  const soon = (): void => {
    if (pending) clearTimeout(pending);
    pending = setTimeout(() => {
      pending = undefined;
      check();
    }, settle);
  };

  const watchers: FSWatcher[] = [];
  for (const directory of new Set(paths.map((path) => dirname(path)))) {
    try {
      const watcher = watch(directory, soon);
      watcher.on('error', () => watcher.close());
      watchers.push(watcher);
    } catch {
      // Polling alone then.
    }
  }
  const timer = setInterval(soon, options.intervalMs);
  timer.unref();
  return {
    close() {
      clearInterval(timer);
      if (pending) clearTimeout(pending);
      for (const watcher of watchers) watcher.close();
    },
  };
}
