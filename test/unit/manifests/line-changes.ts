/**
 * What "only the lines that carry the change differ" means, as a check the
 * tests run on every hardened document. A line diff of input and output may
 * insert lines anywhere; a line of the input may be removed (or rewritten)
 * only when
 *  - its key is one the patch touches: the last or next-to-last key of an
 *    operation's path (`replace`/`remove` rewrite or delete that entry;
 *    adding into `{}` or `[]` rewrites the entry that held it), or the line
 *    is an item (`- X`, or `"X"` in JSON) of a sequence an operation replaces
 *    or removes by index;
 *  - it continues such an entry (a deeper-indented line right after it, an
 *    item of its compact sequence, its closing bracket);
 *  - an added line next to it holds it whole with text inserted into it (an
 *    inline flow collection, `{a: 1}` → `{a: 1, b: 2}`).
 * Lines that differ only by a comma at the end of their content count as the
 * same: JSON (and a flow collection written one item a line) needs one after
 * every member but the last. Anything else — a re-indented
 * line, a changed comment, quote or blank — is reported.
 */
import { diffArrays, diffChars } from 'diff';
import type { Operation } from 'fast-json-patch';
import { pointerSegments } from '../../../src/manifests/json-pointer.js';

export function lines(text: string): string[] {
  return text.split(/(?<=\n)/);
}

const isIndex = (segment: string): boolean => /^\d+$/.test(segment) || segment === '-';

function touchedKeys(operations: readonly Operation[]): Set<string> {
  const keys = new Set<string>();
  for (const op of operations) {
    const names = pointerSegments(op.path).filter((s) => !isIndex(s));
    for (const name of names.slice(-2)) keys.add(name);
  }
  return keys;
}

/** The key a line starts, unquoted: `  - "name": x` → name. */
function keyOf(line: string): string | undefined {
  const match = /^\s*(?:-\s+)?(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s#'"{}[\],][^:#{}[\],]*?))\s*:(?:\s|$)/.exec(line);
  if (!match) return undefined;
  if (match[1] !== undefined) return JSON.parse(`"${match[1]}"`) as string;
  return match[2] !== undefined ? match[2].replace(/''/g, "'") : match[3];
}

/** `after` is `before` with text inserted inside its flow collection (after its first `{` or `[`), nothing taken out. */
function insertedIntoFlow(before: string, after: string): boolean {
  const open = before.search(/[{[]/);
  if (open === -1) return false;
  let position = 0;
  for (const part of diffChars(before, after)) {
    if (part.removed || (part.added && position <= open)) return false;
    if (!part.added) position += part.value.length;
  }
  return true;
}

const indentOf = (line: string): number => /^ */.exec(line)?.[0].length ?? 0;
/** A line without the comma that ends its content (before a comment, if any) and without its line ending. */
const withoutComma = (line: string): string => line.replace(/(\r?\n)?$/, '').replace(/,(?=\s*(#.*)?$)/, '');

/** The rest of an entry that starts at a line of `indent`: deeper lines, the items of a compact sequence (`- ` at the key's column), a closing bracket. */
const continues = (line: string, indent: number): boolean => indentOf(line) > indent || (indentOf(line) === indent && /^\s*(- |[\]}])/.test(line));

/** The input lines the output lost or rewrote that the patch does not explain (empty: the property holds). */
export function unexplainedLineChanges(input: string, output: string, operations: readonly Operation[]): string[] {
  const touched = touchedKeys(operations);
  const indexes = operations.some((op) => op.op !== 'add' && isIndex(pointerSegments(op.path).at(-1) ?? ''));
  const before = lines(input);
  // Lines are compared without a trailing comma: JSON needs one after every member but the last.
  const parts = diffArrays(before, lines(output), { comparator: (a, b) => withoutComma(a) === withoutComma(b) });
  // Which input lines were removed, and the added lines next to each.
  const removed = new Map<number, string[]>();
  let at = 0;
  parts.forEach((part, index) => {
    if (part.added) return;
    if (part.removed) {
      const neighbours = [parts[index - 1], parts[index + 1]].filter((p) => p?.added).flatMap((p) => p?.value ?? []);
      part.value.forEach((_, offset) => removed.set(at + offset, neighbours));
    }
    at += part.value.length;
  });
  const unexplained: string[] = [];
  let entryIndent: number | undefined;
  before.forEach((line, index) => {
    if (entryIndent !== undefined && continues(line, entryIndent)) return;
    entryIndent = undefined;
    const neighbours = removed.get(index);
    if (neighbours === undefined) return;
    const key = keyOf(line);
    if (key !== undefined && touched.has(key)) {
      entryIndent = indentOf(line);
      return;
    }
    if (neighbours.some((other) => insertedIntoFlow(line, other))) return;
    // An item of a sequence an operation replaces or removes by index: `- X` in YAML, `"X",` in JSON.
    if (indexes && /^\s*(- |"(?:[^"\\]|\\.)*",?\s*$)/.test(line)) return;
    unexplained.push(line);
  });
  return unexplained;
}
