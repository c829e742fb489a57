/**
 * The per-control counters move by what the review's outcomes say: each
 * control once per review and kind, over every container and the pod level,
 * applied only when the review changed something (not in audit mode). The
 * counts come from the outcome sets; here they are held to the outcomes
 * themselves, over random pods and policies.
 */
import fc from 'fast-check';
import type { ControlId } from '../../../src/engine/control-ids.js';
import type { Outcome } from '../../../src/engine/outcome.js';
import { reviewAdmission, type ReviewDecision } from '../../../src/engine/review.js';
import { createMetrics } from '../../../src/metrics/metrics.js';
import { podArb, policyArb } from '../../helpers/arbitraries.js';
import { createRequest, policy as parsePolicy } from '../../helpers/pods.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 200);

const COUNTERS = { applied: 'pod_hardener_patches_total', exempt: 'pod_hardener_exemptions_total', notApplicable: 'pod_hardener_not_applicable_total' } as const;
type CountedKind = keyof typeof COUNTERS;

/** Which controls should count, by kind, read from the outcome maps. */
function expectedCounts(decision: ReviewDecision): Record<CountedKind, Set<ControlId>> {
  const expected = { applied: new Set<ControlId>(), exempt: new Set<ControlId>(), notApplicable: new Set<ControlId>() };
  const add = (outcomes: ReadonlyMap<ControlId, Outcome>): void => {
    for (const [control, outcome] of outcomes) {
      if (outcome.kind === 'applied' && decision.patch.length === 0) continue;
      if (outcome.kind === 'applied' || outcome.kind === 'exempt' || outcome.kind === 'notApplicable') expected[outcome.kind].add(control);
    }
  };
  add(decision.pod);
  for (const container of decision.containers) add(container.outcomes);
  return expected;
}

async function counted(metrics: ReturnType<typeof createMetrics>, kind: CountedKind): Promise<Set<string>> {
  const metric = await metrics.registry.getSingleMetric(COUNTERS[kind])?.get();
  return new Set((metric?.values ?? []).filter((sample) => sample.value > 0).map((sample) => String(sample.labels.control)));
}

describe('per-control counters', () => {
  test('count each control once per review and kind, as the outcomes say', async () => {
    await fc.assert(
      fc.asyncProperty(podArb(), policyArb, async ({ pod }, policyOverrides) => {
        const decision = reviewAdmission(createRequest(pod), { policy: parsePolicy(policyOverrides) });
        const metrics = createMetrics({ version: 'test', collectDefaults: false });
        metrics.observeReview('CREATE', decision, 0, 0.001);
        metrics.observeReview('CREATE', decision, 0, 0.001);
        const expected = expectedCounts(decision);
        for (const kind of Object.keys(COUNTERS) as CountedKind[]) {
          expect(await counted(metrics, kind)).toEqual(new Set(expected[kind]));
          // Two reviews: every counted series at 2, whatever the number of containers it covered.
          const metric = await metrics.registry.getSingleMetric(COUNTERS[kind])?.get();
          for (const sample of metric?.values ?? []) expect(sample.value).toBe(expected[kind].has(sample.labels.control as ControlId) ? 2 : 0);
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('the random pods reach every kind, the pod level and audit mode', () => {
    const seen = { applied: false, exempt: false, notApplicable: false, podLevel: false, audit: false };
    fc.assert(
      fc.property(podArb(), policyArb, ({ pod }, policyOverrides) => {
        const decision = reviewAdmission(createRequest(pod), { policy: parsePolicy(policyOverrides) });
        const expected = expectedCounts(decision);
        seen.applied ||= expected.applied.size > 0;
        seen.exempt ||= expected.exempt.size > 0;
        seen.notApplicable ||= expected.notApplicable.size > 0;
        seen.podLevel ||= [...decision.pod.values()].some((outcome) => outcome.kind === 'applied');
        seen.audit ||= decision.patch.length === 0 && decision.containers.some((c) => [...c.outcomes.values()].some((o) => o.kind === 'applied'));
      }),
      { numRuns: RUNS },
    );
    expect(seen).toEqual({ applied: true, exempt: true, notApplicable: true, podLevel: true, audit: true });
  });
});
