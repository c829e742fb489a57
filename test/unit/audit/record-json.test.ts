/**
 * The decision record's JSON is written field by field (decisionRecordFields)
 * instead of by JSON.stringify, for speed. It must be exactly what
 * JSON.stringify writes, byte for byte and in the documented order, whatever
 * the request says (quotes, backslashes, control characters, lone surrogates,
 * "__proto__") and whatever the engine decided.
 */
import fc from 'fast-check';
import { buildDecisionRecord, decisionRecordFields, type DecisionRecord } from '../../../src/audit/record.js';
import { reviewAdmission } from '../../../src/engine/review.js';
import { podArb, policyArb, type PodCase } from '../../helpers/arbitraries.js';
import { createRequest, policy as parsePolicy } from '../../helpers/pods.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 400);

/** What a client may put in a string field. */
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', '"', '\\', '\u2028', '\u0000', '\ud800', '</script>', '__proto__', 'team-a'),
);
const maybeText = fc.option(text, { nil: undefined });

type RequestFields = typeof requestFields extends fc.Arbitrary<infer T> ? T : never;
type ContainerFields = typeof containerFields extends fc.Arbitrary<infer T> ? T : never;

const requestFields = fc.record({
  uid: text.filter((uid) => uid !== ''),
  namespace: maybeText,
  name: maybeText,
  username: maybeText,
  operation: fc.oneof(fc.constantFrom('CREATE', 'UPDATE', 'CONNECT'), text),
  subResource: maybeText,
  dryRun: fc.boolean(),
  generateName: maybeText,
  owner: fc.option(fc.record({ kind: text, name: text, controller: fc.boolean() }), { nil: undefined }),
});

/** What the image resolver may have said about a container (the record carries it as it is). */
const image = fc.option(
  fc.record({ reference: text, digest: fc.option(text, { nil: null }), unreadable: text }, { requiredKeys: ['reference', 'digest'] }),
  { nil: undefined },
);

/** The record's strings that do not come from the request as such: container names (validated only after the webhook) and the image. */
const containerFields = fc.array(fc.record({ name: maybeText, image }), { maxLength: 3 });

function recordOf(
  { pod }: PodCase,
  policyOverrides: Record<string, unknown>,
  fields: RequestFields,
  containers: ContainerFields,
  warnings: string[] = [],
  durationMs = 0,
  error?: string,
): DecisionRecord {
  const metadata = (pod.metadata ??= {});
  if (fields.generateName !== undefined) metadata.generateName = fields.generateName;
  if (fields.owner !== undefined) metadata.ownerReferences = [fields.owner];
  const request = createRequest(pod, {
    uid: fields.uid,
    namespace: fields.namespace,
    name: fields.name,
    userInfo: fields.username === undefined ? {} : { username: fields.username },
    operation: fields.operation,
    subResource: fields.subResource,
    dryRun: fields.dryRun,
  });
  const record = buildDecisionRecord(request, reviewAdmission(request, { policy: parsePolicy(policyOverrides) }), warnings, durationMs, error);
  // Records are data: what the engine would carry from a hostile request is written into them directly.
  record.containers.forEach((container, index) => {
    const drawn = containers[index];
    if (drawn?.name !== undefined) container.name = drawn.name;
    if (drawn?.image !== undefined) container.image = drawn.image;
  });
  return record;
}

describe('decision record JSON', () => {
  test('is what JSON.stringify writes, for any request and decision, with the patch serialized here or given', () => {
    fc.assert(
      fc.property(
        podArb(),
        policyArb,
        requestFields,
        containerFields,
        fc.array(text, { maxLength: 3 }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.option(text, { nil: undefined }),
        (podCase, policyOverrides, fields, containers, warnings, durationMs, error) => {
          const record = recordOf(podCase, policyOverrides, fields, containers, warnings, durationMs, error);
          const expected = JSON.stringify(record);
          expect(`{${decisionRecordFields(record)}}`).toBe(expected);
          expect(`{${decisionRecordFields(record, JSON.stringify(record.patch))}}`).toBe(expected);
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('covers every part of the record: exemptions, refusals, fill-mode keeps, findings and images', () => {
    // The property above draws these; this pins that it can (a generator that never made them would pass vacuously).
    const seen = { exempted: false, notApplicable: false, kept: false, refused: false, findings: false, image: false, owner: false, skipped: false };
    fc.assert(
      fc.property(podArb(), policyArb, requestFields, containerFields, (podCase, policyOverrides, fields, containers) => {
        const record = recordOf(podCase, policyOverrides, fields, containers);
        for (const c of record.containers) {
          seen.exempted ||= c.exempted.length > 0;
          seen.notApplicable ||= c.notApplicable.length > 0;
          seen.kept ||= c.kept.length > 0;
          seen.image ||= c.image !== undefined;
        }
        seen.refused ||= record.refusedExemptions.length > 0;
        seen.findings ||= record.findings.length > 0;
        seen.owner ||= record.owner !== null;
        seen.skipped ||= record.outcome === 'skipped';
      }),
      { numRuns: RUNS },
    );
    expect(seen).toEqual({ exempted: true, notApplicable: true, kept: true, refused: true, findings: true, image: true, owner: true, skipped: true });
  });
});
