/**
 * The hardened annotation's JSON is written directly (mapJson), not through
 * JSON.stringify of an object: for any container names it must be exactly
 * what JSON.stringify(Object.fromEntries(map)) writes, hostile names included
 * (each set of controls written as its list of ids, in control order).
 */
import fc from 'fast-check';
import { CONTROL_IDS } from '../../../src/engine/control-ids.js';
import { controlSet } from '../../../src/engine/control-set.js';
import { mapJson } from '../../../src/engine/hardened-annotation.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 400);

const name = fc.oneof(
  fc.constantFrom('app', 'log-shipper', 'a.b', '0', '7', '10', '4294967294', '4294967295', '007', '__proto__', 'constructor', 'toString', 'x"y', 'a\\b', 'ü', '\u2028', ''),
  fc.stringMatching(/^[a-z0-9-]{1,12}$/),
  fc.string({ unit: 'binary', maxLength: 8 }),
);
const ids = fc.subarray([...CONTROL_IDS], { minLength: 1 });

describe('mapJson', () => {
  test('writes what JSON.stringify(Object.fromEntries(map)) writes, for any names', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(name, ids), { maxLength: 6 }), (entries) => {
        const map = new Map(entries);
        const sets = new Map(Array.from(map, ([key, list]) => [key, controlSet(list)]));
        expect(mapJson(sets)).toBe(JSON.stringify(Object.fromEntries(map)));
        expect(JSON.parse(mapJson(sets))).toEqual(Object.fromEntries(map));
      }),
      { numRuns: RUNS },
    );
  });

  test('array-index names come first in numeric order, as an object lists them', () => {
    const map = new Map([['web', controlSet(['capabilities'])], ['10', controlSet(['seccompProfile'])], ['2', controlSet(['runAsNonRoot'])]]);
    expect(mapJson(map)).toBe('{"2":["runAsNonRoot"],"10":["seccompProfile"],"web":["capabilities"]}');
  });
});
