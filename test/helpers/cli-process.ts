/** Runs the real `pod-hardener serve` process (from dist/) on a free loopback port. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;

export function requireBuild(): void {
  if (!existsSync(CLI)) throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
}

export interface ServeProcess {
  child: ChildProcess;
  port: number;
  url: string;
  ca: string;
  stdout(): string;
  stderr(): string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `serve`; `executable` is dist/cli/main.js by default, or an installed bin. */
export async function startServeProcess(args: string[] = [], env: NodeJS.ProcessEnv = {}, executable?: string): Promise<ServeProcess> {
  if (!executable) requireBuild();
  // Its own TMPDIR, so its generated certificate is not shared with any other run.
  const scratch = mkdtempSync(join(tmpdir(), 'ph-cli-'));
  const command = executable ? [executable] : [process.execPath, CLI];
  // Tests talk to loopback only: without a policy of the test's own, images are not read from registries.
  if (!args.includes('--config')) {
    writeFileSync(join(scratch, 'policy.yaml'), 'images:\n  resolve: false\n');
    args = [...args, '--config', join(scratch, 'policy.yaml')];
  }
  const child = spawn(command[0] ?? process.execPath, [...command.slice(1), 'serve', '--port', '0', '--bind-address', '127.0.0.1', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TMPDIR: scratch, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pod-hardener serve did not start; stderr: ${stderr}`)), 20_000);
    const look = (): void => {
      const match = /listening on https:\/\/127\.0\.0\.1:(\d+)\/mutate/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stderr?.on('data', look);
    void exited.then((code) => reject(new Error(`pod-hardener serve exited with ${code}; stderr: ${stderr}`)));
  });
  const certFile = /--cacert ([^\s)]+)/.exec(stderr)?.[1];
  const ca = certFile ? readFileSync(certFile, 'utf8') : '';
  return {
    child,
    port,
    url: `https://127.0.0.1:${port}`,
    ca,
    stdout: () => stdout,
    stderr: () => stderr,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      rmSync(scratch, { recursive: true, force: true });
      return code;
    },
  };
}

/** The JSON lines a process wrote on stdout. */
export function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
