/**
 * Edits of block collections, always by whole lines: an entry or an item is
 * inserted as new lines at the column of its siblings, and removed or
 * replaced as exactly the lines it spans, so no other line changes.
 */
import type { Node, Pair, YAMLMap, YAMLSeq } from 'yaml';
import { isScalar } from 'yaml';
import type { EditContext } from './edit-context.js';
import { TextPatchError } from './errors.js';
import { renderBlockEntry, renderBlockItem } from './render-value.js';
import { column, insertLines, lineStart, nextLineStart, replaceLines, type TextEdit } from './text-lines.js';
import { dashOffset, endOf, startOf } from './node-ranges.js';
import { blockStyleAt } from './yaml-style.js';
import type { Collection } from './yaml-locate.js';

function keyOf(pair: Pair): string | undefined {
  return isScalar(pair.key) && typeof pair.key.value !== 'symbol' ? String(pair.key.value) : undefined;
}

/**
 * Where a new key goes: after the last one, or — in a document whose maps
 * all keep their keys sorted (kubectl and kustomize write them so) — at its
 * sorted place; before the first key only when that key has its line to
 * itself (not beside a sequence's dash).
 */
function insertionIndex(text: string, map: YAMLMap, key: string, sorted: boolean): number {
  if (!sorted) return map.items.length;
  const after = map.items.findIndex((pair) => (keyOf(pair as Pair) ?? '') > key);
  if (after === -1) return map.items.length;
  return after === 0 && linePrefix(text, startOf(map.items[0] as Pair)).trim() !== '' ? 1 : after;
}

/** The text before a node on its line, when that is more than indentation (`- ` of a compact item). */
function linePrefix(text: string, offset: number): string {
  return text.slice(lineStart(text, offset), offset);
}

/** Lines rendered at `offset`'s column, the first one starting with whatever precedes `offset` on its line. */
function withPrefix(text: string, offset: number, lines: string[]): string[] {
  const [first = '', ...rest] = lines;
  return [linePrefix(text, offset) + first.slice(column(text, offset)), ...rest];
}

export function insertBlockEntry(context: EditContext, map: YAMLMap, ancestors: readonly Collection[], key: string, value: unknown): TextEdit {
  const { text } = context;
  const index = insertionIndex(text, map, key, context.sortedKeys);
  const before = map.items[index - 1] as Pair | undefined;
  const first = startOf(map.items[0] as Pair);
  const lines = renderBlockEntry(key, value, column(text, first), blockStyleAt(text, context.doc, ancestors, context.sortedKeys));
  return insertLines(text, before === undefined ? lineStart(text, first) : nextLineStart(text, endOf(before)), lines, context.eol);
}

/** The dash of an item, refusing `- - x` (a sequence inside a sequence on one line), which whole-line edits cannot take apart. */
function ownDash(text: string, item: Node): number {
  const dash = dashOffset(text, item);
  if (linePrefix(text, dash).trim() !== '') throw new TextPatchError('a sequence item that shares its line with another item cannot be edited');
  return dash;
}

export function insertBlockItem(context: EditContext, seq: YAMLSeq, ancestors: readonly Collection[], index: number, value: unknown): TextEdit {
  const { text } = context;
  const dash = ownDash(text, seq.items[0] as Node);
  const lines = renderBlockItem(value, column(text, dash), blockStyleAt(text, context.doc, ancestors, context.sortedKeys));
  const at = index === 0 ? lineStart(text, dash) : nextLineStart(text, endOf(seq.items[index - 1] as Node));
  return insertLines(text, at, lines, context.eol);
}

/** Replaces the lines of `key: value` by the same key with a new value, rendered at the key's column. */
export function replaceBlockEntry(context: EditContext, pair: Pair, ancestors: readonly Collection[], key: string, value: unknown): TextEdit {
  const { text } = context;
  const keyStart = startOf(pair);
  const keyText = text.slice(keyStart, (pair.key as Node).range?.[1] ?? keyStart);
  const lines = renderBlockEntry(key, value, column(text, keyStart), blockStyleAt(text, context.doc, ancestors, context.sortedKeys), keyText);
  return replaceLines(text, lineStart(text, keyStart), nextLineStart(text, endOf(pair)), withPrefix(text, keyStart, lines), context.eol);
}

export function replaceBlockItem(context: EditContext, item: Node, ancestors: readonly Collection[], value: unknown): TextEdit {
  const { text } = context;
  const dash = ownDash(text, item);
  const lines = renderBlockItem(value, column(text, dash), blockStyleAt(text, context.doc, ancestors, context.sortedKeys));
  return replaceLines(text, lineStart(text, dash), nextLineStart(text, endOf(item)), lines, context.eol);
}

/** Deletes the lines of one entry of a map that keeps at least one other. */
export function removeBlockEntry(context: EditContext, map: YAMLMap, index: number): TextEdit {
  const { text } = context;
  const pair = map.items[index] as Pair;
  const start = startOf(pair);
  // The first key of a compact item shares the dash's line: the next key moves up beside the dash.
  if (linePrefix(text, start).trim() !== '') return { start, end: startOf(map.items[index + 1] as Pair), text: '' };
  return replaceLines(text, lineStart(text, start), nextLineStart(text, endOf(pair)), [], context.eol);
}

/** Deletes the lines of one item of a sequence that keeps at least one other. */
export function removeBlockItem(context: EditContext, seq: YAMLSeq, index: number): TextEdit {
  const { text } = context;
  const item = seq.items[index] as Node;
  return replaceLines(text, lineStart(text, ownDash(text, item)), nextLineStart(text, endOf(item)), [], context.eol);
}
