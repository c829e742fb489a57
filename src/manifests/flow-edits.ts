/**
 * Edits of flow collections (`{a: 1}`, `[ "x" ]`, and all of a JSON
 * document): items are inserted and removed with their separating comma,
 * inline or — in a collection written one item a line, as pretty-printed
 * JSON is — as lines at the column of the other items.
 */
import type { Node, Pair } from 'yaml';
import type { EditContext } from './edit-context.js';
import { renderFlow, renderScalar, type FlowStyle } from './render-value.js';
import { column, lineIndent, lineStart, nextLineStart, type TextEdit } from './text-lines.js';
import { endOf, startOf } from './node-ranges.js';
import { flowStyleOf } from './yaml-style.js';
import type { Collection } from './yaml-locate.js';

type Item = Node | Pair;

/** The text from `offset` to the end of its line, without the line ending. */
function restOfLine(text: string, offset: number): string {
  const newline = text.indexOf('\n', offset);
  const end = newline === -1 ? text.length : newline;
  return text.slice(offset, text[end - 1] === '\r' ? end - 1 : end);
}

function itemText(key: string | undefined, value: unknown, style: FlowStyle): string[] {
  const [first = '', ...rest] = renderFlow(value, style);
  return [`${key === undefined ? '' : `${renderScalar(key, style.json)}: `}${first}`, ...rest];
}

/** Inserts `key: value` (maps) or `value` (sequences) before the item at `index`, or at the end. */
export function insertFlowItem(context: EditContext, collection: Collection, index: number, value: unknown, key?: string): TextEdit {
  const { text, eol } = context;
  const items = collection.items as Item[];
  const style = flowStyleOf(text, collection, context.json);
  const open = collection.range?.[0] ?? 0;
  const last = items.at(-1);
  if (last === undefined) {
    const pad = style.padding ? ' ' : '';
    return { start: open + 1, end: open + 1, text: pad + itemText(key, value, style).join(eol) + pad };
  }
  const at = items[index];
  const itemColumn = column(text, startOf(items[0] as Item));
  const lines = itemText(key, value, { ...style, baseColumn: itemColumn }).join(eol);
  const separator = style.multiline ? `,${eol}${' '.repeat(itemColumn)}` : ', ';
  if (at === undefined) {
    const end = endOf(last);
    const rest = restOfLine(text, end);
    // One item a line, the last one followed by a comment: the comma goes before the comment, the new item on a line of its own.
    if (style.multiline && /^\s*#/.test(rest)) return { start: end, end: end + rest.length, text: `,${rest}${eol}${' '.repeat(itemColumn)}${lines}` };
    return { start: end, end, text: separator + lines };
  }
  return { start: startOf(at), end: startOf(at), text: lines + separator };
}

/**
 * Removes one item with the comma that separates it from its neighbour; the
 * last one leaves `{}` or `[]` — in a collection written one item a line,
 * by removing the item's own line, so the bracket lines stay as they were.
 */
export function removeFlowItem(context: EditContext, collection: Collection, index: number): TextEdit {
  const { text } = context;
  const items = collection.items as Item[];
  const item = items[index] as Item;
  if (items.length === 1) {
    const [open = 0, close = 0] = collection.range ?? [];
    const start = startOf(item);
    const alone = lineStart(text, start) > open && text.slice(lineStart(text, start), start).trim() === '' && /^\s*(#.*)?$/.test(restOfLine(text, endOf(item)));
    if (alone && nextLineStart(text, endOf(item)) < close) return { start: lineStart(text, start), end: nextLineStart(text, endOf(item)), text: '' };
    return { start: open + 1, end: close - 1, text: '' };
  }
  const before = items[index - 1];
  if (before !== undefined) return { start: endOf(before), end: endOf(item), text: '' };
  return { start: startOf(item), end: startOf(items[1] as Item), text: '' };
}

/** Replaces a value inside a flow collection by another, in that collection's style. */
export function replaceFlowValue(context: EditContext, parent: Collection, node: Node, value: unknown): TextEdit {
  const { text, eol } = context;
  const style = flowStyleOf(text, parent, context.json);
  const start = node.range?.[0] ?? 0;
  const lines = renderFlow(value, { ...style, baseColumn: style.multiline ? lineIndent(text, start) : 0 });
  return { start, end: node.range?.[1] ?? start, text: lines.join(eol) };
}
