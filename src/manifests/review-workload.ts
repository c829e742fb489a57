/**
 * Reviews one manifest object as the webhook would review a pod created from
 * it: finds its pod template, asks the engine, and says where the patch goes.
 */
import type { Operation } from 'fast-json-patch';
import type { Policy } from '../config/policy.js';
import { podCreateRequest, type AdmissionRequest } from '../engine/admission-request.js';
import { reviewAdmission } from '../engine/review.js';
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

export interface ReviewSink {
  policy: Policy;
  workloads: WorkloadResult[];
  warnings: string[];
}

export function where(place: Place): string {
  return `${place.file} document ${place.document}${place.item === undefined ? '' : ` item ${place.item}`}`;
}

function podRequest(object: Record<string, unknown>, pod: unknown): AdmissionRequest {
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : 'default';
  return podCreateRequest(pod, { uid: 'pod-hardener-harden', namespace, dryRun: true });
}

/** The pod a template stands for: its metadata and spec, as the controller would create it. */
function podOf(template: Record<string, unknown>): Record<string, unknown> {
  const pod: Record<string, unknown> = { apiVersion: 'v1', kind: 'Pod' };
  if ('metadata' in template) pod.metadata = template.metadata;
  pod.spec = template.spec;
  return pod;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reviews `object` (a document, or an item of a List found at `base`); returns the patches to write, none if nothing changes. */
export function reviewObject(object: unknown, base: readonly (string | number)[], place: Place, sink: ReviewSink): PlacedWorkload[] {
  if (!isObject(object)) throw new ManifestError(`${where(place)}: not an object (a Kubernetes manifest is a mapping with apiVersion and kind)`);
  if (object.kind === 'List' && Array.isArray(object.items)) {
    return object.items.flatMap((entry, index) => reviewObject(entry, [...base, 'items', index], { ...place, item: index + 1 }, sink));
  }
  const templatePath = podTemplatePath(object.kind);
  if (!templatePath) return [];
  const name = getPath(object, ['metadata', 'name']);
  const label = `${where(place)} (${String(object.kind)} ${typeof name === 'string' ? name : '(unnamed)'})`;
  const template = getPath(object, templatePath);
  if (!isObject(template)) throw new ManifestError(`${label}: ${templatePath.join('.') || 'the pod'} must be an object`);
  const decision = reviewAdmission(podRequest(object, podOf(template)), { policy: sink.policy });
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
