/**
 * Patches of different shapes for the bare webhook (bench/bare-webhook.ts), to
 * measure what the API server pays per shape, everything else equal:
 * no patch, one small operation, pod-hardener's own patch for the typical pod
 * (one operation per changed field or new object, 18 for the typical pod), and
 * the same change as four whole-list operations (containers, initContainers,
 * volumes, annotations).
 */
import fastJsonPatch, { type Operation } from 'fast-json-patch';

export const PATCH_SHAPES = ['none', 'annotation', 'ops', 'coarse'] as const;
export type PatchShape = (typeof PATCH_SHAPES)[number];

/** What the bare webhook is given: pod-hardener's patch for the typical pod as the benchmark sends it. */
export interface PatchShapes {
  ops: Operation[];
}

interface ReviewRequest {
  uid?: string;
  object?: unknown;
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ANNOTATION: Operation[] = [{ op: 'add', path: '/metadata/annotations/bench.pod-hardener.io~1touched', value: 'true' }];

/**
 * pod-hardener's change as whole lists: its patch applied to the pod the API
 * server sent (which has defaults and the service account's volume the
 * benchmark's pod lacks), then each changed list replaced at once.
 */
function coarse(ops: Operation[], object: unknown): Operation[] {
  const patched = fastJsonPatch.applyPatch(structuredClone(object) as Obj, ops, false, false).newDocument as Obj;
  const lists: Operation[] = (['containers', 'initContainers', 'volumes'] as const)
    .filter((list) => patched.spec?.[list] !== undefined)
    .map((list) => ({ op: 'replace', path: `/spec/${list}`, value: patched.spec[list] }));
  return [...lists, { op: 'replace', path: '/metadata/annotations', value: patched.metadata.annotations }];
}

function patchFor(shapes: PatchShapes, shape: string, object: unknown): Operation[] | undefined {
  switch (shape) {
    case 'annotation':
      return ANNOTATION;
    case 'ops':
      return shapes.ops;
    case 'coarse':
      return coarse(shapes.ops, object);
    default:
      return undefined;
  }
}

/** The AdmissionReview response for `shape`: the uid echoed, allowed, and the shape's patch if it has one. */
export function answerFor(shapes: PatchShapes, shape: string, request: ReviewRequest): Record<string, unknown> {
  const patch = patchFor(shapes, shape, request.object);
  const response: Record<string, unknown> = { uid: request.uid, allowed: true };
  if (patch) Object.assign(response, { patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') });
  return response;
}
