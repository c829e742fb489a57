/**
 * Renders the values a patch inserts as YAML (or JSON) text, in the style the
 * document already uses at that place: block collections at the given
 * columns and indent width, sequences compact (`- ` at the parent key's
 * column) or indented as the document indents them; flow collections inline,
 * or one item a line as pretty-printed JSON does.
 */
import { Document, Scalar } from 'yaml';
import { PARSE_OPTIONS } from './yaml-limits.js';

export interface BlockStyle {
  /** Spaces a nested map is indented by. */
  indent: number;
  /** How far a block sequence's `-` sits right of its key: 0 is compact (kubectl, kustomize), often the indent width. */
  sequenceIndent: number;
  /** Keys in sorted order, as in a document that sorts all of its keys. */
  sortKeys: boolean;
}

export interface FlowStyle {
  json: boolean;
  /** One item a line, as pretty-printed JSON does; else on one line. */
  multiline: boolean;
  /** With multiline: the width of one indent level, and the column the collection's own line starts at. */
  indent: number;
  baseColumn: number;
  /** `{ a: 1 }` rather than `{a: 1}`. */
  padding: boolean;
}

const isCollection = (value: unknown): value is unknown[] | Record<string, unknown> => typeof value === 'object' && value !== null;
const isEmptyCollection = (value: unknown): boolean => isCollection(value) && Object.keys(value).length === 0;
/** Line breaks, tabs and other control characters: only a double-quoted scalar holds them on one line. */
const hasControlCharacters = (value: unknown): boolean => typeof value === 'string' && /[\u0000-\u001f]/.test(value);

/**
 * A scalar as YAML writes it in a flow collection (the stricter context, so
 * the text is valid anywhere). Kubernetes reads YAML 1.1, so strings such as
 * `yes` or `0777` are quoted. Multi-line strings are double-quoted on one line.
 */
export function renderScalar(value: unknown, json: boolean): string {
  if (json || hasControlCharacters(value)) return JSON.stringify(value);
  const doc = new Document([value], { version: PARSE_OPTIONS.version });
  (doc.contents as unknown as { flow: boolean }).flow = true;
  const text = doc.toString({ lineWidth: 0, flowCollectionPadding: false }).trimEnd();
  return text.slice(1, -1);
}

/** A replacement scalar in the quoting style of the one it replaces, where that style can hold it. */
export function renderScalarLike(value: unknown, original: Scalar, json: boolean): string {
  if (typeof value === 'string' && !json && !hasControlCharacters(value)) {
    if (original.type === Scalar.QUOTE_DOUBLE) return JSON.stringify(value);
    if (original.type === Scalar.QUOTE_SINGLE) return `'${value.replace(/'/g, "''")}'`;
  }
  return renderScalar(value, json);
}

function inlineFlow(value: unknown, style: FlowStyle): string {
  if (!isCollection(value)) return renderScalar(value, style.json);
  const pad = style.padding && !isEmptyCollection(value) ? ' ' : '';
  if (Array.isArray(value)) return `[${pad}${value.map((item) => inlineFlow(item, style)).join(', ')}${pad}]`;
  const entries = Object.entries(value).map(([key, item]) => `${renderScalar(key, style.json)}: ${inlineFlow(item, style)}`);
  return `{${pad}${entries.join(', ')}${pad}}`;
}

/** Scalars and empty collections in block context: `emptyDir: {}`, `- ALL`. */
const INLINE_YAML: FlowStyle = { json: false, multiline: false, indent: 0, baseColumn: 0, padding: false };

/** Lines of a multi-line flow value; the first line is not indented (it follows a key or a comma). */
function multilineFlow(value: unknown, style: FlowStyle, column: number): string[] {
  if (!isCollection(value) || isEmptyCollection(value)) return [inlineFlow(value, style)];
  const inner = column + style.indent;
  const entries: Array<[string | undefined, unknown]> = Array.isArray(value) ? value.map((item) => [undefined, item]) : Object.entries(value);
  const lines = [Array.isArray(value) ? '[' : '{'];
  entries.forEach(([key, item], index) => {
    const [first = '', ...rest] = multilineFlow(item, style, inner);
    const prefix = key === undefined ? '' : `${renderScalar(key, style.json)}: `;
    const body = [`${' '.repeat(inner)}${prefix}${first}`, ...rest];
    if (index < entries.length - 1) body[body.length - 1] += ',';
    lines.push(...body);
  });
  lines.push(`${' '.repeat(column)}${Array.isArray(value) ? ']' : '}'}`);
  return lines;
}

/** A value in flow style: one line, or (multiline) lines whose first follows the text before it. */
export function renderFlow(value: unknown, style: FlowStyle): string[] {
  return style.multiline ? multilineFlow(value, style, style.baseColumn) : [inlineFlow(value, style)];
}

/** `key: value` in block style, its first line at `column`; `keyText` is the key as the document writes it, if it does. */
export function renderBlockEntry(key: string, value: unknown, column: number, style: BlockStyle, keyText?: string): string[] {
  const head = `${' '.repeat(column)}${keyText ?? renderScalar(key, false)}:`;
  if (!isCollection(value) || isEmptyCollection(value)) return [`${head} ${inlineFlow(value, INLINE_YAML)}`];
  if (Array.isArray(value)) return [head, ...renderBlockItems(value, column + style.sequenceIndent, style)];
  return [head, ...renderBlockMap(value, column + style.indent, style)];
}

export function renderBlockMap(value: Record<string, unknown>, column: number, style: BlockStyle): string[] {
  const entries = Object.entries(value);
  if (style.sortKeys) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.flatMap(([key, item]) => renderBlockEntry(key, item, column, style));
}

/** One sequence item, its `-` at `column`: a map's first key follows the dash, the others align with it. */
export function renderBlockItem(value: unknown, column: number, style: BlockStyle): string[] {
  const dash = `${' '.repeat(column)}- `;
  if (!isCollection(value) || isEmptyCollection(value)) return [`${dash}${inlineFlow(value, INLINE_YAML)}`];
  const lines = Array.isArray(value) ? renderBlockItems(value, column + 2, style) : renderBlockMap(value, column + 2, style);
  const [first = '', ...rest] = lines;
  return [dash + first.slice(column + 2), ...rest];
}

export function renderBlockItems(items: readonly unknown[], column: number, style: BlockStyle): string[] {
  return items.flatMap((item) => renderBlockItem(item, column, style));
}
