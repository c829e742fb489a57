/**
 * Random pods through the real API server: whatever the pod, the webhook's
 * patch is accepted by the API server's validation, and where nothing is
 * exempted or skipped, its Pod Security admission admits the pod as restricted.
 */
import { jest } from '@jest/globals';
import fc from 'fast-check';
import type { Pod } from '../../src/engine/pod.js';
import { reviewAdmission } from '../../src/engine/review.js';
import { podArb } from '../helpers/arbitraries.js';
import { createRequest, policy } from '../helpers/pods.js';
import { createNamespace, createPod, RESTRICTED, startHardener, type Hardener } from './support/cluster.js';

jest.setTimeout(300_000);

const RUNS = Number(process.env.E2E_PROPERTY_RUNS ?? 30);

describe('random pods, judged by the API server', () => {
  let env: Hardener;
  beforeAll(async () => {
    env = await startHardener();
    await createNamespace(env.plane, 'random-privileged');
    await createNamespace(env.plane, 'random-restricted', RESTRICTED);
  }, 180_000);
  afterAll(async () => {
    await env?.stop();
  });

  test('the API server never rejects what the webhook made; clean pods pass restricted', async () => {
    let judged = 0;
    await fc.assert(
      fc.asyncProperty(podArb(), fc.nat(), async ({ pod }, id) => {
        const name = `random-${id % 100000}-${judged}`;
        const input: Pod = structuredClone(pod);
        delete input.spec.ephemeralContainers; // only the subresource may add them
        input.metadata = { ...input.metadata, name, namespace: 'random-privileged' };

        // Valid input only: the API server itself decides, with the webhook opted out.
        const raw = structuredClone(input);
        raw.metadata = { ...raw.metadata, labels: { 'pod-hardener.io/skip': 'true' } };
        const accepted = await createPod(env.plane, raw, { dryRun: true });
        fc.pre(accepted.code === 0);

        const privileged = await createPod(env.plane, input, { dryRun: true });
        expect({ name, stderr: privileged.stderr, code: privileged.code }).toEqual({ name, stderr: privileged.stderr.includes('Warning') ? privileged.stderr : '', code: 0 });

        const restricted = structuredClone(input);
        restricted.metadata = { ...restricted.metadata, namespace: 'random-restricted' };
        const decision = reviewAdmission(createRequest(restricted, { namespace: 'random-restricted' }), { policy: policy() });
        const clean =
          decision.refusedExemptions.length === 0 &&
          decision.findings.every((f) => f.kind !== 'podLevel') &&
          decision.containers.every((c) => [...c.outcomes.values()].every((o) => o.kind !== 'exempt' && o.kind !== 'notApplicable'));
        const judgedRestricted = await createPod(env.plane, restricted, { dryRun: true });
        if (clean) expect({ name, stderr: judgedRestricted.stderr, code: judgedRestricted.code }).toMatchObject({ name, code: 0 });
        else if (judgedRestricted.code !== 0) expect(judgedRestricted.stderr).toMatch(/violates PodSecurity "restricted:latest"/);
        judged += 1;
      }),
      { numRuns: RUNS },
    );
    expect(judged).toBeGreaterThan(RUNS / 3);
  });
});
