/**
 * Hardens Kubernetes manifests offline with the webhook's own engine: each
 * pod template is reviewed as the webhook would review a pod created from it,
 * and the patch is written into the document's own text. Documents without
 * a change come back byte for byte; in changed ones only the lines that carry
 * the change differ. Pure: text in, text out, no I/O.
 */
import { parseAllDocuments } from 'yaml';
import type { Policy } from '../config/policy.js';
import { ManifestError, TextPatchError } from './errors.js';
import { findPodTemplates, namespaceOf, reviewObject, where, type ImageLookupsByPlatform, type Place, type ReviewSink, type WorkloadResult } from './review-workload.js';
import { repeatedKey } from './duplicate-keys.js';
import { MAX_ALIAS_COUNT, MAX_DOCUMENT_BYTES, MAX_INPUT_BYTES, PARSE_OPTIONS } from './yaml-limits.js';
import { patchDocumentText } from './yaml-text-patch.js';

export { ManifestError } from './errors.js';
export type { ImageLookupsByPlatform, WorkloadResult } from './review-workload.js';

export interface ManifestInput {
  /** The file name, or "stdin", used in messages. */
  name: string;
  text: string;
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

const mebibytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** A JSON document is edited as JSON: what it inserts is JSON too. */
function isJson(text: string): boolean {
  if (!/^\s*[{[]/.test(text)) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The document's data; aliases beyond the limit (a "billion laughs") are an error that names the document. */
function dataOf(doc: ReturnType<typeof parseAllDocuments>[number], place: Place): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ManifestError(`${where(place)}: cannot read: ${message} (at most ${MAX_ALIAS_COUNT} aliased nodes)`);
  }
}

const tooLarge = (what: string, bytes: number): ManifestError =>
  new ManifestError(`${what}: ${mebibytes(bytes)} is more than the ${mebibytes(MAX_DOCUMENT_BYTES)} the API server takes in one object`);

/**
 * Refuses a document above the limit before the input is parsed (parsing
 * takes about half a second a MiB): the text between two lines that start
 * with a document marker (`---`, `...`) holds at most one document.
 */
function checkDocumentSizes(name: string, text: string): void {
  const markers = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)/gm;
  let start = 0;
  let document = 1;
  for (let match = markers.exec(text); ; match = markers.exec(text)) {
    const end = match === null ? text.length : match.index;
    if (end - start > MAX_DOCUMENT_BYTES) throw tooLarge(`${name} near document ${document}`, end - start);
    if (match === null) return;
    if (match[0] === '---' && text.slice(start, end).trim() !== '') document += 1;
    start = end;
  }
}

type ParsedDocument = ReturnType<typeof parseAllDocuments>[number];

/** One document of an input: its own text (the pieces put together are the input), its parse, where it is. */
interface DocumentPart {
  text: string;
  doc: ParsedDocument;
  place: Place;
}

/** A document's data, read under the limits; refused with a message naming it when it is not valid. */
function readDocument({ text, doc, place }: DocumentPart): unknown {
  if (text.length > MAX_DOCUMENT_BYTES) throw tooLarge(where(place), text.length);
  if (doc.errors.length > 0) throw new ManifestError(`${where(place)}: invalid YAML: ${doc.errors[0]?.message ?? 'parse error'}`);
  const repeated = repeatedKey(doc);
  if (repeated !== undefined) throw new ManifestError(`${where(place)}: invalid YAML: the key "${repeated}" appears twice in one map`);
  return dataOf(doc, place);
}

/** One document's text, hardened: the same text when nothing changes. */
function hardenDocument(part: DocumentPart, sink: ReviewSink): string {
  const { text, place } = part;
  let data = readDocument(part);
  if (data === null || data === undefined) return text;
  const patches = reviewObject(data, [], place, sink);
  const json = isJson(text);
  let hardened = text;
  for (const patch of patches) {
    try {
      ({ text: hardened, data } = patchDocumentText(hardened, data, patch, json));
    } catch (error) {
      if (error instanceof TextPatchError) throw new ManifestError(`${patch.label}: cannot write the hardening into the text: ${error.message}`);
      throw error;
    }
  }
  return hardened;
}

/** The documents of one input, parsed under the limits. */
function documentsOf(input: ManifestInput): DocumentPart[] {
  if (input.text.length > MAX_INPUT_BYTES) throw new ManifestError(`${input.name}: ${mebibytes(input.text.length)} is more than the ${mebibytes(MAX_INPUT_BYTES)} harden reads from one input`);
  checkDocumentSizes(input.name, input.text);
  const docs = parseAllDocuments(input.text, { ...PARSE_OPTIONS, prettyErrors: true });
  // Each document's text runs from the end of the one before to its own end
  // (the last one to the end of the input), so the pieces put together are the input.
  let start = 0;
  return docs.map((doc, index) => {
    const end = index === docs.length - 1 ? input.text.length : doc.range[2];
    const part = { text: input.text.slice(start, end), doc, place: { file: input.name, document: index + 1 } };
    start = end;
    return part;
  });
}

function hardenFile(input: ManifestInput, sink: ReviewSink): HardenedFile {
  const parts = documentsOf(input);
  const hardened = parts.map((part) => hardenDocument(part, sink)).join('');
  return { name: input.name, original: input.text, hardened: parts.length === 0 ? input.text : hardened };
}

/** A pod template of the manifests, as `harden --resolve-images` needs it to know what to look up. */
export interface PodTemplateSpec {
  /** "file document 2 (Deployment web)" */
  label: string;
  /** The namespace its pods are created in (metadata.namespace, else "default"). */
  namespace: string;
  /** The template's pod spec as written (user data: read with care). */
  spec: unknown;
}

/**
 * The pod templates of the inputs, found exactly as hardenManifests finds
 * them (same kinds, Lists, limits and errors), so the CLI can look up their
 * images before it hardens. Pure: no registry is read here.
 */
export function podTemplateSpecs(inputs: readonly ManifestInput[]): PodTemplateSpec[] {
  return inputs.flatMap((input) =>
    documentsOf(input).flatMap((part) => {
      const data = readDocument(part);
      if (data === null || data === undefined) return [];
      return findPodTemplates(data, [], part.place).map(({ object, template, label }) => ({ label, namespace: namespaceOf(object), spec: template.spec }));
    }),
  );
}

export interface HardenManifestsOptions {
  /** What each image says about itself, read beforehand (`--resolve-images`); absent: images are not resolved. */
  images?: ImageLookupsByPlatform;
}

export function hardenManifests(inputs: readonly ManifestInput[], policy: Policy, options: HardenManifestsOptions = {}): HardenResult {
  const sink: ReviewSink = { policy, workloads: [], warnings: [], ...(options.images ? { images: options.images } : {}) };
  const files = inputs.map((input) => hardenFile(input, sink));
  return { files, workloads: sink.workloads, warnings: sink.warnings, changed: sink.workloads.some((w) => w.patch.length > 0) };
}
