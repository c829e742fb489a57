/**
 * Reviews one manifest object as the webhook would review a pod created from
 * it: finds its pod template, asks the engine, and says where the patch goes.
 */
import type { Operation } from 'fast-json-patch';
import type { Policy } from '../config/policy.js';
import { podCreateRequest, type AdmissionRequest } from '../engine/admission-request.js';
import type { ImageLookup, ImageLookups } from '../engine/image-facts.js';
import { isObject } from '../engine/pod.js';
import { reviewAdmission } from '../engine/review.js';
import { imagesToLookUp, podPlatform } from '../images/pod-images.js';
import { formatPlatform } from '../images/platform.js';
import { decisionWarnings, malformedPodReason } from './engine-findings.js';
import { ManifestError } from './errors.js';
import { getPath, podTemplatePath } from './workloads.js';
import type { PlacedPatch } from './yaml-text-patch.js';

export interface WorkloadResult {
  file: string;
  /** 1-based position of the YAML document in its file. */
  document: number;
  /** 1-based position in a `kind: List`, when the workload is one of its items. */
  item?: number;
  kind: string;
  name: string;
  /** JSON Pointer of the pod template within the document (or item). */
  templatePath: string;
  patch: Operation[];
}

/** Where an object is: for messages, and for the results. */
export interface Place {
  file: string;
  document: number;
  item?: number;
}

/** A workload's patch, where it goes in the document, and how messages name the workload. */
export interface PlacedWorkload extends PlacedPatch {
  label: string;
}

/**
 * Image lookups for `harden --resolve-images`, read before hardening (the
 * manifests layer reads no registry): per platform (formatPlatform, e.g.
 * "linux/amd64"), the answers by image string.
 */
export type ImageLookupsByPlatform = ReadonlyMap<string, ImageLookups>;

export interface ReviewSink {
  policy: Policy;
  workloads: WorkloadResult[];
  warnings: string[];
  /** Absent: images are not resolved, and runAsNonRoot is decided as before images were read. */
  images?: ImageLookupsByPlatform;
}

/** A pod template found in a manifest object, and how messages name its workload. */
export interface FoundTemplate {
  object: Record<string, unknown>;
  template: Record<string, unknown>;
  templatePath: readonly string[];
  /** Where the object is in its document: [] for the document, ['items', i] for an item of a List. */
  base: readonly (string | number)[];
  place: Place;
  label: string;
}

export function where(place: Place): string {
  return `${place.file} document ${place.document}${place.item === undefined ? '' : ` item ${place.item}`}`;
}

function podRequest(object: Record<string, unknown>, pod: unknown): AdmissionRequest {
  return podCreateRequest(pod, { uid: 'pod-hardener-harden', namespace: namespaceOf(object), dryRun: true });
}

/** The pod a template stands for: its metadata and spec, as the controller would create it. */
function podOf(template: Record<string, unknown>): Record<string, unknown> {
  const pod: Record<string, unknown> = { apiVersion: 'v1', kind: 'Pod' };
  if ('metadata' in template) pod.metadata = template.metadata;
  pod.spec = template.spec;
  return pod;
}

/** The pod templates of `object` (a document, or an item of a List found at `base`), in order; none for kinds without one. */
export function findPodTemplates(object: unknown, base: readonly (string | number)[], place: Place): FoundTemplate[] {
  if (!isObject(object)) throw new ManifestError(`${where(place)}: not an object (a Kubernetes manifest is a mapping with apiVersion and kind)`);
  if (object.kind === 'List' && Array.isArray(object.items)) {
    return object.items.flatMap((entry, index) => findPodTemplates(entry, [...base, 'items', index], { ...place, item: index + 1 }));
  }
  const templatePath = podTemplatePath(object.kind);
  if (!templatePath) return [];
  const name = getPath(object, ['metadata', 'name']);
  const label = `${where(place)} (${String(object.kind)} ${typeof name === 'string' ? name : '(unnamed)'})`;
  const template = getPath(object, templatePath);
  if (!isObject(template)) throw new ManifestError(`${label}: ${templatePath.join('.') || 'the pod'} must be an object`);
  return [{ object, template, templatePath, base, place, label }];
}

/** The namespace a pod created from this object lands in (as the webhook would see it). */
export function namespaceOf(object: Record<string, unknown>): string {
  const namespace = getPath(object, ['metadata', 'namespace']);
  return typeof namespace === 'string' ? namespace : 'default';
}

/**
 * The lookups the webhook would hand the engine for this pod: the images of
 * its platform that imagesToLookUp names, no more: the engine reports an
 * image it was given in the decision (its digest or why it was unreadable),
 * so an image another template needed must not show up in this one's.
 */
function lookupsFor(spec: unknown, images: ImageLookupsByPlatform | undefined): ImageLookups | undefined {
  if (images === undefined || !isObject(spec)) return undefined;
  const all = images.get(formatPlatform(podPlatform(spec)));
  const own = new Map<string, ImageLookup>();
  for (const image of imagesToLookUp(spec)) {
    const lookup = all?.get(image);
    if (lookup !== undefined) own.set(image, lookup);
  }
  return own;
}

/** Reviews `object` (a document, or an item of a List found at `base`); returns the patches to write, none if nothing changes. */
export function reviewObject(object: unknown, base: readonly (string | number)[], place: Place, sink: ReviewSink): PlacedWorkload[] {
  return findPodTemplates(object, base, place).flatMap((found) => reviewTemplate(found, sink));
}

function reviewTemplate({ object, template, templatePath, base, place, label }: FoundTemplate, sink: ReviewSink): PlacedWorkload[] {
  const name = getPath(object, ['metadata', 'name']);
  const images = lookupsFor(template.spec, sink.images);
  const decision = reviewAdmission(podRequest(object, podOf(template)), { policy: sink.policy, ...(images ? { images } : {}) });
  const malformed = malformedPodReason(decision);
  if (malformed !== undefined) {
    const field = templatePath.length > 0 ? `${templatePath.join('.')}.` : '';
    throw new ManifestError(`${label}: ${malformed.replace('request.object.', field).replace('request.object', templatePath.join('.') || 'the pod')}`);
  }
  if (decision.outcome === 'skipped') sink.warnings.push(`${label}: not hardened: ${decision.skipReason ?? 'skipped'}`);
  for (const warning of decisionWarnings(decision)) sink.warnings.push(`${label}: ${warning}`);
  sink.workloads.push({
    file: place.file,
    document: place.document,
    ...(place.item === undefined ? {} : { item: place.item }),
    kind: String(object.kind),
    name: typeof name === 'string' ? name : '',
    templatePath: templatePath.length === 0 ? '' : `/${templatePath.join('/')}`,
    patch: decision.patch,
  });
  return decision.patch.length === 0 ? [] : [{ base: [...base, ...templatePath], operations: decision.patch, label }];
}
