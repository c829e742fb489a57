/** Cluster-side steps of the e2e tests, done the way a platform team does them (kubectl, manifests/, certs/). */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import type { Pod } from '../../../src/engine/pod.js';
import { startTestWebhook, type TestWebhook } from '../../helpers/webhook.js';
import { ControlPlane, freePort, type ControlPlaneOptions, type KubectlResult } from './control-plane.js';

const run = promisify(execFile);
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export async function createNamespace(plane: ControlPlane, name: string, labels: Record<string, string> = {}, annotations: Record<string, string> = {}): Promise<void> {
  await plane.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels, annotations } }) });
  // The ServiceAccount admission plugin wants a default ServiceAccount; the controller manager makes it, when it runs.
  await plane.kubectl(['create', 'serviceaccount', 'default', '-n', name], { allowFailure: true });
}

export const RESTRICTED = { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' };
export const BASELINE = { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/enforce-version': 'latest' };

/** The MutatingWebhookConfiguration of manifests/, pointed at a webhook on loopback. */
export function webhookConfiguration(port: number, overrides: { name?: string; failurePolicy?: 'Fail' | 'Ignore'; rules?: Obj[] } = {}): Obj {
  const config = parse(readFileSync(join(ROOT, 'manifests/base/mutatingwebhookconfiguration.yaml'), 'utf8')) as Obj;
  if (overrides.name) config.metadata.name = overrides.name;
  for (const webhook of config.webhooks as Obj[]) {
    webhook.clientConfig = { url: `https://127.0.0.1:${port}/mutate` };
    if (overrides.failurePolicy) webhook.failurePolicy = overrides.failurePolicy;
    if (overrides.rules) webhook.rules = overrides.rules;
  }
  return config;
}

export async function applyObject(plane: ControlPlane, object: Obj): Promise<KubectlResult> {
  return plane.kubectl(['apply', '-f', '-'], { input: JSON.stringify(object) });
}

/** Creates a pod with kubectl (as a user would); the result has the stored pod on stdout (JSON) and kubectl's warnings on stderr. */
export async function createPod(plane: ControlPlane, pod: Pod, options: { dryRun?: boolean } = {}): Promise<KubectlResult & { pod?: Pod }> {
  const args = ['create', '-f', '-', '-o', 'json', ...(options.dryRun ? ['--dry-run=server'] : [])];
  const result = await plane.kubectl(args, { input: JSON.stringify(pod), allowFailure: true });
  return result.code === 0 ? { ...result, pod: JSON.parse(result.stdout) as Pod } : result;
}

export async function getObject<T = Obj>(plane: ControlPlane, args: string[]): Promise<T> {
  return JSON.parse((await plane.kubectl(['get', ...args, '-o', 'json'])).stdout) as T;
}

export interface Hardener {
  plane: ControlPlane;
  hook: TestWebhook;
  certDir: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * The full setup: a control plane, the pod-hardener namespace from manifests/,
 * the webhook configuration from manifests/ pointed at loopback, certificates
 * made and installed by certs/install.sh (Secret and CA bundle), and the
 * webhook serving them.
 */
export async function startHardener(
  options: {
    controllerManager?: boolean;
    /** More of the control plane (a node's needs: see NODE_CONTROL_PLANE in node.ts). */
    controlPlane?: ControlPlaneOptions;
    policy?: Record<string, unknown>;
    failurePolicy?: 'Fail' | 'Ignore';
    /** Give the webhook the cluster's kubeconfig, so it watches Namespaces. */
    watchNamespaces?: boolean;
    namespaceCache?: Parameters<typeof startTestWebhook>[0] extends infer O ? (O extends { namespaceCache?: infer C } ? C : never) : never;
  } = {},
): Promise<Hardener> {
  const plane = await ControlPlane.start({ controllerManager: options.controllerManager ?? false, ...options.controlPlane });
  const certDir = mkdtempSync(join(tmpdir(), 'ph-e2e-certs-'));
  let hook: TestWebhook | undefined;
  try {
    await plane.kubectl(['apply', '-f', join(ROOT, 'manifests/base/namespace.yaml')]);
    const port = await freePort();
    await applyObject(plane, webhookConfiguration(port, options.failurePolicy ? { failurePolicy: options.failurePolicy } : {}));
    await run(join(ROOT, 'certs/install.sh'), ['--dir', certDir, '--san', 'IP:127.0.0.1'], { env: { ...process.env, KUBECTL: plane.kubectlCommand() } });
    hook = await startTestWebhook({
      policy: options.policy ?? {},
      serve: {
        port,
        tlsCertFile: join(certDir, 'tls.crt'),
        tlsKeyFile: join(certDir, 'tls.key'),
        webhookNamespace: 'pod-hardener',
        ...(options.watchNamespaces ? { kubeconfig: plane.kubeconfig } : {}),
      },
      ...(options.namespaceCache ? { namespaceCache: options.namespaceCache } : {}),
    });
    const started = hook;
    await untilWebhookAnswers(plane);
    return {
      plane,
      hook: started,
      certDir,
      port,
      async stop() {
        await started.stop();
        await plane.stop();
        rmSync(certDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await hook?.stop();
    await plane.stop();
    throw error;
  }
}

/** The API server picks up a new webhook configuration asynchronously: wait until a dry-run pod comes back hardened. */
async function untilWebhookAnswers(plane: ControlPlane): Promise<void> {
  await createNamespace(plane, 'e2e-probe');
  const probe: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'probe', namespace: 'e2e-probe' }, spec: { containers: [{ name: 'c', image: 'registry.example/c:1' }] } };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const result = await createPod(plane, probe, { dryRun: true });
    if (result.pod?.metadata?.annotations?.['pod-hardener.io/hardened']) return;
    if (Date.now() > deadline) throw new Error(`the API server never called the webhook: ${result.stderr}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

export function bare(name: string, namespace: string, extra: Partial<Pod['spec']> = {}, metadata: Pod['metadata'] = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, ...metadata },
    spec: { containers: [{ name: 'app', image: 'registry.example/app:1.0' }], ...extra },
  };
}
