/**
 * Applies a JSON Patch to a YAML (or JSON) document's own text: each
 * operation becomes one splice at the node it names, so every line the patch
 * does not touch comes back byte for byte — comments, blank lines, quoting,
 * flow collections, multi-line scalars, markers, line endings. The document is
 * parsed again after each splice (operations refer to the result of the ones
 * before), and the end result must parse to exactly what the patch gives the
 * data, or nothing is returned.
 */
import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { isDeepStrictEqual } from 'node:util';
import { isAlias, isMap, isScalar, isSeq, parseDocument, Scalar, type Document, type Node } from 'yaml';
import { insertBlockEntry, insertBlockItem, removeBlockEntry, removeBlockItem, replaceBlockEntry, replaceBlockItem } from './block-edits.js';
import type { EditContext } from './edit-context.js';
import { TextPatchError } from './errors.js';
import { insertFlowItem, removeFlowItem, replaceFlowValue } from './flow-edits.js';
import { pointerOf, pointerSegments } from './json-pointer.js';
import { renderScalarLike } from './render-value.js';
import { applyEdit, lineEnding, type TextEdit } from './text-lines.js';
import { locate, type Location } from './yaml-locate.js';
import { sortsKeys } from './yaml-style.js';
import { MAX_ALIAS_COUNT, PARSE_OPTIONS } from './yaml-limits.js';

const { applyPatch, deepClone } = fastJsonPatch;

/** A patch whose paths are relative to `base`, the segments from the document's root to the object patched. */
export interface PlacedPatch {
  base: readonly (string | number)[];
  operations: readonly Operation[];
}

const isCollectionValue = (value: unknown): boolean => typeof value === 'object' && value !== null;
/** Data as JSON has it: the patch's values are JSON, while YAML 1.1 reads some scalars as dates. */
const asJson = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
const isBlockScalar = (node: Node): boolean => isScalar(node) && (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED);

function parse(text: string): Document {
  const doc = parseDocument(text, PARSE_OPTIONS);
  if (doc.errors.length > 0) throw new TextPatchError(`the edited text no longer parses (${doc.errors[0]?.message ?? 'parse error'}); this is a bug in pod-hardener`);
  return doc;
}

/** The value at a location becomes `value`: in place for a scalar, else as the whole entry or item, in its parent's style. */
function replaceAt(context: EditContext, location: Location, value: unknown): TextEdit {
  const { parent, node } = location;
  if (node === undefined) throw new TextPatchError('nothing to replace');
  if ((isScalar(node) || isAlias(node)) && !isCollectionValue(value) && !isBlockScalar(node) && node.range) {
    const [start, end] = node.range;
    const rendered = renderScalarLike(value, isScalar(node) ? node : new Scalar(null), context.json);
    // `key:` with nothing after it is null; its new value needs the space after the colon.
    return { start, end, text: start === end && context.text[start - 1] === ':' ? ` ${rendered}` : rendered };
  }
  if (parent.flow) return replaceFlowValue(context, parent, node, value);
  if (isMap(parent) && location.pair) return replaceBlockEntry(context, location.pair, location.ancestors, location.key, value);
  return replaceBlockItem(context, node, location.ancestors, value);
}

/** The edit for one operation, at `segments` from the document's root. */
function editFor(context: EditContext, segments: string[], operation: Operation): TextEdit {
  const adding = operation.op === 'add';
  const location = locate(context.doc, segments, adding);
  const { parent } = location;
  const value = 'value' in operation ? (operation.value as unknown) : undefined;
  const emptied = parent.items.length === 1 && operation.op === 'remove';
  const intoEmpty = parent.items.length === 0 && adding && location.ancestors.length > 1;
  if ((emptied && !parent.flow) || intoEmpty) {
    // An empty collection is always written `{}` or `[]`: the whole collection is rewritten, in its parent's style.
    const fresh = emptied ? (isSeq(parent) ? [] : {}) : isSeq(parent) ? [value] : { [location.key]: value };
    return replaceAt(context, locate(context.doc, segments.slice(0, -1), false), fresh);
  }
  switch (operation.op) {
    case 'add':
      if (isMap(parent) && location.pair) return replaceAt(context, location, value);
      if (parent.flow) return insertFlowItem(context, parent, location.index ?? parent.items.length, value, isMap(parent) ? location.key : undefined);
      if (isMap(parent)) return insertBlockEntry(context, parent, location.ancestors, location.key, value);
      return insertBlockItem(context, parent, location.ancestors, location.index ?? parent.items.length, value);
    case 'replace':
      return replaceAt(context, location, value);
    case 'remove': {
      const index = isMap(parent) ? parent.items.findIndex((pair) => pair === location.pair) : (location.index ?? -1);
      if (index < 0) throw new TextPatchError(`nothing to remove at ${pointerOf(segments)}`);
      if (parent.flow) return removeFlowItem(context, parent, index);
      return isMap(parent) ? removeBlockEntry(context, parent, index) : removeBlockItem(context, parent, index);
    }
    default:
      throw new TextPatchError(`the JSON Patch operation "${operation.op}" is not one the engine makes`);
  }
}

/** What the document's data becomes under the patch: what the edited text must parse to. */
function patchedData(data: unknown, patch: PlacedPatch): unknown {
  const operations = patch.operations.map((op) => ({ ...op, path: pointerOf(patch.base) + op.path }));
  return applyPatch(deepClone(data), operations, false, false).newDocument;
}

export interface PatchedText {
  text: string;
  /** What the text parses to now (as JSON has it). */
  data: unknown;
}

/** The document's text with the patch applied to it; `data` is what the text parses to now. */
export function patchDocumentText(text: string, data: unknown, patch: PlacedPatch, json: boolean): PatchedText {
  const eol = lineEnding(text);
  // Judged on the text as it came: what the patch inserts must not change the verdict half-way.
  const sortedKeys = sortsKeys(parse(text));
  let current = text;
  for (const operation of patch.operations) {
    const segments = [...patch.base.map(String), ...pointerSegments(operation.path)];
    current = applyEdit(current, editFor({ text: current, doc: parse(current), eol, json, sortedKeys }, segments, operation));
  }
  const expected = patchedData(asJson(data), patch);
  if (!isDeepStrictEqual(asJson(parse(current).toJS({ maxAliasCount: MAX_ALIAS_COUNT })), expected)) {
    throw new TextPatchError('the edited text does not say what the patch says; this is a bug in pod-hardener');
  }
  return { text: current, data: expected };
}
