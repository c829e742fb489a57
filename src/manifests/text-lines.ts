/**
 * Offsets, lines and columns in a document's own text. Every edit the
 * splicer makes is expressed with these, so line endings (LF or CRLF) and a
 * last line without a newline are handled in one place.
 */

export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

export function applyEdit(text: string, edit: TextEdit): string {
  return text.slice(0, edit.start) + edit.text + text.slice(edit.end);
}

/** The document's line ending: CRLF when its first line ends so, else LF. */
export function lineEnding(text: string): '\n' | '\r\n' {
  const first = text.indexOf('\n');
  return first > 0 && text[first - 1] === '\r' ? '\r\n' : '\n';
}

export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The start of the line after the one `offset` ends on (an offset just past a newline is already one). */
export function nextLineStart(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === '\n') return offset;
  const newline = text.indexOf('\n', offset);
  return newline === -1 ? text.length : newline + 1;
}

export function column(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

/** The spaces that start the line `offset` is on. */
export function lineIndent(text: string, offset: number): number {
  const start = lineStart(text, offset);
  let end = start;
  while (text[end] === ' ') end += 1;
  return end - start;
}

/**
 * Inserts whole lines at a line start. At the end of a text whose last line
 * has no newline, the lines go after a new line ending and the text still
 * ends without one.
 */
export function insertLines(text: string, at: number, lines: readonly string[], eol: string): TextEdit {
  if (at === text.length && text !== '' && !text.endsWith('\n')) return { start: at, end: at, text: eol + lines.join(eol) };
  return { start: at, end: at, text: lines.map((line) => line + eol).join('') };
}

/**
 * Replaces whole lines [from, to) — `to` a line start, or the end of a text
 * whose last line has no newline — by `lines`; no lines deletes them.
 */
export function replaceLines(text: string, from: number, to: number, lines: readonly string[], eol: string): TextEdit {
  const endsWithoutNewline = to === text.length && !text.endsWith('\n');
  if (lines.length === 0) {
    // Deleting the last lines of a text without a final newline takes the newline before them instead.
    if (endsWithoutNewline && from > 0) return { start: from - (text[from - 2] === '\r' ? 2 : 1), end: to, text: '' };
    return { start: from, end: to, text: '' };
  }
  return { start: from, end: to, text: lines.join(eol) + (endsWithoutNewline ? '' : eol) };
}
