/**
 * Reads the layout a document already uses at a place, so inserted text
 * looks as if the same hand wrote it: the indent width and the sequence style
 * (compact `- ` at the parent key's column, or one indent deeper) of the
 * nearest block collections, and for flow collections whether they are
 * padded, one item a line, and JSON-quoted.
 */
import { isMap, isScalar, isSeq, Scalar, visit, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { BlockStyle, FlowStyle } from './render-value.js';
import type { Collection } from './yaml-locate.js';
import { dashOffset, startOf } from './node-ranges.js';
import { column, lineIndent, lineStart } from './text-lines.js';

/** Most YAML in the wild, and the `yaml` package's default: two spaces, sequences indented. */
const DEFAULT_BLOCK_STYLE = { indent: 2, sequenceIndent: 2 };

interface Facts {
  indent?: number;
  sequenceIndent?: number;
}

/** What the block collections that are values of `map`'s keys say about the layout. */
function factsOf(text: string, map: YAMLMap): Facts {
  const facts: Facts = {};
  for (const pair of map.items) {
    const value = pair.value;
    if (!isScalar(pair.key) || pair.key.range === undefined || pair.key.range === null) continue;
    const keyColumn = column(text, pair.key.range[0]);
    const first = (isMap(value) || isSeq(value)) && !value.flow ? (value.items[0] as Node | Pair | undefined) : undefined;
    if (first === undefined) continue;
    if (isMap(value) && facts.indent === undefined) facts.indent = column(text, startOf(first)) - keyColumn;
    if (isSeq(value) && facts.sequenceIndent === undefined && lineStart(text, startOf(first)) === lineStart(text, dashOffset(text, first as Node))) {
      facts.sequenceIndent = column(text, dashOffset(text, first as Node)) - keyColumn;
    }
  }
  return facts;
}

/** The block layout at the deepest of `ancestors` that shows it, else anywhere in the document, else the default. */
export function blockStyleAt(text: string, doc: Document, ancestors: readonly Collection[], sortKeys: boolean): BlockStyle {
  const found: Facts = {};
  const learn = (map: YAMLMap): void => {
    const facts = factsOf(text, map);
    found.indent ??= facts.indent !== undefined && facts.indent > 0 ? facts.indent : undefined;
    found.sequenceIndent ??= facts.sequenceIndent !== undefined && facts.sequenceIndent >= 0 ? facts.sequenceIndent : undefined;
  };
  for (const collection of [...ancestors].reverse()) if (isMap(collection) && !collection.flow) learn(collection);
  if (found.indent === undefined || found.sequenceIndent === undefined) visit(doc, { Map: (_, map) => void (map.flow ? undefined : learn(map)) });
  return { indent: found.indent ?? DEFAULT_BLOCK_STYLE.indent, sequenceIndent: found.sequenceIndent ?? DEFAULT_BLOCK_STYLE.sequenceIndent, sortKeys };
}

/** The layout of a flow collection; `json` when the document is JSON or the collection quotes its strings as JSON does. */
export function flowStyleOf(text: string, collection: Collection, documentIsJson: boolean): FlowStyle {
  const open = collection.range?.[0] ?? 0;
  const first = collection.items[0] as Node | Pair | undefined;
  const firstScalar = first === undefined ? undefined : 'key' in first ? first.key : first;
  const json = documentIsJson || (isScalar(firstScalar) && firstScalar.type === Scalar.QUOTE_DOUBLE);
  if (first === undefined) return { json, multiline: false, indent: 2, baseColumn: lineIndent(text, open), padding: false };
  const multiline = lineStart(text, startOf(first)) !== lineStart(text, open);
  const indent = multiline ? column(text, startOf(first)) - lineIndent(text, open) : 2;
  return { json, multiline, indent: indent > 0 ? indent : 2, baseColumn: lineIndent(text, open), padding: !multiline && text[open + 1] === ' ' };
}

/**
 * Whether the document sorts its keys, as kubectl and kustomize output does
 * (Go's YAML encoder sorts map keys): every block map's keys are in order,
 * and at least one map has three or more (two in order may be chance).
 */
export function sortsKeys(doc: Document): boolean {
  let sorted = true;
  let evidence = false;
  visit(doc, {
    Map: (_, map) => {
      if (map.flow) return;
      const keys = map.items.map((pair) => (isScalar(pair.key) && typeof pair.key.value === 'string' ? pair.key.value : undefined));
      if (keys.length >= 3) evidence = true;
      if (keys.some((key, i) => key === undefined || (i > 0 && (keys[i - 1] ?? '') >= key))) sorted = false;
    },
  });
  return sorted && evidence;
}
