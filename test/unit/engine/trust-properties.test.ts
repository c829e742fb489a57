/**
 * Properties behind "every pod is hardened, or the record says exactly why
 * not" (issue 14), over random pods with hostile names and annotation keys,
 * random image facts, and containers that arrive on a later pass.
 */
import fc from 'fast-check';
import type { Operation } from 'fast-json-patch';
import { CONTROL_IDS, type ControlId } from '../../../src/engine/control-ids.js';
import { parseHardenedRecord } from '../../../src/engine/hardened-annotation.js';
import type { ImageLookup, ImageLookups } from '../../../src/engine/image-facts.js';
import type { Container, Pod } from '../../../src/engine/pod.js';
import { reviewAdmission, type ReviewDecision } from '../../../src/engine/review.js';
import { apiValidationErrors, kubeletRefusals } from '../../helpers/api-rules.js';
import { linuxSecurityContext, podArb, policyArb, PROTOTYPE_NAMES } from '../../helpers/arbitraries.js';
import { allContainers, applyStrictly, createRequest, ephemeralRequest, policy as parsePolicy, warningsOf } from '../../helpers/pods.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);
const LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

const USERS = ['', 'root', '0', '0:0', '1000', '1000:1000', 'nobody', 'app:app', '65532'];

const lookupArb: fc.Arbitrary<ImageLookup> = fc.oneof(
  fc.record({ user: fc.constantFrom(...USERS), volumes: fc.subarray(['/data', '/var/cache/app', '/tmp', '/proc/x', 'relative']) }).map(({ user, volumes }) => ({
    status: 'found' as const,
    facts: { user, volumes, digest: 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' },
  })),
  fc.constant<ImageLookup>({ status: 'unreadable', reason: 'registry unreachable' }),
);

/** Image facts for some of the pod's images (the rest: not looked up, as when a runAsUser made it unnecessary). */
function imagesArb(pod: Pod): fc.Arbitrary<ImageLookups> {
  const images = [...new Set(allContainers(pod).map((c) => String(c.image)))];
  return fc.tuple(...images.map((image) => fc.option(lookupArb, { nil: undefined }).map((lookup) => [image, lookup] as const))).map(
    (pairs) => new Map(pairs.filter((pair): pair is readonly [string, ImageLookup] => pair[1] !== undefined)),
  );
}

const caseArb = podArb().chain((podCase) =>
  fc.record({
    podCase: fc.constant(podCase),
    images: imagesArb(podCase.pod),
    policy: policyArb,
    unreadable: fc.constantFrom('harden', 'skip'),
  }),
);

function review(pod: Pod, policy: Record<string, unknown>, images: ImageLookups, request = createRequest(pod)): { decision: ReviewDecision; result: Pod } {
  const decision = reviewAdmission(request, { policy: parsePolicy(policy), images });
  return { decision, result: applyStrictly(pod, decision.patch) };
}

function validInput(pod: Pod): boolean {
  return apiValidationErrors(pod).length === 0 && kubeletRefusals(pod).length === 0;
}

/** The control a security-context field belongs to. */
const FIELD_CONTROL: Record<string, ControlId> = {
  capabilities: 'capabilities',
  allowPrivilegeEscalation: 'allowPrivilegeEscalation',
  privileged: 'privileged',
  runAsNonRoot: 'runAsNonRoot',
  runAsUser: 'runAsNonRoot',
  readOnlyRootFilesystem: 'readOnlyRootFilesystem',
  seccompProfile: 'seccompProfile',
};

function unescape(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** The controls an operation on a security context changes: its field's, or, for a whole object, each key's. */
function controlsOf(rest: string[], op: Operation): ControlId[] {
  const field = rest[0];
  const fields = field !== undefined ? [field] : Object.keys(('value' in op ? op.value : {}) as object);
  return fields.map((name) => {
    const control = FIELD_CONTROL[name];
    if (!control) throw new Error(`${op.op} ${op.path}: field ${name} belongs to no control`);
    return control;
  });
}

/** Every operation of the patch is attributed to an applied outcome: a container's, the pod level's, or the annotation that records them. */
function unattributed(pod: Pod, decision: ReviewDecision): string[] {
  const problems: string[] = [];
  const applied = (name: string, control: ControlId): boolean => decision.containers.find((c) => c.name === name)?.outcomes.get(control)?.kind === 'applied';
  for (const op of decision.patch) {
    const segments = op.path.split('/').slice(1).map(unescape);
    const [top, second, third, fourth, ...rest] = segments;
    if (top === 'metadata') continue; // checked against the outcomes below
    if (top !== 'spec') {
      problems.push(`${op.path}: outside spec and metadata`);
      continue;
    }
    if (second === 'securityContext') {
      for (const control of controlsOf(segments.slice(2), op)) if (decision.pod.get(control)?.kind !== 'applied') problems.push(`${op.path}: no pod-level ${control} outcome`);
    } else if (second === 'volumes') {
      if (!decision.containers.some((c) => c.outcomes.get('readOnlyRootFilesystem')?.kind === 'applied')) problems.push(`${op.path}: no container got readOnlyRootFilesystem`);
    } else if ((LISTS as readonly string[]).includes(second ?? '')) {
      const container = (pod.spec[second as (typeof LISTS)[number]] ?? [])[Number(third)] as Container | undefined;
      if (!container) {
        problems.push(`${op.path}: no such container`);
        continue;
      }
      const controls = fourth === 'volumeMounts' ? ['readOnlyRootFilesystem' as const] : fourth === 'securityContext' ? controlsOf(rest, op) : [];
      if (controls.length === 0) problems.push(`${op.path}: not a field the hardener owns`);
      for (const control of controls) if (!applied(container.name, control)) problems.push(`${op.path}: container ${container.name} has no applied ${control}`);
    } else {
      problems.push(`${op.path}: not a field the hardener owns`);
    }
  }
  return problems;
}

describe('hardening that cannot be bypassed (random pods, hostile names, image facts)', () => {
  test('the result is valid, no container is one the kubelet refuses, and a second pass is empty', () => {
    fc.assert(
      fc.property(caseArb, ({ podCase: { pod }, images, policy, unreadable }) => {
        // An unreadable image hardened anyway (images.unreadable: harden) is the policy's explicit risk.
        const known: ImageLookups = new Map([...images].filter(([, lookup]) => lookup.status === 'found'));
        fc.pre(validInput(pod) && kubeletRefusals(pod, known).length === 0);
        const settings = { ...policy, images: { unreadable } };
        const { result } = review(pod, settings, images);
        expect(apiValidationErrors(result)).toEqual([]);
        expect(kubeletRefusals(result, known)).toEqual([]);
        expect(review(result, settings, images).decision.patch).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  test('every patch operation is attributed to an outcome, and the hardened annotation records every applied one', () => {
    fc.assert(
      fc.property(caseArb, ({ podCase: { pod }, images, policy }) => {
        fc.pre(validInput(pod) && policy.mode !== 'audit');
        const { decision, result } = review(pod, policy, images);
        expect(unattributed(pod, decision)).toEqual([]);
        const anyApplied = decision.pod.size > 0 || decision.containers.some((c) => [...c.outcomes.values()].some((o) => o.kind === 'applied'));
        expect(decision.patch.length > 0).toBe(anyApplied);
        if (!anyApplied) return;
        const annotations = result.metadata?.annotations ?? {};
        const record = parseHardenedRecord(Object.hasOwn(annotations, 'pod-hardener.io/hardened') ? annotations['pod-hardener.io/hardened'] : undefined);
        expect(record).toBeDefined();
        for (const container of decision.containers) {
          const ids = CONTROL_IDS.filter((id) => container.outcomes.get(id)?.kind === 'applied');
          for (const id of ids) expect(record?.changed.get(container.name)).toContain(id);
        }
        for (const [control, outcome] of decision.pod) if (outcome.kind === 'applied') expect(record?.pod).toContain(control);
      }),
      { numRuns: RUNS },
    );
  });

  test('a root container added on a later pass (reinvocation, or kubectl debug) is judged on its own: never refused by the kubelet, named in a warning when left out', () => {
    const lateArb = fc.record({
      name: fc.constantFrom('istio-init', 'debugger', ...PROTOTYPE_NAMES),
      list: fc.constantFrom('initContainers', 'ephemeralContainers'),
      asRoot: fc.constantFrom('runAsUser0', 'rootImage'),
    });
    fc.assert(
      fc.property(caseArb, lateArb, ({ podCase: { pod, names }, images, policy }, late) => {
        // A pod-level runAsNonRoot: true the user wrote binds every later container; only what the webhook writes is in question.
        fc.pre(validInput(pod) && !names.includes(late.name) && pod.spec.os?.name !== 'windows' && pod.spec.securityContext?.runAsNonRoot !== true);
        const first = review(pod, policy, images).result;
        const image = `registry.example/late-${late.name}:1`;
        const added: Container = late.asRoot === 'runAsUser0' ? { name: late.name, image, securityContext: { runAsUser: 0 } } : { name: late.name, image };
        const withLate: Pod = structuredClone(first);
        withLate.spec[late.list] = [...(withLate.spec[late.list] ?? []), added];
        const lateImages = new Map(images);
        lateImages.set(image, { status: 'found', facts: { user: '', volumes: [], digest: 'sha256:late' } });
        const request = late.list === 'ephemeralContainers' ? ephemeralRequest(withLate, first) : createRequest(withLate);
        const { decision, result } = review(withLate, policy, lateImages, request);
        expect(kubeletRefusals(result, lateImages).filter((refusal) => refusal.includes(late.name))).toEqual([]);
        const outcome = decision.containers.find((c) => c.name === late.name)?.outcomes.get('runAsNonRoot');
        if (outcome?.kind !== 'notApplicable') return;
        // The record names it always; kubectl's warning names it while the list of such containers is short.
        expect(decision.findings.some((f) => f.kind === 'notApplicable' && f.container === late.name)).toBe(true);
        const leftOut = decision.findings.filter((f) => f.kind === 'notApplicable' && f.detail === outcome.why).length;
        if (leftOut <= 3) expect(warningsOf(decision).join('\n')).toContain(`"${late.name}"`);
      }),
      { numRuns: RUNS },
    );
  });
});

/**
 * Every object the engine copies is user data; a copy made by assignment
 * would take a "__proto__" field as its prototype and read every field it
 * lacks from it. The API server drops the field as unknown, so the pod must be
 * hardened exactly as if it were not there.
 */
describe('a "__proto__" field in a security context is an unknown field, never a prototype', () => {
  /** Adds an own "__proto__" field holding `hostile` to every security context and capabilities object (creating empty ones). */
  function withProtoFields(pod: Pod, hostile: Record<string, unknown>): Pod {
    const twin = structuredClone(pod);
    const poison = (record: Record<string, unknown>): void => {
      Object.defineProperty(record, '__proto__', { value: structuredClone(hostile), enumerable: true, writable: true, configurable: true });
    };
    twin.spec.securityContext ??= {};
    poison(twin.spec.securityContext as Record<string, unknown>);
    for (const container of allContainers(twin)) {
      container.securityContext ??= {};
      poison(container.securityContext as Record<string, unknown>);
      if (container.securityContext.capabilities) poison(container.securityContext.capabilities as Record<string, unknown>);
    }
    // Over the wire: JSON.stringify writes the field, JSON.parse makes it an own field again.
    return JSON.parse(JSON.stringify(twin)) as Pod;
  }

  /** The object as the API server keeps it: unknown "__proto__" fields dropped. */
  const asStored = (value: unknown): unknown => JSON.parse(JSON.stringify(value), (key, v: unknown) => (key === '__proto__' ? undefined : v));
  const kinds = (decision: ReviewDecision): unknown => [
    decision.containers.map((c) => [c.name, CONTROL_IDS.map((id) => c.outcomes.get(id)?.kind)]),
    CONTROL_IDS.map((id) => decision.pod.get(id)?.kind),
  ];

  test('every decision and the stored result are those of the pod without the field', () => {
    fc.assert(
      fc.property(caseArb, linuxSecurityContext, ({ podCase, images, policy }, hostile) => {
        const plain = review(podCase.pod, policy, images);
        const poisoned = review(withProtoFields(podCase.pod, hostile), policy, images);
        expect(kinds(poisoned.decision)).toEqual(kinds(plain.decision));
        expect(poisoned.decision.patch.filter((op) => op.path.includes('__proto__'))).toEqual([]);
        const stored = asStored(poisoned.result) as Pod;
        const expected = asStored(plain.result) as Pod;
        expect(allContainers(stored).map((c) => c.securityContext ?? {})).toEqual(allContainers(expected).map((c) => c.securityContext ?? {}));
        expect(stored.spec.volumes).toEqual(expected.spec.volumes);
        expect(stored.spec.securityContext ?? {}).toEqual(expected.spec.securityContext ?? {});
      }),
      { numRuns: RUNS },
    );
  });
});
