/**
 * The stage of `npm run bench:apiserver`: the e2e control plane (etcd and
 * kube-apiserver on loopback), three namespaces that enforce the restricted
 * Pod Security Standard — one per configuration — a MutatingAdmissionPolicy
 * bound to the second and pod-hardener (`pod-hardener serve`, a child process
 * so its CPU time can be read from /proc) registered for the third. Every
 * configuration is live at once, so the rounds can alternate without waiting
 * for the API server to pick up a new registration.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import fastJsonPatch from 'fast-json-patch';
import { parse } from 'yaml';
import type { Pod } from '../src/engine/pod.js';
import { reviewAdmission } from '../src/engine/review.js';
import { createSelfSignedPair } from '../src/server/certificates.js';
import { ControlPlane } from '../test/e2e/support/control-plane.js';
import { applyObject, createNamespace, RESTRICTED } from '../test/e2e/support/cluster.js';
import { createPod, type ApiServerClient } from './create-load.js';
import { spawnServer, type Target } from './https.js';
import { mutatingAdmissionPolicy, mutatingAdmissionPolicyBinding } from './mutating-policy.js';
import { PATCH_SHAPES, type PatchShape, type PatchShapes } from './patch-shapes.js';
import { PODS, request, reviewBody } from './pods.js';
import { BENCH_POLICY, writeBenchPolicy } from './policy.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Configuration {
  name: string;
  namespace: string;
  /** The pod sent: the typical pod, or the pod pod-hardener makes of it where nothing hardens it (restricted admits it as it is). */
  body: string;
  /** The webhook process this configuration calls, if any: its CPU per review is read from /proc. */
  webhookPid?: number;
  /** Whether the created pod shows that the configuration is in force (the API server picks registrations up asynchronously). */
  inForce(pod: Pod): boolean;
}

export interface Stage {
  plane: ControlPlane;
  client: ApiServerClient;
  apiServerPid: number;
  configurations: Configuration[];
  stop(): Promise<void>;
}

/** The control plane binary global-setup builds (cached under .cache/controlplane). */
async function controlPlaneBinary(): Promise<string> {
  if (process.env.POD_HARDENER_E2E_CONTROLPLANE) return process.env.POD_HARDENER_E2E_CONTROLPLANE;
  const { stdout } = await run(process.execPath, [join(ROOT, 'test/e2e/support/build-control-plane.mjs')], { maxBuffer: 16 * 2 ** 20 });
  return stdout.trim().split('\n').pop() ?? '';
}

/** The kube-apiserver process of this plane, found by its --cert-dir (ControlPlane keeps its children to itself). */
function apiServerPid(plane: ControlPlane): number {
  const certDir = `--cert-dir=${plane.path('apiserver-certs')}`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv[1] === 'kube-apiserver' && argv.includes(certDir)) return Number(entry);
    } catch {
      // The process ended meanwhile.
    }
  }
  throw new Error('kube-apiserver not found in /proc');
}

/** The typical pod of bench/pods.ts, in `namespace`, as the API server accepts it: an init container without a probe (only sidecars may have one). */
function typicalPod(namespace: string): Pod {
  const pod = structuredClone(PODS.typical);
  pod.metadata = { ...pod.metadata, namespace };
  for (const init of pod.spec.initContainers ?? []) delete init.readinessProbe;
  return pod;
}

/** The typical pod as pod-hardener hardens it (the engine's own patch, applied). */
function hardenedPod(namespace: string): Pod {
  const pod = typicalPod(namespace);
  const { patch } = reviewAdmission(request(pod), { policy: BENCH_POLICY });
  return fastJsonPatch.applyPatch(pod, patch, true, false).newDocument;
}

/** The MutatingWebhookConfiguration of manifests/, named `name`, for one namespace, calling `url` on loopback. */
function webhookConfiguration(name: string, url: string, caBundle: string, namespace: string): Obj {
  // Read here rather than through test/e2e/support/cluster.ts's webhookConfiguration: that finds manifests/ relative to its own compiled file, which the bench build moves.
  const config = parse(readFileSync(join(ROOT, 'manifests/base/mutatingwebhookconfiguration.yaml'), 'utf8')) as Obj;
  config.metadata.name = name;
  for (const webhook of config.webhooks as Obj[]) {
    webhook.name = `${name}.bench.pod-hardener.io`;
    webhook.clientConfig = { url, caBundle };
    webhook.namespaceSelector = { matchLabels: { 'kubernetes.io/metadata.name': namespace } };
  }
  return config;
}

