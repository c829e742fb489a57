/** The splicer on its own: each kind of operation on each shape of YAML and JSON, and what it refuses. */
import type { Operation } from 'fast-json-patch';
import { parseDocument } from 'yaml';
import { TextPatchError } from '../../../src/manifests/errors.js';
import { patchDocumentText } from '../../../src/manifests/yaml-text-patch.js';

function patch(text: string, operations: Operation[], json = false): string {
  const data: unknown = parseDocument(text, { version: '1.1' }).toJS();
  return patchDocumentText(text, data, { base: [], operations }, json).text;
}

describe('writing a JSON Patch into YAML text', () => {
  test.each<{ name: string; input: string; ops: Operation[]; output: string }>([
    {
      name: 'add to a block map: a new line at the column of its keys, after the last one and its comment',
      input: 'a:\n    b: 1   # one\n# about c\nc: 2\n',
      ops: [{ op: 'add', path: '/a/x', value: true }],
      output: 'a:\n    b: 1   # one\n    x: true\n# about c\nc: 2\n',
    },
    {
      name: 'add a map: block style at the document\'s indent width',
      input: 'spec:\n    name: x\n',
      ops: [{ op: 'add', path: '/spec/securityContext', value: { seccompProfile: { type: 'RuntimeDefault' }, runAsNonRoot: true } }],
      output: 'spec:\n    name: x\n    securityContext:\n        seccompProfile:\n            type: RuntimeDefault\n        runAsNonRoot: true\n',
    },
    {
      name: 'add a sequence where sequences are compact (kubectl): the dash at the key\'s column',
      input: 'c:\n  ports:\n  - 80\n',
      ops: [{ op: 'add', path: '/c/drop', value: ['ALL'] }],
      output: 'c:\n  ports:\n  - 80\n  drop:\n  - ALL\n',
    },
    {
      name: 'add a sequence where sequences are indented',
      input: 'c:\n  ports:\n    - 80\n',
      ops: [{ op: 'add', path: '/c/drop', value: ['ALL'] }],
      output: 'c:\n  ports:\n    - 80\n  drop:\n    - ALL\n',
    },
    {
      name: 'append a map to a compact sequence of maps',
      input: 'volumes:\n- name: a\n  emptyDir: {}\n',
      ops: [{ op: 'add', path: '/volumes/1', value: { name: 'tmp', emptyDir: {} } }],
      output: 'volumes:\n- name: a\n  emptyDir: {}\n- name: tmp\n  emptyDir: {}\n',
    },
    {
      name: 'insert an item before another one',
      input: 'l:\n  - b\n  - c\n',
      ops: [{ op: 'add', path: '/l/0', value: 'a' }],
      output: 'l:\n  - a\n  - b\n  - c\n',
    },
    {
      name: 'add to a flow map and a padded flow sequence, in their style',
      input: 'm: {a: 1}\ns: [ "x" ]\n',
      ops: [
        { op: 'add', path: '/m/b', value: 'two' },
        { op: 'add', path: '/s/1', value: 'y' },
      ],
      output: 'm: {a: 1, b: two}\ns: [ "x", "y" ]\n',
    },
    {
      name: 'add into an empty {} under a block key: the entry becomes a block map',
      input: 'c:\n  securityContext: {}\n  name: x\n',
      ops: [{ op: 'add', path: '/c/securityContext/runAsNonRoot', value: true }],
      output: 'c:\n  securityContext:\n    runAsNonRoot: true\n  name: x\n',
    },
    {
      name: 'replace keeps the quoting style, and only the scalar changes',
      input: "a: 'yes'   # keep\nb: \"x\"\nc: true\n",
      ops: [
        { op: 'replace', path: '/a', value: 'no' },
        { op: 'replace', path: '/b', value: 'y' },
        { op: 'replace', path: '/c', value: false },
      ],
      output: "a: 'no'   # keep\nb: \"y\"\nc: false\n",
    },
    {
      name: 'replace an empty (null) value',
      input: 'a:\nb: 1\n',
      ops: [{ op: 'replace', path: '/a', value: 'x' }],
      output: 'a: x\nb: 1\n',
    },
    {
      name: 'replace null by a map: the entry becomes a block map',
      input: 'c:\n  securityContext: null\n  name: x\n',
      ops: [{ op: 'replace', path: '/c/securityContext', value: { privileged: false } }],
      output: 'c:\n  securityContext:\n    privileged: false\n  name: x\n',
    },
    {
      name: 'remove deletes exactly the lines of the entry, comments of others stay',
      input: 'sc:\n  # why\n  privileged: true  # no\n  runAsUser: 0\n  caps:\n    add:\n      - X\nz: 1\n',
      ops: [
        { op: 'remove', path: '/sc/privileged' },
        { op: 'remove', path: '/sc/caps' },
      ],
      output: 'sc:\n  # why\n  runAsUser: 0\nz: 1\n',
    },
    {
      name: 'remove the last entry of a block map leaves {}',
      input: 'c:\n  sc:\n    privileged: true\n  name: x\n',
      ops: [{ op: 'remove', path: '/c/sc/privileged' }],
      output: 'c:\n  sc: {}\n  name: x\n',
    },
    {
      name: 'remove the first key of a compact item: the next key moves beside the dash',
      input: 'l:\n- privileged: true\n  name: x\n',
      ops: [{ op: 'remove', path: '/l/0/privileged' }],
      output: 'l:\n- name: x\n',
    },
    {
      name: 'remove from flow collections: the first, the last, the only item',
      input: 'a: [x, y, z]\nb: {p: 1, q: 2}\nc: [ only ]\n',
      ops: [
        { op: 'remove', path: '/a/0' },
        { op: 'remove', path: '/b/q' },
        { op: 'remove', path: '/c/0' },
      ],
      output: 'a: [y, z]\nb: {p: 1}\nc: []\n',
    },
    {
      name: 'remove the only item of a flow map written one item a line: only its line goes, the brackets stay',
      input: 'sc:\n  {\n    runAsNonRoot: false # note\n  }\nz: 1\n',
      ops: [{ op: 'remove', path: '/sc/runAsNonRoot' }],
      output: 'sc:\n  {\n  }\nz: 1\n',
    },
    {
      name: 'remove a block sequence item',
      input: 'add:\n  - SYS_ADMIN   # needed?\n  - NET_BIND_SERVICE\n',
      ops: [{ op: 'remove', path: '/add/0' }],
      output: 'add:\n  - NET_BIND_SERVICE\n',
    },
    {
      name: 'keys with / and ~ in the pointer (~1 and ~0)',
      input: 'annotations:\n  a/b~c: x\n',
      ops: [
        { op: 'replace', path: '/annotations/a~1b~0c', value: 'z' },
        { op: 'add', path: '/annotations/pod-hardener.io~1hardened', value: '{"changed":{}}' },
      ],
      output: 'annotations:\n  a/b~c: z\n  pod-hardener.io/hardened: \'{"changed":{}}\'\n',
    },
    {
      name: 'CRLF line endings stay CRLF, also in inserted lines',
      input: 'a:\r\n  b: 1\r\nc: 2\r\n',
      ops: [{ op: 'add', path: '/a/d', value: { e: [1] } }],
      output: 'a:\r\n  b: 1\r\n  d:\r\n    e:\r\n      - 1\r\nc: 2\r\n',
    },
    {
      name: 'a last line without a newline stays without one',
      input: 'a:\n  b: 1',
      ops: [{ op: 'add', path: '/a/c', value: 2 }],
      output: 'a:\n  b: 1\n  c: 2',
    },
    {
      name: 'a literal block scalar before the insertion keeps its lines and its value',
      input: 'a:\n  script: |\n    echo hi\n\n  b: 1\n  last: |\n    x\n',
      ops: [{ op: 'add', path: '/a/c', value: 2 }],
      output: 'a:\n  script: |\n    echo hi\n\n  b: 1\n  last: |\n    x\n  c: 2\n',
    },
    {
      name: 'strings YAML 1.1 would read otherwise are quoted',
      input: 'a:\n  b: 1\n',
      ops: [{ op: 'add', path: '/a/c', value: ['yes', '0777', 'on', 'a: b'] }],
      output: 'a:\n  b: 1\n  c:\n    - "yes"\n    - "0777"\n    - "on"\n    - "a: b"\n',
    },
  ])('$name', ({ input, ops, output }) => {
    expect(patch(input, ops)).toBe(output);
  });

  test('JSON: pretty-printed collections get one item a line at the same indent, inline ones stay inline', () => {
    const input = '{\n    "spec": {\n        "c": [{"name": "x"}],\n        "v": []\n    }\n}\n';
    const output = patch(
      input,
      [
        { op: 'add', path: '/spec/c/0/sc', value: { drop: ['ALL'] } },
        { op: 'add', path: '/spec/v/0', value: { name: 'tmp', emptyDir: {} } },
        { op: 'add', path: '/spec/sc', value: { runAsNonRoot: true } },
      ],
      true,
    );
    expect(output).toBe(
      '{\n    "spec": {\n        "c": [{"name": "x", "sc": {"drop": ["ALL"]}}],\n        "v": [\n            {\n                "name": "tmp",\n                "emptyDir": {}\n            }\n        ],\n        "sc": {\n            "runAsNonRoot": true\n        }\n    }\n}\n',
    );
    expect(JSON.parse(output)).toEqual({ spec: { c: [{ name: 'x', sc: { drop: ['ALL'] } }], v: [{ name: 'tmp', emptyDir: {} }], sc: { runAsNonRoot: true } } });
  });

  test('JSON: removing the last member takes its comma with it', () => {
    expect(patch('{\n  "a": 1,\n  "b": 2\n}', [{ op: 'remove', path: '/b' }], true)).toBe('{\n  "a": 1\n}');
  });

  test.each([
    { name: 'through an alias', input: 'base: &c {name: x}\nlist:\n  - *c\n', path: '/list/0/sc', message: /list\[0\] goes through the YAML alias \*c/ },
    { name: 'into an anchored node an alias repeats', input: 'a: &c\n  name: x\nb: *c\n', path: '/a/sc', message: /changes the YAML anchor &c/ },
    { name: 'into a value a merge key brings in', input: 'd: &d\n  sc: {x: 1}\nc:\n  <<: *d\n  name: x\n', path: '/c/sc/y', message: /c\.sc is in a value a YAML merge key \(<<\) brings in/ },
  ])('refused: a change $name', ({ input, path, message }) => {
    expect(() => patch(input, [{ op: 'add', path, value: true }])).toThrow(TextPatchError);
    expect(() => patch(input, [{ op: 'add', path, value: true }])).toThrow(message);
  });

  test('beside a merge key, a key that is nowhere yet is added (explicit keys win over merged ones)', () => {
    const input = 'd: &d\n  image: x\nc:\n  <<: *d\n  name: x\n';
    expect(patch(input, [{ op: 'add', path: '/c/sc', value: { a: 1 } }])).toBe('d: &d\n  image: x\nc:\n  <<: *d\n  name: x\n  sc:\n    a: 1\n');
  });
});
