/**
 * How manifests are read, in one place so every parse of the harden path
 * uses the same rules and limits.
 */

/**
 * Kubernetes reads manifests as YAML 1.1 (sigs.k8s.io/yaml), so yes/no/on/off
 * are booleans here too. The `yaml` package's own check for repeated keys
 * compares every key with every other (minutes for a 3 MiB map), so it is off
 * and duplicate-keys.ts checks in one pass.
 */
export const PARSE_OPTIONS = { version: '1.1', uniqueKeys: false } as const;

/**
 * Aliases a document may resolve (the `yaml` package's measure: each alias
 * counts the nodes it repeats). Enough for any hand-written manifest; a
 * "billion laughs" document exceeds it at once instead of expanding.
 */
export const MAX_ALIAS_COUNT = 1000;

/**
 * The largest document: the API server refuses request bodies above 3 MiB
 * (apiserver's MaxRequestBodyBytes), so a larger manifest cannot be applied
 * anyway.
 */
export const MAX_DOCUMENT_BYTES = 3 * 1024 * 1024;

/** The largest input (one file, or stdin): it is read whole, so this bounds memory (and time: about half a second a MiB). */
export const MAX_INPUT_BYTES = 32 * 1024 * 1024;
