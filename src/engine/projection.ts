/**
 * The projection a hardening pass works on, and the patch it yields.
 *
 * project() maps the pod onto the fields the controls may change, keeping the
 * pod's own structure, so the patch's paths are the pod's paths. It shares the
 * request's objects; controls copy what they write (copy on write, context.ts).
 *
 * diffView() is the JSON Patch between the pod's projection and the view the
 * controls changed — compare(project(pod), view), the same operations in the
 * same order (test/unit/engine/projection.test.ts) — walked without building
 * the "before" projection: its fields are the pod's own, read in place. Only
 * the projected fields are walked, and a subtree no control copied is the same
 * object in the pod and in the view, skipped at the first `===`.
 */
import type { Operation } from 'fast-json-patch';
import type { ContainerView, PodView } from './context.js';
import { CONTAINER_LISTS, type Container, type Pod } from './pod.js';
import { change } from './projection-diff.js';

/** The fields projected, in the order project() writes them: the order the walk follows. */
const SPEC_FIELDS = ['securityContext', 'volumes', ...CONTAINER_LISTS] as const;
const CONTAINER_FIELDS = ['securityContext', 'volumeMounts'] as const;

export function project(pod: Pod): PodView {
  const view: PodView = { spec: {} };
  const spec = pod.spec;
  if ('securityContext' in spec) view.spec.securityContext = spec.securityContext;
  if ('volumes' in spec) view.spec.volumes = spec.volumes;
  for (const list of CONTAINER_LISTS) {
    if (!(list in spec)) continue;
    const containers = spec[list];
    view.spec[list] = containers ? containers.map(containerView) : containers;
  }
  return view;
}

function containerView(container: Container): ContainerView {
  const view: ContainerView = {};
  if ('securityContext' in container) view.securityContext = container.securityContext;
  if ('volumeMounts' in container) view.volumeMounts = container.volumeMounts;
  return view;
}

type Fields = Readonly<Record<string, unknown>>;

/** The operations that turn project(pod) into `view`. */
export function diffView(pod: Pod, view: PodView): Operation[] {
  const patch: Operation[] = [];
  diffFields(pod.spec, view.spec, SPEC_FIELDS, patch, '/spec', (before, after, key) => {
    if (key === 'securityContext' || key === 'volumes') change(before, after, patch, '/spec', key);
    else diffContainers(before, after, patch, `/spec/${key}`);
  });
  return patch;
}

/** A container list: the views are the containers' one for one, walked backwards as compare() walks an array. */
function diffContainers(containers: unknown, views: unknown, patch: Operation[], path: string): void {
  if (!Array.isArray(containers) || !Array.isArray(views)) return;
  for (let index = containers.length - 1; index >= 0; index -= 1) {
    const itemPath = `${path}/${index}`;
    diffFields(containers[index] as Fields, views[index] as Fields, CONTAINER_FIELDS, patch, itemPath, (before, after, key) => change(before, after, patch, itemPath, key));
  }
}

/**
 * compare()'s walk of one object of the projection, read from the pod's own
 * object: the projected fields it has, backwards (a changed one is walked, one
 * gone is removed), then the view's new fields in the order they were written.
 * Field names here are ours and need no escaping.
 */
function diffFields(
  before: Fields,
  after: Fields,
  fields: readonly string[],
  patch: Operation[],
  path: string,
  walk: (before: unknown, after: unknown, key: string) => void,
): void {
  for (let index = fields.length - 1; index >= 0; index -= 1) {
    const key = fields[index] as string;
    if (!(key in before)) continue;
    const oldValue = before[key];
    const newValue = after[key];
    // A key whose new value is undefined is gone (JSON.stringify drops it), unless it was undefined before too.
    if (key in after && !(newValue === undefined && oldValue !== undefined)) {
      if (oldValue !== newValue) walk(oldValue, newValue, key);
    } else {
      patch.push({ op: 'remove', path: `${path}/${key}` });
    }
  }
  for (const key in after) {
    if (!(key in before) && after[key] !== undefined) patch.push({ op: 'add', path: `${path}/${key}`, value: after[key] });
  }
}
