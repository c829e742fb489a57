/**
 * Re-rendering a YAML document normalises spacing (before comments, inside
 * flow collections). To keep a reviewer's diff down to what really changed,
 * lines of the rendering that match an original line — same indentation, same
 * text but for spaces — are replaced by that original line. The result must
 * parse to the same data as the rendering, or the rendering is used as it is.
 */
import { diffArrays } from 'diff';
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';

function lines(text: string): string[] {
  return text.split(/(?<=\n)/);
}

function indentation(line: string): string {
  return /^[ \t-]*/.exec(line)?.[0] ?? '';
}

function sameButSpacing(a: string, b: string): boolean {
  return indentation(a) === indentation(b) && a.replace(/\s+/g, '') === b.replace(/\s+/g, '');
}

function data(text: string): unknown {
  return parseAllDocuments(text, { version: '1.1' }).map((doc) => doc.toJS());
}

export function preserveFormatting(original: string, rendered: string): string {
  const before = lines(original);
  const after = lines(rendered);
  let merged = '';
  let oldIndex = 0;
  for (const part of diffArrays(before, after, { comparator: sameButSpacing })) {
    const count = part.count ?? part.value.length;
    if (part.added) {
      merged += part.value.join('');
    } else if (part.removed) {
      oldIndex += count;
    } else {
      const kept = before.slice(oldIndex, oldIndex + count);
      // A last original line without its newline is followed by rendered text: keep the newline.
      merged += kept.join('');
      if (!merged.endsWith('\n') && part.value.at(-1)?.endsWith('\n')) merged += '\n';
      oldIndex += count;
    }
  }
  return isDeepStrictEqual(data(merged), data(rendered)) ? merged : rendered;
}
