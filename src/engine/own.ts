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

/**
 * Sets `key` on a copy being built from user data. An assignment to
 * "__proto__" would set the copy's prototype instead of a field, and every
 * field the copy lacks would then be read from the user's object: a
 * securityContext of {"__proto__": {"privileged": true}} would read as
 * privileged. JSON.parse makes "__proto__" an ordinary field; so does this.
 */
export function setOwn(record: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
  else record[key] = value;
}
