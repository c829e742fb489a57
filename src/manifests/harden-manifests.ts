/**
 * Hardens Kubernetes manifests offline with the webhook's own engine: each
 * pod template is reviewed as the webhook would review a pod created from it.
 * Pure: text in, text out, no I/O.
 */
import type { Operation } from 'fast-json-patch';
import { isMap, parseAllDocuments, type Document, type ParsedNode } from 'yaml';
import type { Policy } from '../config/policy.js';
import { podCreateRequest, type AdmissionRequest } from '../engine/admission-request.js';
import { reviewAdmission } from '../engine/review.js';
import { preserveFormatting } from './preserve-format.js';
import { applyPatchToYaml } from './yaml-patch.js';
import { getPath, podTemplatePath } from './workloads.js';

export interface ManifestInput {
  /** The file name, or "stdin", used in messages. */
  name: string;
  text: string;
}

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

export interface HardenedFile {
  name: string;
  original: string;
  hardened: string;
}

export interface HardenResult {
  files: HardenedFile[];
  workloads: WorkloadResult[];
  /** "file document 2 (Deployment web): …" */
  warnings: string[];
  changed: boolean;
}

export class ManifestError extends Error {}

/** Kubernetes reads manifests as YAML 1.1 (sigs.k8s.io/yaml), so yes/no/on/off are booleans here too. */
const YAML_OPTIONS = { version: '1.1' as const, prettyErrors: true, maxAliasCount: 1000 };

function where(file: string, document: number, item?: number): string {
  return `${file} document ${document}${item === undefined ? '' : ` item ${item}`}`;
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

interface Context {
  policy: Policy;
  file: string;
  document: number;
  workloads: WorkloadResult[];
  warnings: string[];
}

/** Hardens one object (a document, or an item of a List) found at `base` in `doc`. */
function hardenObject(doc: Document<ParsedNode>, base: readonly (string | number)[], object: unknown, context: Context, item?: number): boolean {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    throw new ManifestError(`${where(context.file, context.document, item)}: not an object (a Kubernetes manifest is a mapping with apiVersion and kind)`);
  }
  const record = object as Record<string, unknown>;
  if (record.kind === 'List' && Array.isArray(record.items)) {
    let changed = false;
    record.items.forEach((entry, index) => {
      changed = hardenObject(doc, [...base, 'items', index], entry, context, index + 1) || changed;
    });
    return changed;
  }
  const templatePath = podTemplatePath(record.kind);
  if (!templatePath) return false;
  const template = getPath(record, templatePath);
  const label = `${where(context.file, context.document, item)} (${String(record.kind)} ${String(getPath(record, ['metadata', 'name']) ?? '(unnamed)')})`;
  if (typeof template !== 'object' || template === null || Array.isArray(template)) {
    throw new ManifestError(`${label}: ${templatePath.join('.') || 'the pod'} must be an object`);
  }
  const decision = reviewAdmission(podRequest(record, podOf(template as Record<string, unknown>)), { policy: context.policy });
  if (decision.outcome === 'skipped' && decision.skipReason?.startsWith('malformed pod')) {
    const field = templatePath.length > 0 ? `${templatePath.join('.')}.` : '';
    throw new ManifestError(`${label}: ${decision.skipReason.replace('request.object.', field).replace('request.object', templatePath.join('.') || 'the pod')}`);
  }
  if (decision.outcome === 'skipped') context.warnings.push(`${label}: not hardened: ${decision.skipReason ?? 'skipped'}`);
  for (const warning of decision.warnings) context.warnings.push(`${label}: ${warning.replace(/^pod-hardener: /, '')}`);
  const result: WorkloadResult = {
    file: context.file,
    document: context.document,
    kind: String(record.kind),
    name: String(getPath(record, ['metadata', 'name']) ?? ''),
    templatePath: templatePath.length === 0 ? '' : `/${templatePath.join('/')}`,
    patch: decision.patch,
  };
  if (item !== undefined) result.item = item;
  context.workloads.push(result);
  if (decision.patch.length === 0) return false;
  applyPatchToYaml(doc, [...base, ...templatePath], decision.patch);
  return true;
}

function hardenFile(input: ManifestInput, policy: Policy, workloads: WorkloadResult[], warnings: string[]): HardenedFile {
  const docs = parseAllDocuments(input.text, YAML_OPTIONS);
  // Each document's text runs from the end of the one before to its own end;
  // unchanged documents are copied as they were, byte for byte.
  let output = '';
  docs.forEach((doc, index) => {
    const document = index + 1;
    const start = index === 0 ? 0 : (docs[index - 1]?.range[2] ?? 0);
    const end = index === docs.length - 1 ? input.text.length : doc.range[2];
    if (doc.errors.length > 0) {
      throw new ManifestError(`${where(input.name, document)}: invalid YAML: ${doc.errors[0]?.message ?? 'parse error'}`);
    }
    const value: unknown = doc.toJS({ maxAliasCount: YAML_OPTIONS.maxAliasCount });
    const changed = value !== null && value !== undefined && hardenObject(doc, [], value, { policy, file: input.name, document, workloads, warnings });
    if (!changed) {
      output += input.text.slice(start, end);
      return;
    }
    if (!isMap(doc.contents)) throw new ManifestError(`${where(input.name, document)}: not an object`);
    if (output !== '' && !output.endsWith('\n')) output += '\n';
    output += preserveFormatting(input.text.slice(start, end), doc.toString({ lineWidth: 0, flowCollectionPadding: false }));
  });
  return { name: input.name, original: input.text, hardened: output };
}

export function hardenManifests(inputs: readonly ManifestInput[], policy: Policy): HardenResult {
  const workloads: WorkloadResult[] = [];
  const warnings: string[] = [];
  const files = inputs.map((input) => hardenFile(input, policy, workloads, warnings));
  return { files, workloads, warnings, changed: workloads.some((w) => w.patch.length > 0) };
}
