/**
 * charts/pod-hardener installed, upgraded and uninstalled by the real helm on a
 * real API server, as a platform team does it. The webhook's pods never run
 * here (no node): what is proven is what the API server holds, and that the
 * real `serve` process works with what the Deployment would mount.
 */
import { jest } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { Obj } from '../helpers/deploy-checks.js';
import { startServeProcess } from '../helpers/cli-process.js';
import { until } from '../helpers/eventually.js';
import { send } from '../helpers/https.js';
import { decodePatch, reviewOf } from '../helpers/reviews.js';
import { bare, createNamespace, createPod, getObject } from './support/cluster.js';
import { ControlPlane } from './support/control-plane.js';
import { CHART, helm, helmOk } from './support/helm.js';

jest.setTimeout(120_000);
const NS = 'pod-hardener';

describe('helm install, upgrade and uninstall on a real API server', () => {
  let plane: ControlPlane;
  const run = (args: string[]): Promise<string> => helmOk(args, plane.kubeconfig);
  const tls = async (): Promise<Obj> => (await getObject(plane, ['secret', 'pod-hardener-tls', '-n', NS])).data;
  const webhookConfiguration = (): Promise<Obj> => getObject(plane, ['mutatingwebhookconfiguration', 'pod-hardener']);
  /** The NOTES.txt check: a server-side dry-run pod in a namespace the webhook reviews; true when the webhook was called. */
  const webhookCalled = async (): Promise<boolean> => {
    const result = await createPod(plane, bare('hardener-check', 'apps'), { dryRun: true });
    if (result.code === 0) return false;
    expect(result.stderr).toContain('failed calling webhook "pods.pod-hardener.io"');
    return true;
  };

  beforeAll(async () => {
    plane = await ControlPlane.start();
    await createNamespace(plane, 'apps');
  }, 120_000);
  afterAll(async () => {
    await plane?.stop();
  });

  test('a values file with an invalid policy is refused by the chart\'s schema before anything reaches the cluster', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ph-e2e-values-'));
    writeFileSync(join(dir, 'bad.yaml'), 'policy:\n  mode: lenient\n  exemptions:\n    requireReasons: true\n');
    const result = await helm(['install', 'pod-hardener', CHART, '-n', NS, '--create-namespace', '-f', join(dir, 'bad.yaml')], plane.kubeconfig);
    rmSync(dir, { recursive: true, force: true });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("values don't meet the specifications of the schema");
    expect(result.stderr).toMatch(/\/policy\/mode.*'enforce', 'fill', 'audit'/);
    expect(result.stderr).toMatch(/\/policy\/exemptions.*'requireReasons' not allowed/);
    expect((await plane.kubectl(['get', 'mutatingwebhookconfigurations', '-o', 'name'])).stdout).toBe('');
    expect((await plane.kubectl(['get', 'namespace', NS], { allowFailure: true })).code).not.toBe(0);
  });

  test('helm install: every object accepted by the API server, the webhook registered with the CA of its certificate, NOTES that say how to check it', async () => {
    const out = await run(['install', 'pod-hardener', CHART, '-n', NS, '--create-namespace']);
    expect(out).toContain('STATUS: deployed');
    expect(out).toContain('--dry-run=server');
    expect(out).toContain('pod-hardener.io/hardened');
    // --create-namespace cannot label the namespace: the notes say how to hold the webhook's pods to the restricted standard.
    expect(out).toContain(`kubectl label namespace ${NS} pod-security.kubernetes.io/enforce=restricted`);

    const manifest = await run(['get', 'manifest', 'pod-hardener', '-n', NS]);
    const stored = await plane.kubectl(['get', '-f', '-', '-o', 'name'], { input: manifest });
    expect(stored.stdout.trim().split('\n').sort()).toEqual([
      'clusterrole.rbac.authorization.k8s.io/pod-hardener',
      'clusterrolebinding.rbac.authorization.k8s.io/pod-hardener',
      'configmap/pod-hardener-policy',
      'deployment.apps/pod-hardener',
      'mutatingwebhookconfiguration.admissionregistration.k8s.io/pod-hardener',
      'poddisruptionbudget.policy/pod-hardener',
      'secret/pod-hardener-tls',
      'service/pod-hardener',
      'serviceaccount/pod-hardener',
    ]);
    // The API server's strict field validation of every object as rendered: no unknown or duplicate field anywhere.
    const strict = await plane.kubectl(['apply', '--server-side', '--dry-run=server', '--validate=strict', '--force-conflicts', '--field-manager=e2e-check', '-f', '-'], { input: manifest });
    expect(strict.stderr).toBe('');

    const [webhook] = (await webhookConfiguration()).webhooks;
    expect(webhook.clientConfig.caBundle).toBe((await tls())['ca.crt']);
    // Registered for real: the API server (once its informer has it) calls it for a pod, and fails the pod,
    // since no webhook pod runs here and the failurePolicy is Fail.
    await until('the API server to call the webhook', webhookCalled);
  });

  test('the installed Deployment\'s own arguments, policy and certificate make a working webhook: the real serve process, trusted as the API server trusts it', async () => {
    // What the kubelet would mount, written to a folder of our own.
    const root = mkdtempSync(join(tmpdir(), 'ph-e2e-mounts-'));
    const file = (path: string, content: string): void => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    };
    const secret = await tls();
    for (const key of ['tls.crt', 'tls.key']) file(`/etc/pod-hardener/tls/${key}`, Buffer.from(secret[key], 'base64').toString());
    // Tests reach loopback only: the installed policy, but images are not read from registries.
    const policy = parse((await getObject(plane, ['configmap', 'pod-hardener-policy', '-n', NS])).data['policy.yaml']);
    file('/etc/pod-hardener/policy/policy.yaml', stringify({ ...policy, images: { resolve: false } }));
    const [, ...args] = (await getObject(plane, ['deployment', 'pod-hardener', '-n', NS])).spec.template.spec.containers[0].args as string[];
    // Its own flags, in our folder; the port is the helper's (a free one).
    const flags = args.filter((a) => !a.startsWith('--port=')).flatMap((a) => a.replace('/etc/', `${root}/etc/`).split(/=(.*)/s).slice(0, 2));
    const webhook = await startServeProcess(flags, { POD_HARDENER_WEBHOOK_NAMESPACE: NS });
    try {
      const [hook] = (await webhookConfiguration()).webhooks;
      const ca = Buffer.from(hook.clientConfig.caBundle, 'base64').toString();
      // The API server checks the certificate against the CA bundle, for the Service's name.
      const servername = `${hook.clientConfig.service.name}.${NS}.svc`;
      const body = JSON.stringify(reviewOf(bare('app', 'apps')));
      const answer = await send(`${webhook.url}${hook.clientConfig.service.path}`, { method: 'POST', ca, servername, body, headers: { 'Content-Type': 'application/json' } });
      expect(answer.status).toBe(200);
      const { response } = answer.json<{ response: { allowed: boolean; patch?: string } }>();
      expect(response.allowed).toBe(true);
      expect(decodePatch(response).map((op) => op.path)).toEqual(expect.arrayContaining([expect.stringMatching(/^\/spec\/containers\/0\/securityContext/)]));
    } finally {
      await webhook.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('helm upgrade: new values applied, the generated certificate and CA bundle kept', async () => {
    const [before, caBundle] = [await tls(), (await webhookConfiguration()).webhooks[0].clientConfig.caBundle];
    const out = await run(['upgrade', 'pod-hardener', CHART, '-n', NS, '--set', 'policy.mode=audit', '--set', 'webhook.timeoutSeconds=3']);
    expect(out).toContain('REVISION: 2');
    expect(await tls()).toEqual(before);
    const [webhook] = (await webhookConfiguration()).webhooks;
    expect(webhook.clientConfig.caBundle).toBe(caBundle);
    expect(webhook.timeoutSeconds).toBe(3);
    expect((await getObject(plane, ['configmap', 'pod-hardener-policy', '-n', NS])).data['policy.yaml']).toContain('mode: audit');
  });

  test('with every option on, the objects the API server knows pass its strict validation (no CRDs of cert-manager or Prometheus here)', async () => {
    const options = ['clientAuth.enabled=true', 'clientAuth.caBundle.secret=apiserver-client-ca', 'networkPolicy.enabled=true', 'registryCredentials.secretName=regcred', 'extraArgs={--max-concurrent-reviews=400}'];
    const rendered = await run(['template', 'hardener', CHART, '-n', NS, ...options.flatMap((value) => ['--set', value])]);
    const result = await plane.kubectl(['apply', '--server-side', '--dry-run=server', '--validate=strict', '-f', '-'], { input: rendered });
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^networkpolicy\.networking\.k8s\.io\/hardener-pod-hardener serverside-applied \(server dry run\)$/m);
    expect(result.stdout).toMatch(/^deployment\.apps\/hardener-pod-hardener serverside-applied \(server dry run\)$/m);
  });

  test('helm uninstall: the webhook configuration goes first, before the Service and the Deployment, and nothing is left', async () => {
    // etcd revisions are one sequence for the whole cluster: a later deletion has a higher resourceVersion.
    const since = (JSON.parse((await plane.kubectl(['get', '--raw', '/api/v1/namespaces'])).stdout) as Obj).metadata.resourceVersion as string;
    await run(['uninstall', 'pod-hardener', '-n', NS]);
    const deletedAt = async (path: string): Promise<number> => {
      const stream = (await plane.kubectl(['get', '--raw', `${path}?watch=1&resourceVersion=${since}&timeoutSeconds=1`])).stdout;
      const events = stream.trim().split('\n').map((line) => JSON.parse(line) as Obj);
      const deleted = events.find((event) => event.type === 'DELETED' && event.object.metadata.name === 'pod-hardener');
      if (!deleted) throw new Error(`no deletion seen at ${path}: ${stream}`);
      return Number(deleted.object.metadata.resourceVersion);
    };
    const webhook = await deletedAt('/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations');
    const service = await deletedAt(`/api/v1/namespaces/${NS}/services`);
    const deployment = await deletedAt(`/apis/apps/v1/namespaces/${NS}/deployments`);
    expect(webhook).toBeLessThan(service);
    expect(service).toBeLessThan(deployment);

    expect((await plane.kubectl(['get', 'mutatingwebhookconfigurations', '-o', 'name'])).stdout).toBe('');
    expect((await plane.kubectl(['get', 'all,configmaps,secrets,poddisruptionbudgets', '-n', NS, '-o', 'name'])).stdout).not.toMatch(/pod-hardener/);
    // Pods are created again, without the webhook.
    await until('pods created without the webhook', async () => !(await webhookCalled()));
  });
});
