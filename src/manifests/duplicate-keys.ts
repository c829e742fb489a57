/**
 * Repeated keys in a map, found in one pass. The API server refuses a
 * manifest with a repeated key (sigs.k8s.io/yaml is strict), and which of the
 * two values would win is unclear, so harden refuses it too.
 */
import { isScalar, visit, type Document } from 'yaml';

/** The first key that a map of the document repeats, if any. */
export function repeatedKey(doc: Document): string | undefined {
  let repeated: string | undefined;
  visit(doc, {
    Map: (_, map) => {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key) || typeof pair.key.value === 'symbol') continue;
        const key = String(pair.key.value);
        if (seen.has(key)) {
          repeated = key;
          return visit.BREAK;
        }
        seen.add(key);
      }
      return undefined;
    },
  });
  return repeated;
}
