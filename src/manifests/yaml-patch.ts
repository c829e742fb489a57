/**
 * Applies a JSON Patch to a node of a YAML document in place, so everything
 * the patch does not touch keeps its comments, key order and formatting.
 */
import type { Operation } from 'fast-json-patch';
import { isMap, isSeq, type Document, type Node, type ParsedNode } from 'yaml';

function unescapePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export class YamlPatchError extends Error {}

/** Applies `patch` (paths relative to `base`) to the document. */
export function applyPatchToYaml(doc: Document<ParsedNode>, base: readonly (string | number)[], patch: readonly Operation[]): void {
  for (const op of patch) {
    const segments = unescapePointer(op.path);
    const key = segments.pop();
    if (key === undefined) throw new YamlPatchError(`cannot ${op.op} the whole pod template`);
    const parentPath = [...base, ...segments.map((s, i) => indexIfSeq(doc, [...base, ...segments.slice(0, i)], s))];
    const parent = parentPath.length === 0 ? doc.contents : (doc.getIn(parentPath, true) as Node | undefined);
    if (isSeq(parent)) {
      const index = key === '-' ? parent.items.length : Number(key);
      if (op.op === 'remove') parent.items.splice(index, 1);
      else if (op.op === 'add') parent.items.splice(index, 0, doc.createNode((op as { value: unknown }).value));
      else if (op.op === 'replace') parent.items[index] = doc.createNode((op as { value: unknown }).value);
      else throw new YamlPatchError(`unsupported operation ${op.op}`);
    } else if (isMap(parent)) {
      if (op.op === 'remove') parent.delete(key);
      else if (op.op === 'add' || op.op === 'replace') parent.set(doc.createNode(key), doc.createNode((op as { value: unknown }).value));
      else throw new YamlPatchError(`unsupported operation ${op.op}`);
    } else {
      throw new YamlPatchError(`no collection at ${op.path}`);
    }
  }
}

/** Path segments are strings in a JSON Pointer; sequences need numbers. */
function indexIfSeq(doc: Document<ParsedNode>, parentPath: readonly (string | number)[], segment: string): string | number {
  const parent = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath, true);
  return isSeq(parent) ? Number(segment) : segment;
}
