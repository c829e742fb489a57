/** manifests/ and certs/ against a real API server, as a platform team applies them. */
import { execFile } from 'node:child_process';
import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { bare, createNamespace, createPod, getObject, RESTRICTED, ROOT, startHardener, type Hardener } from './support/cluster.js';

const run = promisify(execFile);
jest.setTimeout(120_000);

describe('manifests/ on a real API server', () => {
  let env: Hardener;
  beforeAll(async () => {
    env = await startHardener();
  }, 180_000);
  afterAll(async () => {
    await env?.stop();
  });

  test('kubectl apply --dry-run=server -k manifests/ succeeds', async () => {
    const result = await env.plane.kubectl(['apply', '--dry-run=server', '-k', join(ROOT, 'manifests')]);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^deployment\.apps\/pod-hardener (created|configured) \(server dry run\)$/),
        expect.stringMatching(/^mutatingwebhookconfiguration\.admissionregistration\.k8s\.io\/pod-hardener (created|configured|unchanged) \(server dry run\)$/),
        expect.stringMatching(/^poddisruptionbudget\.policy\/pod-hardener created \(server dry run\)$/),
        expect.stringMatching(/^clusterrole\.rbac\.authorization\.k8s\.io\/pod-hardener created \(server dry run\)$/),
      ]),
    );
    expect(result.stderr).not.toMatch(/Warning/);
  });

  test('the Deployment\'s own pod passes the restricted namespace it runs in', async () => {
    const rendered = (await env.plane.kubectl(['kustomize', join(ROOT, 'manifests')])).stdout;
    const objects = parseAllDocuments(rendered).map((doc) => doc.toJS() as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any
    const deployment = objects.find((o) => o.kind === 'Deployment');
    if (!deployment) throw new Error('no Deployment in manifests/');
    const namespace = objects.find((o) => o.kind === 'Namespace');
    expect(namespace?.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    await env.plane.kubectl(['apply', '-f', join(ROOT, 'manifests/base/serviceaccount.yaml')]);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'template', namespace: deployment.metadata.namespace, labels: deployment.spec.template.metadata.labels }, spec: deployment.spec.template.spec };
    const result = await createPod(env.plane, pod, { dryRun: true });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // The namespace selector keeps the webhook away from its own pods: the template passed as written.
    expect(result.pod?.metadata?.annotations?.['pod-hardener.io/hardened']).toBeUndefined();
  });

  test('the cert-manager variant renders', async () => {
    const rendered = (await env.plane.kubectl(['kustomize', join(ROOT, 'manifests/cert-manager')])).stdout;
    expect(rendered).toContain('cert-manager.io/inject-ca-from: pod-hardener/pod-hardener-serving');
    expect(rendered).toMatch(/kind: Certificate/);
  });

  test('certs/install.sh: re-running rotates the serving certificate; --rotate-ca keeps the old CA trusted while replicas roll', async () => {
    const secretCert = async (): Promise<string> => (await getObject(env.plane, ['secret', 'pod-hardener-tls', '-n', 'pod-hardener'])).data['tls.crt'];
    const bundle = async (): Promise<string> => Buffer.from((await getObject(env.plane, ['mutatingwebhookconfiguration', 'pod-hardener'])).webhooks[0].clientConfig.caBundle, 'base64').toString();
    const install = (args: string[] = []): Promise<unknown> =>
      run(join(ROOT, 'certs/install.sh'), ['--dir', env.certDir, '--san', 'IP:127.0.0.1', ...args], { env: { ...process.env, KUBECTL: env.plane.kubectlCommand() } });

    const [certBefore, bundleBefore] = [await secretCert(), await bundle()];
    await install();
    expect(await secretCert()).not.toBe(certBefore);
    expect(await bundle()).toBe(bundleBefore);

    await install(['--rotate-ca']);
    const rotated = await bundle();
    expect(rotated.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(rotated).toContain(bundleBefore.trim());
    expect(readFileSync(join(env.certDir, 'ca.crt'), 'utf8')).not.toBe(bundleBefore);
    // The running webhook still serves the certificate of the old CA, and is still trusted.
    await createNamespace(env.plane, 'after-rotation', RESTRICTED);
    const created = await createPod(env.plane, bare('after-rotation', 'after-rotation'), { dryRun: true });
    expect(created.code).toBe(0);
  });
});
