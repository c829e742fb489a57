/** Checks the tests share: what a hardened file must parse to, document by document. */
import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { parseAllDocuments } from 'yaml';
import type { HardenResult, WorkloadResult } from '../../../src/manifests/harden-manifests.js';

const { applyPatch, deepClone } = fastJsonPatch;

/** Each document's data, as JSON has it (YAML 1.1 reads some scalars as dates). */
export function documentsOf(text: string): unknown[] {
  return parseAllDocuments(text, { version: '1.1' }).map((doc) => JSON.parse(JSON.stringify(doc.toJS() ?? null)) as unknown);
}

/** The patch of a workload with paths from its document's root. */
export function placedOperations(workload: WorkloadResult): Operation[] {
  const item = workload.item === undefined ? '' : `/items/${workload.item - 1}`;
  return workload.patch.map((op) => ({ ...op, path: `${item}${workload.templatePath}${op.path}` }));
}

/** What each document of `input` becomes when the engine's patches are applied to its data: what the hardened text must parse to. */
export function expectedDocuments(input: string, file: string, result: HardenResult): unknown[] {
  return documentsOf(input).map((data, index) => {
    const operations = result.workloads.filter((w) => w.file === file && w.document === index + 1).flatMap(placedOperations);
    return operations.length === 0 ? data : applyPatch(deepClone(data), operations, false, false).newDocument;
  });
}

export function fileOperations(result: HardenResult, file: string): Operation[] {
  return result.workloads.filter((w) => w.file === file).flatMap((w) => w.patch);
}
