/**
 * Files the way the kubelet mounts Secrets and ConfigMaps: the visible files
 * are symlinks into ..data, itself a symlink to a timestamped directory, and
 * an update swaps ..data in one rename.
 */
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class AtomicDir {
  private generation = 0;
  private current: string | undefined;

  constructor(readonly dir: string, files: Record<string, string>) {
    mkdirSync(dir, { recursive: true });
    this.update(files);
    for (const name of Object.keys(files)) symlinkSync(join('..data', name), join(dir, name));
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** Writes a new generation and swaps ..data to it in one rename. */
  update(files: Record<string, string>): void {
    this.generation += 1;
    const target = `..gen_${this.generation}`;
    mkdirSync(join(this.dir, target));
    for (const [name, content] of Object.entries(files)) writeFileSync(join(this.dir, target, name), content);
    const link = join(this.dir, `..data_tmp_${this.generation}`);
    symlinkSync(target, link);
    renameSync(link, join(this.dir, '..data'));
    if (this.current) rmSync(join(this.dir, this.current), { recursive: true, force: true });
    this.current = target;
  }
}
