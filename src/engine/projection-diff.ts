/**
 * The JSON Patch between a pass's projection before and after the controls
 * ran: fast-json-patch's compare() — the same walk, so the same operations in
 * the same order — except for how the values it adds are copied. compare()
 * copies each through JSON.stringify and JSON.parse, which was a third of the
 * engine's time for a typical pod; the projection holds parsed JSON only (no
 * toJSON, no undefined but where compare() writes null too), so a structural
 * copy gives the same values. Pointer segments are escaped by fast-json-patch's
 * own escapePathComponent: no path is spelled by hand.
 *
 * Subtrees the controls did not copy are the same objects before and after
 * (copy-on-write, context.ts), so the walk skips them at the first `===`.
 * test/unit/engine/projection-diff.test.ts checks it against compare().
 */
import fastJsonPatch, { type Operation } from 'fast-json-patch';

const { escapePathComponent } = fastJsonPatch;

type Json = Record<string, unknown> | unknown[];

/** A JSON value's copy; undefined becomes null, as JSON.stringify writes it in arrays. */
function copy(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(copy);
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(value)) result[key] = copy((value as Record<string, unknown>)[key]);
  return result;
}

function keysOf(value: Json): string[] {
  return Array.isArray(value) ? value.map((_, index) => String(index)) : Object.keys(value);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null;
}

function generate(before: Json, after: Json, patch: Operation[], path: string): void {
  if (before === after) return;
  const oldKeys = keysOf(before);
  const newKeys = keysOf(after);
  const beforeRecord = before as Record<string, unknown>;
  const afterRecord = after as Record<string, unknown>;
  let deleted = false;
  // Backwards, as compare() does: removals from an array come last index first, so each index is still right when applied.
  for (let t = oldKeys.length - 1; t >= 0; t -= 1) {
    const key = oldKeys[t] as string;
    const oldValue = beforeRecord[key];
    const keyPath = `${path}/${escapePathComponent(key)}`;
    if (Object.hasOwn(after, key) && !(afterRecord[key] === undefined && oldValue !== undefined && !Array.isArray(after))) {
      const newValue = afterRecord[key];
      if (isObject(oldValue) && isObject(newValue) && Array.isArray(oldValue) === Array.isArray(newValue)) {
        generate(oldValue, newValue, patch, keyPath);
      } else if (oldValue !== newValue) {
        patch.push({ op: 'replace', path: keyPath, value: copy(newValue) });
      }
    } else if (Array.isArray(before) === Array.isArray(after)) {
      patch.push({ op: 'remove', path: keyPath });
      deleted = true;
    } else {
      patch.push({ op: 'replace', path, value: after });
    }
  }
  if (!deleted && newKeys.length === oldKeys.length) return;
  for (const key of newKeys) {
    if (!Object.hasOwn(before, key) && afterRecord[key] !== undefined) {
      patch.push({ op: 'add', path: `${path}/${escapePathComponent(key)}`, value: copy(afterRecord[key]) });
    }
  }
}

/** The operations that turn `before` into `after`, as fast-json-patch's compare(before, after) gives them. */
export function diffProjection(before: object, after: object): Operation[] {
  const patch: Operation[] = [];
  generate(before as Json, after as Json, patch, '');
  return patch;
}
