/** The "only the lines that carry the change" check must catch what it is there to catch. */
import type { Operation } from 'fast-json-patch';
import { unexplainedLineChanges } from './line-changes.js';

const ADD: Operation[] = [{ op: 'add', path: '/spec/containers/0/securityContext', value: { runAsNonRoot: true } }];

describe('unexplainedLineChanges', () => {
  test.each([
    { name: 'inserted lines only', before: 'spec:\n  containers:\n  - name: a\n', after: 'spec:\n  containers:\n  - name: a\n    securityContext:\n      runAsNonRoot: true\n', found: [] },
    { name: 'a re-indented sequence', before: 'spec:\n  containers:\n  - name: a\n', after: 'spec:\n  containers:\n    - name: a\n      securityContext:\n        runAsNonRoot: true\n', found: ['  - name: a\n'] },
    { name: 'a changed comment', before: 'spec:  # the spec\n  containers: []\n', after: 'spec: # the spec\n  containers: []\n', found: ['spec:  # the spec\n'] },
    { name: 'a respaced flow sequence', before: 'args: [ "a" ]\n', after: 'args: ["a"]\n', found: ['args: [ "a" ]\n'] },
    { name: 'a lost blank line', before: 'a: 1\n\nb: 2\n', after: 'a: 1\nb: 2\n', found: ['\n'] },
    { name: 'a rewritten entry whose key the patch touches', before: 'c:\n  securityContext: {}\n', after: 'c:\n  securityContext:\n    runAsNonRoot: true\n', found: [] },
  ])('$name', ({ before, after, found }) => {
    expect(unexplainedLineChanges(before, after, ADD)).toEqual(found);
  });
});
