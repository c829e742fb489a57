import { allowed, denied, patchedFromJson, reviewJson } from '../../../src/admission/response.js';

describe('the answer as sent', () => {
  const patch = [
    { op: 'add' as const, path: '/metadata/annotations/pod-hardener.io~1hardened', value: '{"changed":{"app":["capabilities"]}}' },
    { op: 'add' as const, path: '/spec/securityContext', value: { runAsNonRoot: true } },
  ];
  const warnings = ['container "a\\"b": capabilities not applied: "quoted"\nnext line', 'ünïcode'];

  test.each([
    ['allowed', allowed('uid-1')],
    ['allowed with warnings', allowed('uid-"2"', warnings)],
    ['patched', patchedFromJson('uid-3', JSON.stringify(patch))],
    ['patched with warnings', patchedFromJson('uid-4', JSON.stringify(patch), warnings)],
    ['denied', denied('uid-5', 500, 'could not "review"', warnings)],
  ])('%s: the text parses back to the review', (_name, review) => {
    const text = reviewJson(review);
    expect(JSON.parse(text)).toEqual(review);
  });

  test('the patch travels as base64 of its JSON text', () => {
    const review = patchedFromJson('uid', JSON.stringify(patch));
    const sent = JSON.parse(reviewJson(review)) as { response: { patch: string; patchType: string } };
    expect(sent.response.patchType).toBe('JSONPatch');
    expect(JSON.parse(Buffer.from(sent.response.patch, 'base64').toString('utf8'))).toEqual(patch);
  });
});
