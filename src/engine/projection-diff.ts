/**
 * fast-json-patch's compare() — the same walk, so the same operations in the
 * same order — without its copy of the values it adds: projection.ts walks the
 * pod's fields with it. compare() copies each value through JSON.stringify and
 * JSON.parse, which was a third of the engine's time for a typical pod. Here
 * the operations carry the view's own values: every value that differs between
 * the pod and the view is the engine's (copy on write copies deeply what a
 * control changes, and the entries it adds are new), so the patch shares no
 * object with the request (test/unit/engine/properties.test.ts checks it), and
 * the view is dropped once the patch is made. Pointer segments are escaped by
 * fast-json-patch's own escapePathComponent: no path is spelled by hand.
 *
 * A subtree no control copied is the same object on both sides, skipped at the
 * first `===`. test/unit/engine/projection-diff.test.ts checks the walk
 * against compare() for any two JSON values.
 */
import fastJsonPatch, { type Operation } from 'fast-json-patch';

/** fast-json-patch's escaping of one pointer segment ("~" and "/"). */
export const { escapePathComponent } = fastJsonPatch;

type Json = Record<string, unknown> | unknown[];

/** An added value; undefined becomes null, as JSON.stringify writes it in arrays (and compare() copies it). */
function added(value: unknown): unknown {
  return value === undefined ? null : value;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null;
}

/**
 * The change from `oldValue` to `newValue` at `path` + "/" + `key` (`key` escaped already): a walk into two containers of one
 * kind, else a replace. The path is spelled only where an operation needs it: most fields are unchanged.
 */
export function change(oldValue: unknown, newValue: unknown, patch: Operation[], path: string, key: string): void {
  if (oldValue === newValue) return;
  if (isObject(oldValue) && isObject(newValue) && Array.isArray(oldValue) === Array.isArray(newValue)) {
    generate(oldValue, newValue, patch, `${path}/${key}`);
  } else {
    patch.push({ op: 'replace', path: `${path}/${key}`, value: added(newValue) });
  }
}

/**
 * compare()'s walk, for two arrays or two objects (the walk only ever pairs
 * containers of one kind). Arrays are walked by index, as compare() does with
 * their keys "0", "1", …, which need no escaping.
 */
function generate(before: Json, after: Json, patch: Operation[], path: string): void {
  if (before === after) return;
  if (Array.isArray(before)) generateArray(before, after as unknown[], patch, path);
  else generateObject(before, after as Record<string, unknown>, patch, path);
}

function generateArray(before: readonly unknown[], after: readonly unknown[], patch: Operation[], path: string): void {
  // Backwards, as compare() does: removals come last index first, so each index is still right when applied.
  for (let index = before.length - 1; index >= 0; index -= 1) {
    if (index < after.length) change(before[index], after[index], patch, path, String(index));
    else patch.push({ op: 'remove', path: `${path}/${index}` });
  }
  for (let index = before.length; index < after.length; index += 1) {
    if (after[index] !== undefined) patch.push({ op: 'add', path: `${path}/${index}`, value: after[index] });
  }
}

function generateObject(before: Record<string, unknown>, after: Record<string, unknown>, patch: Operation[], path: string): void {
  const oldKeys = Object.keys(before);
  let deleted = false;
  for (let t = oldKeys.length - 1; t >= 0; t -= 1) {
    const key = oldKeys[t] as string;
    const oldValue = before[key];
    // A key whose new value is undefined is gone (JSON.stringify drops it), unless it was undefined before too.
    if (Object.hasOwn(after, key) && !(after[key] === undefined && oldValue !== undefined)) {
      const newValue = after[key];
      if (oldValue !== newValue) change(oldValue, newValue, patch, path, escapePathComponent(key));
    } else {
      patch.push({ op: 'remove', path: `${path}/${escapePathComponent(key)}` });
      deleted = true;
    }
  }
  const newKeys = Object.keys(after);
  if (!deleted && newKeys.length === oldKeys.length) return;
  for (const key of newKeys) {
    if (!Object.hasOwn(before, key) && after[key] !== undefined) {
      patch.push({ op: 'add', path: `${path}/${escapePathComponent(key)}`, value: after[key] });
    }
  }
}

/** The operations that turn `before` into `after`, as fast-json-patch's compare(before, after) gives them (the walk projection.ts uses, whole). */
export function diffProjection(before: object, after: object): Operation[] {
  const patch: Operation[] = [];
  generate(before as Json, after as Json, patch, '');
  return patch;
}