function hardened(pod: Pod): boolean {
  return pod.spec.containers?.every((c) => c.securityContext?.allowPrivilegeEscalation === false && c.volumeMounts?.some((m) => m.mountPath === '/tmp')) ?? false;
}

/** pod-hardener serve as a child process, its decision log on a pipe that is read and dropped (a container runtime's log pipe). */
function startWebhook(directory: string, tls: Tls, nodeOptions: string[], serveArgs: string[]): Promise<Target> {
  const { certFile, keyFile } = tls;
  const policyFile = writeBenchPolicy(directory);
  const args = [...nodeOptions, join(ROOT, 'dist/cli/main.js'), 'serve', '--port', '0', '--bind-address', '127.0.0.1', '--tls-cert-file', certFile, '--tls-key-file', keyFile, '--config', policyFile, ...serveArgs];
  return spawnServer('pod-hardener', args, 'stderr', /listening on https:\/\/127\.0\.0\.1:(\d+)/);
}

interface Tls {
  certFile: string;
  keyFile: string;
  caBundle: string;
}

/**
 * pod-hardener's own server and review path (bench/layer-server.ts) answering
 * the decision made once, at start, for the typical pod: `--no-engine` alone
 * writes the decision log, with `--no-log` too it does not.
 */
export const LAYERS = [
  { name: "pod-hardener's server and log, no engine", slug: 'log', flags: ['--no-engine'] },
  { name: "pod-hardener's server alone, no engine, no log", slug: 'http', flags: ['--no-engine', '--no-log'] },
] as const;

function startLayerServer(directory: string, tls: Tls, layer: (typeof LAYERS)[number]): Promise<Target> {
  const bodyFile = join(directory, 'typical-review.json');
  writeFileSync(bodyFile, reviewBody(typicalPod('any')));
  return spawnServer(layer.name, [fileURLToPath(new URL('./layer-server.js', import.meta.url)), tls.certFile, tls.keyFile, bodyFile, ...layer.flags], 'stderr', /^(\d+)\n/);
}

/** The configuration of the bare webhook answering pod-hardener's patch: the floor pod-hardener's figures are read against. */
export const BARE_WEBHOOK = "bare webhook, pod-hardener's patch";

/** The bare webhook (bench/bare-webhook.ts), given pod-hardener's patch for the typical pod. */
function startBareWebhook(directory: string, tls: Tls): Promise<Target> {
  const patchesFile = join(directory, 'patches.json');
  const shapes: PatchShapes = { ops: reviewAdmission(request(typicalPod('any')), { policy: BENCH_POLICY }).patch };
  writeFileSync(patchesFile, JSON.stringify(shapes));
  return spawnServer('bare webhook', [fileURLToPath(new URL('./bare-webhook.js', import.meta.url)), tls.certFile, tls.keyFile, patchesFile], 'stdout', /^(\d+)\n/);
}

/** Which bare-webhook shapes are measured: pod-hardener's patch always (the floor to compare pod-hardener with), the others on request. */
function bareShapes(all: boolean): PatchShape[] {
  return all ? [...PATCH_SHAPES] : ['ops'];
}

