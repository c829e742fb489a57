/** The real helm (built by global-setup from its Go module), run on charts/pod-hardener. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Obj } from '../../helpers/deploy-checks.js';
import { ROOT } from './cluster.js';

export const CHART = join(ROOT, 'charts/pod-hardener');

function helmBinary(): string {
  const binary = process.env.POD_HARDENER_E2E_HELM;
  if (!binary) throw new Error('POD_HARDENER_E2E_HELM is not set: run the e2e tests through jest, whose global setup builds helm');
  return binary;
}

// Helm's config, cache and data folders: the tests' own (no repositories, no plugins), never the user's.
const HELM_HOME = join(ROOT, '.cache/helm-home');

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs helm; against a cluster when given its kubeconfig. Never throws on a failed command: the caller asserts. */
export function helm(args: string[], kubeconfig?: string): Promise<HelmResult> {
  const env = {
    ...process.env,
    HELM_CONFIG_HOME: join(HELM_HOME, 'config'),
    HELM_CACHE_HOME: join(HELM_HOME, 'cache'),
    HELM_DATA_HOME: join(HELM_HOME, 'data'),
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
    ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}),
  };
  return new Promise((resolve, reject) => {
    execFile(helmBinary(), args, { env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

/** A successful helm run's standard output. */
export async function helmOk(args: string[], kubeconfig?: string): Promise<string> {
  const result = await helm(args, kubeconfig);
  if (result.code !== 0) throw new Error(`helm ${args.join(' ')} failed (${result.code}):\n${result.stderr}`);
  return result.stdout;
}

export function parseObjects(yaml: string): Obj[] {
  return parseAllDocuments(yaml)
    .map((doc) => doc.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null);
}

/** `helm template` of the chart, as objects. */
export async function renderChart(release: string, namespace: string, args: string[] = []): Promise<Obj[]> {
  return parseObjects(await helmOk(['template', release, CHART, '--namespace', namespace, ...args]));
}
