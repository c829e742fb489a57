/**
 * diffView walks the pod's own fields instead of a "before" projection: for
 * any pod, and any change a pass can make to the view copy on write (a
 * container's or the pod's security context replaced, set to null or removed,
 * mounts and volumes appended, lists that were absent created), it must give
 * exactly what compare(project(pod), view) gives, operations and order.
 */
import fc from 'fast-check';
import fastJsonPatch from 'fast-json-patch';
import type { PodView } from '../../../src/engine/context.js';
import { CONTAINER_LISTS } from '../../../src/engine/pod.js';
import { diffView, project } from '../../../src/engine/projection.js';
import { podArb } from '../../helpers/arbitraries.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 400);
const { compare } = fastJsonPatch;

const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.oneof(fc.boolean(), fc.integer(), fc.string({ maxLength: 3 }), fc.constant(null)), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 3 }),
  object: fc.dictionary(fc.constantFrom('capabilities', 'drop', 'runAsNonRoot', 'a/b', 'm~n', 'x'), tie('value'), { maxKeys: 3 }),
})).object;

/** What a control may do to one field of the view: leave it, replace it, null it, remove it (or set it undefined, which JSON reads as removed). */
const fieldChange = fc.oneof(
  fc.constant({ kind: 'keep' as const }),
  json.map((value) => ({ kind: 'set' as const, value })),
  fc.constant({ kind: 'null' as const }),
  fc.constant({ kind: 'remove' as const }),
  fc.constant({ kind: 'undefined' as const }),
);
const appended = fc.array(fc.record({ name: fc.constantFrom('ph-a-tmp', 'ph-b-tmp'), mountPath: fc.constantFrom('/tmp', '/cache') }), { maxLength: 2 });

type FieldChange = typeof fieldChange extends fc.Arbitrary<infer T> ? T : never;

function apply(record: Record<string, unknown>, key: string, change: FieldChange): void {
  if (change.kind === 'set') record[key] = change.value;
  else if (change.kind === 'null') record[key] = null;
  else if (change.kind === 'remove') delete record[key];
  else if (change.kind === 'undefined') record[key] = undefined;
}

/** Copy on write, as the controls do: a changed array is a new array with entries appended. */
function appendTo(record: Record<string, unknown>, key: string, items: readonly unknown[]): void {
  if (items.length === 0) return;
  const current = record[key];
  record[key] = [...(Array.isArray(current) ? current : []), ...items];
}

const changes = fc.record({
  containers: fc.array(fc.record({ securityContext: fieldChange, mounts: appended }), { minLength: 8, maxLength: 8 }),
  podSecurityContext: fieldChange,
  volumes: appended,
});

describe('diffView', () => {
  test('gives what compare(project(pod), view) gives, for any pod and any copy-on-write change', () => {
    fc.assert(
      fc.property(podArb({ ephemeral: true }), changes, ({ pod }, change) => {
        const before = project(pod);
        const view: PodView = project(pod);
        let slot = 0;
        for (const list of CONTAINER_LISTS) {
          for (const container of view.spec[list] ?? []) {
            const what = change.containers[slot % change.containers.length];
            slot += 1;
            if (!what) continue;
            apply(container as Record<string, unknown>, 'securityContext', what.securityContext);
            appendTo(container as Record<string, unknown>, 'volumeMounts', what.mounts);
          }
        }
        apply(view.spec as Record<string, unknown>, 'securityContext', change.podSecurityContext);
        appendTo(view.spec as Record<string, unknown>, 'volumes', change.volumes);
        expect(diffView(pod, view)).toEqual(compare(before, view));
      }),
      { numRuns: RUNS },
    );
  });

  test('an unchanged view gives no operation, and absent or null lists are walked as compare() walks them', () => {
    const pod = { spec: { containers: null, initContainers: [{ name: 'a' }], volumes: null } };
    expect(diffView(pod, project(pod))).toEqual([]);
    const view = project(pod);
    view.spec.volumes = [{ name: 'v' }];
    (view.spec.initContainers as Array<Record<string, unknown>>)[0] = { securityContext: { privileged: false } };
    expect(diffView(pod, view)).toEqual(compare(project(pod), view));
  });
});
