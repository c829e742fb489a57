/**
 * diffProjection is fast-json-patch's compare() without its copy of the
 * values it adds (they are the projection's own; properties.test.ts checks that
 * they are never the request's): for any two JSON values — and for a projection changed
 * copy-on-write, as the controls change it — it gives the same operations in
 * the same order, and they turn the first into the second.
 */
import fc from 'fast-check';
import fastJsonPatch from 'fast-json-patch';
import { diffProjection } from '../../../src/engine/projection-diff.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 400);
const { applyPatch, compare } = fastJsonPatch;

/** Keys that need escaping in a pointer, and array-index look-alikes, among ordinary ones. */
const key = fc.oneof(fc.constantFrom('a', 'b', 'x/y', 'm~n', '~1', '0', '1', 'securityContext'), fc.string({ maxLength: 4 }));
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.oneof(fc.boolean(), fc.integer(), fc.string({ maxLength: 3 }), fc.constant(null)), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
})).object;

/** `after` as a control would make it: shared with `before`, with some subtrees replaced by changed copies. */
function copyOnWrite(before: Record<string, unknown>, changes: Array<[string, unknown]>): Record<string, unknown> {
  const after: Record<string, unknown> = { ...before };
  for (const [name, value] of changes) {
    if (value === undefined) delete after[name];
    else after[name] = value;
  }
  return after;
}

describe('diffProjection', () => {
  test('gives what compare() gives for any two JSON objects', () => {
    fc.assert(
      fc.property(json, json, (before, after) => {
        expect(diffProjection(before, after)).toEqual(compare(before, after));
      }),
      { numRuns: RUNS },
    );
  });

  test('for a copy-on-write change, the same operations as compare(), and they turn before into after without touching it', () => {
    fc.assert(
      fc.property(json, fc.array(fc.tuple(key, fc.option(json, { nil: undefined })), { maxLength: 3 }), (before, changes) => {
        const after = copyOnWrite(before, changes);
        const snapshot = structuredClone(before);
        const patch = diffProjection(before, after);
        expect(patch).toEqual(compare(before, after));
        expect(applyPatch(structuredClone(before), patch, true, false).newDocument).toEqual(after);
        expect(before).toEqual(snapshot);
      }),
      { numRuns: RUNS },
    );
  });
});
