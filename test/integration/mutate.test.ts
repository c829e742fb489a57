/** POST /mutate over real HTTPS on loopback, with real AdmissionReview fixtures. */
import { readFileSync } from 'node:fs';
import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import type { Pod } from '../../src/engine/pod.js';
import { restrictedViolations } from '../helpers/api-rules.js';
import { postJson } from '../helpers/https.js';
import { container, pod } from '../helpers/pods.js';
import { decodePatch, reviewOf } from '../helpers/reviews.js';
import { startTestWebhook, type TestWebhook } from '../helpers/webhook.js';

interface ReviewResponse {
  apiVersion: string;
  kind: string;
  response: { uid: string; allowed: boolean; patchType?: string; patch?: string; warnings?: string[]; status?: { code: number; message: string } };
}

function fixture(name: string): { request: { uid: string; object: Pod } } & Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
}

describe('POST /mutate', () => {
  let hook: TestWebhook;
  beforeAll(async () => {
    hook = await startTestWebhook();
  });
  afterAll(async () => {
    await hook.stop();
  });

  test('a real pod-create review is answered with the same uid and a JSON Patch that hardens the pod', async () => {
    const review = fixture('review-create-pod.json');
    const res = await postJson(`${hook.url}/mutate`, hook.ca, review);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json<ReviewResponse>();
    expect(body).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true, patchType: 'JSONPatch' } });
    const hardened = fastJsonPatch.applyPatch(structuredClone(review.request.object), decodePatch(body.response) as Operation[], true, false).newDocument;
    // The fixture exempts readOnlyRootFilesystem; everything else is applied.
    expect(hardened.spec.containers?.every((c) => c.securityContext?.allowPrivilegeEscalation === false)).toBe(true);
    expect(hardened.spec.containers?.find((c) => c.name === 'proxy')?.securityContext?.capabilities).toEqual({ drop: ['ALL'] });
    // Per container, so a container added later is judged on its own.
    expect(hardened.spec.securityContext ?? {}).toEqual({});
    expect(hardened.spec.containers?.every((c) => c.securityContext?.runAsNonRoot === true && c.securityContext?.seccompProfile?.type === 'RuntimeDefault')).toBe(true);
    expect(hardened.spec.containers?.some((c) => c.securityContext?.readOnlyRootFilesystem)).toBe(false);
  });

  test('a real ephemeral-containers review changes only the new debug container', async () => {
    const review = fixture('review-ephemeral-containers.json');
    const res = await postJson(`${hook.url}/mutate`, hook.ca, review);
    const body = res.json<ReviewResponse>();
    expect(body.response.uid).toBe(review.request.uid);
    const ops = decodePatch(body.response);
    expect(ops.length).toBeGreaterThan(0);
    expect(ops.every((op) => op.path.startsWith('/spec/ephemeralContainers/0/securityContext'))).toBe(true);
    const debuggerAfter = fastJsonPatch.applyPatch(structuredClone(review.request.object), ops as Operation[], true, false).newDocument.spec.ephemeralContainers?.[0];
    // kubectl debug's default profile adds SYS_PTRACE; enforce mode keeps only allowed capabilities. The
    // captured pod was never hardened, so the pod-level values the debugger needs go on the debugger itself.
    expect(debuggerAfter?.securityContext).toEqual({
      capabilities: { drop: ['ALL'] },
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    // The pod-wide exemption of readOnlyRootFilesystem covers the debugger too, so no warning about it.
    expect(body.response.warnings).toBeUndefined();
  });

  test('a bare pod comes out meeting the restricted standard', async () => {
    const bare = pod({ initContainers: [container('init')], containers: [container('app'), container('web')] });
    const res = await postJson(`${hook.url}/mutate`, hook.ca, reviewOf(bare));
    const ops = decodePatch(res.json<ReviewResponse>().response) as Operation[];
    const hardened = fastJsonPatch.applyPatch(structuredClone(bare), ops, true, false).newDocument;
    expect(restrictedViolations(hardened)).toEqual([]);
  });

  test('the query the API server adds to the URL (?timeout=5s) is accepted', async () => {
    const res = await postJson(`${hook.url}/mutate?timeout=5s`, hook.ca, reviewOf(pod(), { uid: 'with-query' }));
    expect(res.status).toBe(200);
    expect(res.json<ReviewResponse>().response).toMatchObject({ uid: 'with-query', allowed: true, patchType: 'JSONPatch' });
  });

  test('nothing to change: allowed, with neither patch nor patchType', async () => {
    const res = await postJson(`${hook.url}/mutate`, hook.ca, reviewOf({ kind: 'ConfigMap' }, { kind: { group: '', version: 'v1', kind: 'ConfigMap' }, resource: { group: '', version: 'v1', resource: 'configmaps' } }));
    const body = res.json<ReviewResponse>();
    expect(body.response).toEqual({ uid: expect.any(String), allowed: true });
  });

  test('warnings reach the response', async () => {
    const res = await postJson(`${hook.url}/mutate`, hook.ca, reviewOf(pod({}, { annotations: { 'pod-hardener.io/exempt': 'nosuchcontrol' } })));
    expect(res.json<ReviewResponse>().response.warnings).toEqual([expect.stringMatching(/^pod-hardener: .*unknown control "nosuchcontrol"/)]);
  });

  test('every review writes exactly one decision record with its uid', async () => {
    const before = (await hook.records()).filter((r) => r.type === 'decision').length;
    const review = reviewOf(pod(), { uid: 'one-record-per-review' });
    await postJson(`${hook.url}/mutate`, hook.ca, review);
    const decisions = (await hook.records()).filter((r) => r.type === 'decision');
    expect(decisions).toHaveLength(before + 1);
    expect(decisions.at(-1)).toMatchObject({ uid: 'one-record-per-review', outcome: 'patched', namespace: 'team-a', name: 'web', user: 'alice' });
  });
});

describe('onInternalError', () => {
  const explode = (): never => {
    throw new Error('engine bug');
  };

  test.each([
    { choice: 'allow', allowed: true, warning: /admitted without hardening/ },
    { choice: 'deny', allowed: false, warning: /denied/ },
  ])('$choice: the uid is echoed, the answer follows the policy, and the server keeps serving', async ({ choice, allowed, warning }) => {
    const hook = await startTestWebhook({ policy: { onInternalError: choice }, review: explode });
    try {
      const res = await postJson(`${hook.url}/mutate`, hook.ca, reviewOf(pod(), { uid: 'uid-of-the-failing-review' }));
      expect(res.status).toBe(200);
      const body = res.json<ReviewResponse>().response;
      expect(body.uid).toBe('uid-of-the-failing-review');
      expect(body.allowed).toBe(allowed);
      expect(body.warnings?.[0]).toMatch(warning);
      if (!allowed) expect(body.status?.code).toBe(500);
      expect((await hook.records()).some((r) => r.type === 'operational' && r.level === 'error' && r.uid === 'uid-of-the-failing-review')).toBe(true);
      expect((await hook.records()).some((r) => r.type === 'decision' && r.outcome === 'error')).toBe(true);
      const again = await postJson(`${hook.url}/mutate`, hook.ca, reviewOf(pod()));
      expect(again.status).toBe(200);
    } finally {
      await hook.stop();
    }
  });
});
