/** Where a parsed node's text starts and ends, from the ranges the `yaml` parser records. */
import type { Node, Pair } from 'yaml';

/** Where an item's `-` is: the last dash before the item's own text. */
export function dashOffset(text: string, item: Node): number {
  return text.lastIndexOf('-', (item.range?.[0] ?? 0) - 1);
}

/** The start of a node's text (a pair's: its key's). */
export function startOf(node: Node | Pair): number {
  const first = 'key' in node ? (node.key as Node | null) : node;
  return first?.range?.[0] ?? 0;
}

/** The end of a node's value text, before any comment after it (a pair's: its value's, or its key's). */
export function endOf(node: Node | Pair): number {
  if ('key' in node) return ((node.value as Node | null) ?? (node.key as Node)).range?.[1] ?? 0;
  return node.range?.[1] ?? 0;
}
