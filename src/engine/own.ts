/**
 * Reading user data by a key that is itself user data. Names, annotation
 * keys and label keys come from the pod or the cluster, so a lookup keyed by
 * them must never reach Object.prototype: `annotations['constructor']` on a
 * plain object is a function, not undefined. Every such lookup goes through
 * here (or through a Map).
 */
export function own<T>(record: Readonly<Record<string, T>> | null | undefined, key: string): T | undefined {
  return record !== null && record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
