/**
 * Volume names for the writable emptyDirs: readable where they fit, a DNS
 * label always, never one already taken.
 */
import fc from 'fast-check';
import { isNormalMountPath, normalizeMountPath, writableVolumeName } from '../../../src/engine/volumes.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 400);
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The rule the name's readable part follows, written as its definition: lower case, runs of anything else one "-", none at the ends. */
function slugByDefinition(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

describe('writableVolumeName', () => {
  test.each([
    ['app', '/tmp', 'ph-app-tmp'],
    ['log-shipper', '/var/cache/nginx', 'ph-log-shipper-var-cache-nginx'],
    ['App_1', '//Data//', 'ph-app-1-data'],
    ['x', '/', 'ph-x-path'],
    ['İstanbul', '/tmp', `ph-${slugByDefinition('İstanbul')}-tmp`],
  ])('container %s, path %s: %s', (container, path, expected) => {
    expect(writableVolumeName(container, path, new Set())).toBe(expected);
  });

  test('the readable part is the definition, for any name and path', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }), fc.string({ maxLength: 12 }), (container, path) => {
        const name = writableVolumeName(container, path, new Set());
        expect(name).toBe(`ph-${slugByDefinition(container) || 'container'}-${slugByDefinition(path) || 'path'}`);
      }),
      { numRuns: RUNS },
    );
  });

  test('names made once are made again the same, before and after the memo of base names is emptied', () => {
    const names = Array.from({ length: 5000 }, (_, i) => `c${i}`);
    const first = names.map((name) => writableVolumeName(name, '/tmp', new Set()));
    const again = names.map((name) => writableVolumeName(name, '/tmp', new Set()));
    expect(again).toEqual(first);
    expect(first[4999]).toBe('ph-c4999-tmp');
    // The memo holds a base name, never a name with a suffix: a taken name still gets one.
    expect(writableVolumeName('c1', '/tmp', new Set(['ph-c1-tmp']))).toBe('ph-c1-tmp-2');
    expect(writableVolumeName('c1', '/tmp', new Set())).toBe('ph-c1-tmp');
  });

  test('every name is a DNS label and none is given twice', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ maxLength: 80 }), fc.string({ maxLength: 80 })), { maxLength: 12 }), (requests) => {
        const taken = new Set<string>();
        const names = requests.map(([container, path]) => writableVolumeName(container, path, taken));
        for (const name of names) {
          expect(name.length).toBeLessThanOrEqual(63);
          expect(name).toMatch(DNS_LABEL);
        }
        expect(new Set(names).size).toBe(names.length);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('normalizeMountPath', () => {
  /** The definition of a path that needs no normalizing, as a regular expression. */
  const ALREADY_NORMAL = /^\/(?:[^/.][^/]*\/)*[^/.][^/]*$/;
  const pathArb = fc.array(fc.constantFrom('/', '.', '..', 'a', 'tmp', '.cache', '', 'x/y'), { maxLength: 6 }).map((parts) => parts.join(''));

  test('a path is taken as normal exactly where the definition says so', () => {
    fc.assert(
      fc.property(fc.oneof(pathArb, fc.string({ maxLength: 12 })), (path) => {
        expect(isNormalMountPath(path)).toBe(ALREADY_NORMAL.test(path));
      }),
      { numRuns: RUNS },
    );
  });

  test.each([
    ['/tmp', '/tmp'],
    ['/tmp/', '/tmp'],
    ['/tmp/.', '/tmp'],
    ['//var//cache/', '/var/cache'],
    ['/a/../tmp', '/tmp'],
    ['/.cache', '/.cache'],
    ['/', '/'],
  ])('%s is %s', (path, expected) => {
    expect(normalizeMountPath(path)).toBe(expected);
  });
});
