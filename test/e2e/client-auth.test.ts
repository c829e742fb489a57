/**
 * Client authentication on a real API server: it presents the client
 * certificate its AdmissionConfiguration's kubeconfig gives for the webhook's
 * host:port, and reviews succeed; a direct caller with no certificate, or one
 * from another CA, is refused in the TLS handshake and leaves no decision
 * record. Set up as docs/operations.md tells a platform team to.
 */
import { jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Pod } from '../../src/engine/pod.js';
import { generateClientCerts, readClientCerts, reviewAs, type ClientCerts } from '../helpers/client-certs.js';
import { startTestWebhook, type TestWebhook } from '../helpers/webhook.js';
import { ControlPlane, freePort } from './support/control-plane.js';
import { applyObject, bare, createNamespace, createPod, getObject, RESTRICTED, ROOT, webhookConfiguration } from './support/cluster.js';

jest.setTimeout(120_000);

/**
 * The API server's side: a kubeconfig whose user is named after the webhook's
 * host:port (k8s.io/apiserver pkg/util/webhook/authentication.go matches the
 * exact host:port first, then *.suffix names, then the host alone when the
 * port is 443), and the AdmissionConfiguration that points at it.
 */
function admissionConfiguration(dir: string, port: number, certs: ClientCerts): string {
  const kubeconfig = join(dir, 'webhook-kubeconfig.yaml');
  writeFileSync(
    kubeconfig,
    ['apiVersion: v1', 'kind: Config', 'users:', `- name: "127.0.0.1:${port}"`, '  user:', `    client-certificate: ${join(certs.dir, 'apiserver-client.crt')}`, `    client-key: ${join(certs.dir, 'apiserver-client.key')}`, ''].join('\n'),
  );
  const file = join(dir, 'admission-configuration.yaml');
  writeFileSync(
    file,
    [
      'apiVersion: apiserver.config.k8s.io/v1',
      'kind: AdmissionConfiguration',
      'plugins:',
      '  - name: MutatingAdmissionWebhook',
      '    configuration:',
      '      apiVersion: apiserver.config.k8s.io/v1',
      '      kind: WebhookAdmissionConfiguration',
      `      kubeConfigFile: ${kubeconfig}`,
      '',
    ].join('\n'),
  );
  return file;
}

describe('only the API server may review', () => {
  let dir: string;
  let certs: ClientCerts;
  let plane: ControlPlane;
  let hook: TestWebhook;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ph-e2e-client-auth-'));
    certs = await generateClientCerts(join(dir, 'certs'));
    const port = await freePort();
    plane = await ControlPlane.start({ apiServerArgs: [`--admission-control-config-file=${admissionConfiguration(dir, port, certs)}`] });
    await plane.kubectl(['apply', '-f', join(ROOT, 'manifests/base/namespace.yaml')]);
    await applyObject(plane, webhookConfiguration(port));
    // As a platform team does it: the Secret, the CA bundle, the client CA's ConfigMap; new leaf certificates, the same CAs.
    await promisify(execFile)(join(ROOT, 'certs/install.sh'), ['--dir', certs.dir, '--san', 'IP:127.0.0.1', '--client-cert'], { env: { ...process.env, KUBECTL: plane.kubectlCommand() } });
    certs = readClientCerts(certs.dir);
    hook = await startTestWebhook({
      serve: { port, tlsCertFile: join(certs.dir, 'tls.crt'), tlsKeyFile: join(certs.dir, 'tls.key'), clientCaFile: certs.caFile, probePort: 0, webhookNamespace: 'pod-hardener' },
    });
    await createNamespace(plane, 'restricted', RESTRICTED);
  }, 180_000);
  afterAll(async () => {
    await hook?.stop();
    await plane?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('pods created through the API server are hardened: the API server presented its client certificate', async () => {
    // The API server picks up a new webhook configuration asynchronously.
    const deadline = Date.now() + 30_000;
    let created: Awaited<ReturnType<typeof createPod>>;
    for (let i = 0; ; i += 1) {
      created = await createPod(plane, bare(`hardened-${i}`, 'restricted'));
      if (created.code === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(created.stderr).toBe('');
    const stored = created.pod as Pod;
    expect(stored.metadata?.annotations?.['pod-hardener.io/hardened']).toBeDefined();
    expect(stored.spec.containers?.[0]?.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    expect((await hook.records()).some((r) => r.type === 'decision' && r.namespace === 'restricted' && r.name === stored.metadata?.name && r.outcome === 'patched')).toBe(true);
  });

  test('install.sh --client-cert put the client CA where manifests/client-auth mounts it', async () => {
    const configMap = await getObject<{ data: Record<string, string> }>(plane, ['configmap', 'pod-hardener-client-ca', '-n', 'pod-hardener']);
    expect(configMap.data['ca.crt']).toBe(readFileSync(certs.caFile, 'utf8'));
  });

  test('a direct caller with no certificate, or one from another CA, is refused in the handshake and leaves no decision record', async () => {
    const other = await generateClientCerts(join(dir, 'other'));
    expect(await reviewAs(hook.webhook.port, certs.servingCa, 'e2e-anonymous')).toMatch(/^refused: /);
    expect(await reviewAs(hook.webhook.port, certs.servingCa, 'e2e-stranger', other)).toMatch(/^refused: /);
    expect((await hook.records()).filter((r) => r.uid === 'e2e-anonymous' || r.uid === 'e2e-stranger')).toEqual([]);
    // The same caller with the API server's certificate is served: the refusal was the missing trust, nothing else.
    expect(await reviewAs(hook.webhook.port, certs.servingCa, 'e2e-trusted', certs)).toBe('200');
  });
});
