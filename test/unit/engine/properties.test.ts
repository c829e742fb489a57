/**
 * Property-based tests of the engine over random pods: whatever the pod, the
 * annotations and the policy, the invariants of SPEC §1 hold.
 */
import fc from 'fast-check';
import type { Operation } from 'fast-json-patch';
import { CONTROL_IDS, type ControlId } from '../../../src/engine/control-ids.js';
import type { Container, Pod } from '../../../src/engine/pod.js';
import { reviewAdmission, type ReviewDecision } from '../../../src/engine/review.js';
import { apiValidationErrors, kubeletRefusals, restrictedViolations } from '../../helpers/api-rules.js';
import { podArb, policyArb } from '../../helpers/arbitraries.js';
import { allContainers, applyStrictly, createRequest, ephemeralRequest, policy as parsePolicy } from '../../helpers/pods.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 400);

/** Valid input: what the API server would accept without the webhook. */
function validInput(pod: Pod): boolean {
  return apiValidationErrors(pod).length === 0 && kubeletRefusals(pod).length === 0;
}

function run(pod: Pod, policyOverrides: Record<string, unknown>): { decision: ReviewDecision; result: Pod } {
  const decision = reviewAdmission(createRequest(pod), { policy: parsePolicy(policyOverrides) });
  return { decision, result: applyStrictly(pod, decision.patch) };
}

const ALLOWED_PATHS = [
  /^\/metadata\/annotations$/,
  /^\/metadata\/annotations\/pod-hardener\.io~1hardened$/,
  /^\/spec\/securityContext(\/.*)?$/,
  /^\/spec\/volumes(\/\d+)?$/,
  /^\/spec\/(initContainers|containers|ephemeralContainers)\/\d+\/securityContext(\/.*)?$/,
  /^\/spec\/(initContainers|containers|ephemeralContainers)\/\d+\/volumeMounts(\/\d+)?$/,
];

/** The fields each control owns in a container's security context. */
const FIELDS: Record<ControlId, string[]> = {
  capabilities: ['capabilities'],
  allowPrivilegeEscalation: ['allowPrivilegeEscalation'],
  privileged: ['privileged'],
  runAsNonRoot: ['runAsNonRoot', 'runAsUser'],
  readOnlyRootFilesystem: ['readOnlyRootFilesystem'],
  seccompProfile: ['seccompProfile'],
};

function byName(pod: Pod): Map<string, Container> {
  return new Map(allContainers(pod).map((c) => [c.name, c]));
}

function effective(pod: Pod, c: Container | undefined, key: 'runAsNonRoot' | 'seccompProfile'): unknown {
  return c?.securityContext?.[key] ?? pod.spec.securityContext?.[key] ?? undefined;
}

/** Every object and array reachable from `value`, itself included. */
function objectsIn(value: unknown, found = new Set<object>()): Set<object> {
  if (typeof value !== 'object' || value === null || found.has(value)) return found;
  found.add(value);
  for (const item of Object.values(value)) objectsIn(item, found);
  return found;
}

