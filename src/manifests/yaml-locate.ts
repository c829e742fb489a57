/**
 * Finds where a JSON Patch operation lands in a parsed YAML document, and
 * refuses the places where editing the text would change more than the
 * operation says: through an alias (the edit would land in the anchored
 * node, and every other alias of it would change too), on an anchored node
 * that aliases repeat, or in a value a merge key (`<<`) brings in.
 */
import { isAlias, isMap, isScalar, isSeq, visit, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { TextPatchError } from './errors.js';
import { dottedPath } from './json-pointer.js';

export type Collection = YAMLMap | YAMLSeq;

export interface Location {
  /** The collections from the document's root down to the parent, the parent last. */
  ancestors: Collection[];
  parent: Collection;
  /** The last segment: a key, or in a sequence an index (`-` is the end). */
  key: string;
  /** In a map: the pair of that key, if the map has it. */
  pair?: Pair;
  /** In a sequence: the index, resolved. */
  index?: number;
  /** The value there now, if any. */
  node?: Node;
}

/** Anchor names that an alias somewhere in the document repeats. */
function repeatedAnchors(doc: Document): Set<string> {
  const names = new Set<string>();
  visit(doc, { Alias: (_, alias) => void names.add(alias.source) });
  return names;
}

const isMergePair = (pair: Pair): boolean => isScalar(pair.key) && typeof pair.key.value === 'symbol';

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((pair) => isScalar(pair.key) && typeof pair.key.value !== 'symbol' && String(pair.key.value) === key) as Pair | undefined;
}

function refuse(what: string, segments: readonly string[]): never {
  throw new TextPatchError(`the change at ${dottedPath(segments) || 'the document root'} ${what}; write the value out there instead of sharing it, or harden that part by hand`);
}

/** Refuses a node the edit would go through (`through`) or change: an alias, an anchor that aliases repeat. */
function check(node: unknown, segments: readonly string[], anchors: ReadonlySet<string>, through: boolean): void {
  if (through && isAlias(node)) refuse(`goes through the YAML alias *${node.source}`, segments);
  const anchor = (node as { anchor?: string } | null | undefined)?.anchor;
  if (anchor !== undefined && anchors.has(anchor)) refuse(`changes the YAML anchor &${anchor}, which an alias repeats elsewhere`, segments);
}

/** Where `segments` ends; `adding` says the last segment may be absent (a JSON Patch `add`). */
export function locate(doc: Document, segments: readonly string[], adding: boolean): Location {
  const anchors = repeatedAnchors(doc);
  const ancestors: Collection[] = [];
  let current: unknown = doc.contents;
  for (let depth = 0; depth < segments.length; depth += 1) {
    const here = segments.slice(0, depth);
    check(current, here, anchors, true);
    const segment = segments[depth] ?? '';
    const last = depth === segments.length - 1;
    const there = segments.slice(0, depth + 1);
    if (isMap(current)) {
      ancestors.push(current);
      const pair = pairOf(current, segment);
      if (pair === undefined && current.items.some(isMergePair) && !(last && adding)) refuse('is in a value a YAML merge key (<<) brings in', there);
      if (pair === undefined && !last) throw new TextPatchError(`no ${dottedPath(there)} in the document`);
      if (last) check(pair?.value, there, anchors, false);
      if (last) return { ancestors, parent: current, key: segment, ...(pair ? { pair } : {}), ...(pair?.value ? { node: pair.value as Node } : {}) };
      current = pair?.value;
    } else if (isSeq(current)) {
      ancestors.push(current);
      const index = segment === '-' ? current.items.length : Number(segment);
      if (!Number.isInteger(index) || index < 0 || index > current.items.length || (!last && index === current.items.length)) {
        throw new TextPatchError(`no ${dottedPath(there)} in the document`);
      }
      const node = current.items[index] as Node | undefined;
      if (last) check(node, there, anchors, false);
      if (last) return { ancestors, parent: current, key: segment, index, ...(node ? { node } : {}) };
      current = node;
    } else {
      throw new TextPatchError(`no collection at ${dottedPath(here) || 'the document root'}`);
    }
  }
  throw new TextPatchError('a JSON Patch operation cannot replace the whole document');
}
