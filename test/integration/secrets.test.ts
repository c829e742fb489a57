/**
 * Never a pod spec, env values, command lines, image pull secrets or foreign
 * annotation values in anything the process writes: the real process, at
 * debug level, fed pods full of secret-looking values.
 */
import { jsonLines, startServeProcess } from '../helpers/cli-process.js';
import { postJson } from '../helpers/https.js';
import { container, pod } from '../helpers/pods.js';
import { admissionReview, reviewOf } from '../helpers/reviews.js';
import { createRequest } from '../helpers/pods.js';

const SECRETS = {
  envValue: 'S3CR3T-ENV-VALUE-41x',
  envFromSecret: 'S3CR3T-SECRETREF-NAME-42x',
  command: 'S3CR3T-COMMAND-43x',
  arg: 'S3CR3T-ARG-44x',
  pullSecret: 'S3CR3T-PULL-SECRET-45x',
  annotation: 'S3CR3T-ANNOTATION-VALUE-46x',
  label: 'S3CR3T-LABEL-VALUE-47x',
  image: 'S3CR3T-IMAGE-48x',
  probe: 'S3CR3T-PROBE-49x',
  secretData: 'S3CR3T-DATA-50x',
  secretDataBase64: Buffer.from('S3CR3T-DATA-51x').toString('base64'),
};

function leakyContainer(name: string): ReturnType<typeof container> {
  return container(name, {
    image: `registry.example/${SECRETS.image}:1`,
    command: ['/bin/app', SECRETS.command],
    args: [`--password=${SECRETS.arg}`],
    env: [
      { name: 'DB_PASSWORD', value: SECRETS.envValue },
      { name: 'TOKEN', valueFrom: { secretKeyRef: { name: SECRETS.envFromSecret, key: 'token' } } },
    ],
    readinessProbe: { exec: { command: ['check', SECRETS.probe] } },
  });
}

function leakyPod(annotations: Record<string, string> = {}): ReturnType<typeof pod> {
  return pod(
    { containers: [leakyContainer('app'), leakyContainer('sidecar')], initContainers: [leakyContainer('init')], imagePullSecrets: [{ name: SECRETS.pullSecret }] },
    { labels: { team: SECRETS.label }, annotations: { 'vendor.example.com/config': SECRETS.annotation, ...annotations } },
  );
}

describe('nothing secret is ever written', () => {
  test('decision records and operational logs, at debug level, contain none of the pod content', async () => {
    const serve = await startServeProcess(['--log-level', 'debug']);
    try {
      const reviews = [
        reviewOf(leakyPod()),
        reviewOf(leakyPod({ 'pod-hardener.io/exempt': 'all', 'pod-hardener.io/exempt-reason': 'reason is ours to log' })),
        reviewOf(leakyPod(), { operation: 'UPDATE', oldObject: leakyPod() }),
        reviewOf(leakyPod(), { operation: 'UPDATE', subResource: 'ephemeralcontainers', oldObject: leakyPod() }),
        reviewOf(leakyPod(), { namespace: 'kube-system' }),
        reviewOf(leakyPod(), { dryRun: true }),
        // An oddly shaped pod: the reason names the field, never its value.
        reviewOf({ ...leakyPod(), spec: { ...leakyPod().spec, containers: [{ name: 'x', securityContext: { runAsUser: SECRETS.envValue } }] } }),
        // A Secret sent by a misconfigured webhook registration.
        admissionReview(
          createRequest(
            { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, data: { password: SECRETS.secretDataBase64 }, stringData: { token: SECRETS.secretData } },
            { kind: { group: '', version: 'v1', kind: 'Secret' }, resource: { group: '', version: 'v1', resource: 'secrets' } },
          ),
        ),
      ];
      for (const review of reviews) expect((await postJson(`${serve.url}/mutate`, serve.ca, review)).status).toBe(200);
      // Bad input on top: the 400 paths log nothing of the body either.
      await postJson(`${serve.url}/mutate`, serve.ca, `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"object":"${SECRETS.envValue}"}}`);
      expect(await serve.stop()).toBe(0);

      const written = serve.stdout() + serve.stderr();
      const lines = jsonLines(serve.stdout());
      expect(lines.filter((l) => l.type === 'decision')).toHaveLength(reviews.length);
      expect(lines.some((l) => l.type === 'operational' && l.level === 'debug') || lines.some((l) => l.type === 'operational')).toBe(true);
      for (const [what, value] of Object.entries(SECRETS)) {
        expect({ what, found: written.includes(value) }).toEqual({ what, found: false });
      }
      // Our own annotations may be logged: the exemption reason is there for auditors.
      expect(written).toContain('reason is ours to log');
    } finally {
      await serve.stop('SIGKILL');
    }
  }, 60_000);
});