describe('engine properties over random pods', () => {
  test('the patch applies strictly, the result passes API validation and the kubelet, and a second pass is empty', () => {
    fc.assert(
      fc.property(podArb(), policyArb, ({ pod }, policy) => {
        fc.pre(validInput(pod));
        const { decision, result } = run(pod, policy);
        expect(apiValidationErrors(result)).toEqual([]);
        expect(kubeletRefusals(result)).toEqual([]);
        expect(run(result, policy).decision.patch).toEqual([]);
        if (policy.mode === 'audit') expect(decision.patch).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  test('where nothing is exempted or skipped, enforce mode meets the restricted standard', () => {
    fc.assert(
      fc.property(podArb(), ({ pod }) => {
        fc.pre(validInput(pod));
        const { decision, result } = run(pod, {});
        const clean = decision.refusedExemptions.length === 0 && decision.findings.every((f) => f.kind !== 'podLevel') && decision.containers.every((c) => [...c.outcomes.values()].every((o) => o.kind !== 'exempt' && o.kind !== 'notApplicable'));
        fc.pre(clean);
        expect(restrictedViolations(result)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  test('exempted fields are untouched, and exempt containers do not inherit new pod-level values', () => {
    fc.assert(
      fc.property(podArb(), policyArb, ({ pod }, policy) => {
        fc.pre(validInput(pod));
        const { decision, result } = run(pod, policy);
        const before = byName(pod);
        const after = byName(result);
        for (const report of decision.containers) {
          for (const control of CONTROL_IDS) {
            if (report.outcomes.get(control)?.kind !== 'exempt') continue;
            const old = before.get(report.name);
            const now = after.get(report.name);
            for (const field of FIELDS[control]) expect(now?.securityContext?.[field]).toEqual(old?.securityContext?.[field]);
            if (control === 'readOnlyRootFilesystem') expect(now?.volumeMounts).toEqual(old?.volumeMounts);
            if (control === 'runAsNonRoot' || control === 'seccompProfile') expect(effective(result, now, control)).toEqual(effective(pod, old, control));
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('the patch shares no object with the request, and the review leaves the request as it was', () => {
    fc.assert(
      fc.property(podArb(), policyArb, ({ pod }, policy) => {
        const request = createRequest(pod);
        const snapshot = structuredClone(request);
        const decision = reviewAdmission(request, { policy: parsePolicy(policy) });
        const requestObjects = objectsIn(request);
        for (const op of [...decision.patch, ...(decision.wouldPatch ?? [])]) {
          if ('value' in op) for (const object of objectsIn(op.value)) expect(requestObjects.has(object)).toBe(false);
        }
        expect(request).toEqual(snapshot);
      }),
      { numRuns: RUNS },
    );
  });

  test('the patch touches only security contexts, the writable volumes and mounts, and our own annotation; it only adds volumes and mounts', () => {
    fc.assert(
      fc.property(podArb(), policyArb, ({ pod }, policy) => {
        fc.pre(validInput(pod));
        const { decision } = run(pod, policy);
        for (const op of decision.patch) {
          expect(ALLOWED_PATHS.some((re) => re.test(op.path))).toBe(true);
          if (/\/(volumes|volumeMounts)(\/\d+)?$/.test(op.path)) expect(op.op).toBe('add');
          if (op.path === '/metadata/annotations') expect(Object.keys((op as Operation & { value: object }).value)).toEqual(['pod-hardener.io/hardened']);
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('fill mode never changes an explicit value', () => {
    fc.assert(
      fc.property(podArb(), ({ pod }) => {
        fc.pre(validInput(pod));
        const { result } = run(pod, { mode: 'fill' });
        const after = byName(result);
        for (const old of allContainers(pod)) {
          const now = after.get(old.name)?.securityContext ?? {};
          const was = old.securityContext ?? {};
          for (const field of ['privileged', 'allowPrivilegeEscalation', 'runAsNonRoot', 'runAsUser', 'readOnlyRootFilesystem', 'seccompProfile']) {
            if (was[field] !== undefined) expect(now[field]).toEqual(was[field]);
          }
          if (was.capabilities?.add !== undefined) expect(now.capabilities?.add).toEqual(was.capabilities.add);
          if ((was.capabilities?.drop ?? []).length > 0) expect(now.capabilities?.drop).toEqual(was.capabilities?.drop);
        }
        for (const field of ['runAsNonRoot', 'runAsUser', 'seccompProfile'] as const) {
          if (pod.spec.securityContext?.[field] !== undefined) expect(result.spec.securityContext?.[field]).toEqual(pod.spec.securityContext[field]);
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('on the ephemeralcontainers subresource only new ephemeral containers change, and no volume is added', () => {
    fc.assert(
      fc.property(podArb({ ephemeral: true }), policyArb, fc.nat(), ({ pod }, policy, seed) => {
        const ephemeral = pod.spec.ephemeralContainers ?? [];
        fc.pre(ephemeral.length > 0 && validInput(pod));
        const kept = seed % ephemeral.length;
        const old: Pod = structuredClone(pod);
        old.spec.ephemeralContainers = ephemeral.slice(0, kept);
        const decision = reviewAdmission(ephemeralRequest(pod, old), { policy: parsePolicy(policy) });
        const result = applyStrictly(pod, decision.patch);
        for (const op of decision.patch) {
          const match = /^\/spec\/ephemeralContainers\/(\d+)\/securityContext(\/|$)/.exec(op.path);
          expect(match).not.toBeNull();
          expect(Number(match?.[1])).toBeGreaterThanOrEqual(kept);
        }
        expect(apiValidationErrors(result)).toEqual([]);
        expect(kubeletRefusals(result)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });
});