/** The API server picks registrations up asynchronously: create until the configuration answers as it should. */
async function untilReady(client: ApiServerClient, configuration: Configuration): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const answer = await createPod(client, undefined, configuration.namespace, configuration.body).catch((error: unknown) => ({ status: 0, text: String(error) }));
    if (answer.status === 201 && configuration.inForce(JSON.parse(answer.text) as Pod)) return;
    if (Date.now() > deadline) throw new Error(`${configuration.name}: pods in ${configuration.namespace} are not created as they should be: ${answer.status} ${answer.text.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

export interface StageOptions {
  /** Also the bare webhook's other patch shapes (no patch, one annotation, whole lists). */
  patchShapes?: boolean;
  /** Also pod-hardener's own server with parts left out (bench/layer-server.ts): where its CPU per review goes at this rate. */
  layers?: boolean;
  /** Node.js options of the webhook child (--cpu-prof…). */
  webhookNodeOptions?: string[];
  /** More `pod-hardener serve` options (--log-level…). */
  webhookServeArgs?: string[];
  /** More pod-hardener webhooks, one per entry, each its own process run with these Node.js/V8 flags (besides webhookNodeOptions), namespace and registration. */
  webhookNodeFlagVariants?: string[][];
}

/** Everything but the control plane; `started` collects the children, for the caller to stop. */
async function stageConfigurations(plane: ControlPlane, directory: string, options: StageOptions, started: Target[]): Promise<Configuration[]> {
  const { certFile, keyFile, pair } = await createSelfSignedPair(join(directory, 'tls'));
  const tls = { certFile, keyFile, caBundle: Buffer.from(pair.cert).toString('base64') };
  const hardener = await startWebhook(directory, tls, options.webhookNodeOptions ?? [], options.webhookServeArgs ?? []);
  started.push(hardener);
  const bare = await startBareWebhook(directory, tls);
  started.push(bare);
  const configurations: Configuration[] = [
    { name: 'no mutation', namespace: 'bench-none', body: JSON.stringify(hardenedPod('bench-none')), inForce: () => true },
    { name: 'MutatingAdmissionPolicy', namespace: 'bench-policy', body: JSON.stringify(typicalPod('bench-policy')), inForce: hardened },
    ...bareShapes(options.patchShapes ?? false).map((shape): Configuration => {
      const namespace = `bench-bare-${shape}`;
      // Shapes that do not harden get the hardened pod, so restricted admits them.
      const body = shape === 'none' || shape === 'annotation' ? JSON.stringify(hardenedPod(namespace)) : JSON.stringify(typicalPod(namespace));
      const inForce = shape === 'none' ? () => true : shape === 'annotation' ? (pod: Pod) => pod.metadata?.annotations?.['bench.pod-hardener.io/touched'] === 'true' : hardened;
      return { name: shape === 'ops' ? BARE_WEBHOOK : `bare webhook, ${shape} patch`, namespace, body, webhookPid: bare.pid, inForce };
    }),
    { name: 'pod-hardener', namespace: 'bench-webhook', body: JSON.stringify(typicalPod('bench-webhook')), webhookPid: hardener.pid, inForce: hardened },
  ];
  const webhookUrls: Array<{ name: string; url: string; namespace: string }> = [];
  for (const [i, flags] of (options.webhookNodeFlagVariants ?? []).entries()) {
    const server = await startWebhook(directory, tls, [...(options.webhookNodeOptions ?? []), ...flags], options.webhookServeArgs ?? []);
    started.push(server);
    const namespace = `bench-flags-${i + 1}`;
    configurations.push({ name: `pod-hardener ${flags.join(' ')}`, namespace, body: JSON.stringify(typicalPod(namespace)), webhookPid: server.pid, inForce: hardened });
    webhookUrls.push({ name: `pod-hardener-flags-${i + 1}`, url: `https://127.0.0.1:${server.port}/mutate`, namespace });
  }
  for (const layer of options.layers ? LAYERS : []) {
    const server = await startLayerServer(directory, tls, layer);
    started.push(server);
    const namespace = `bench-layer-${layer.slug}`;
    configurations.push({ name: layer.name, namespace, body: JSON.stringify(typicalPod(namespace)), webhookPid: server.pid, inForce: hardened });
    webhookUrls.push({ name: `layer-${layer.slug}`, url: `https://127.0.0.1:${server.port}/mutate`, namespace });
  }
  for (const { namespace } of configurations) await createNamespace(plane, namespace, RESTRICTED);
  await applyObject(plane, mutatingAdmissionPolicy());
  await applyObject(plane, mutatingAdmissionPolicyBinding('bench-policy'));
  await applyObject(plane, webhookConfiguration('pod-hardener', `https://127.0.0.1:${hardener.port}/mutate`, tls.caBundle, 'bench-webhook'));
  for (const shape of bareShapes(options.patchShapes ?? false)) {
    await applyObject(plane, webhookConfiguration(`bare-${shape}`, `https://127.0.0.1:${bare.port}/${shape}`, tls.caBundle, `bench-bare-${shape}`));
  }
  for (const { name, url, namespace } of webhookUrls) await applyObject(plane, webhookConfiguration(name, url, tls.caBundle, namespace));
  return configurations;
}

export async function startStage(directory: string, options: StageOptions = {}): Promise<Stage> {
  process.env.POD_HARDENER_E2E_CONTROLPLANE = await controlPlaneBinary();
  const plane = await ControlPlane.start();
  const started: Target[] = [];
  const stop = async (): Promise<void> => {
    for (const target of started) await target.stop();
    await plane.stop();
  };
  try {
    const client: ApiServerClient = {
      port: plane.apiServerPort,
      ca: readFileSync(plane.path('apiserver-certs/apiserver.crt')),
      cert: readFileSync(plane.path('admin.crt')),
      key: readFileSync(plane.path('admin.key')),
    };
    const configurations = await stageConfigurations(plane, directory, options, started);
    for (const configuration of configurations) await untilReady(client, configuration);
    return { plane, client, apiServerPid: apiServerPid(plane), configurations, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
