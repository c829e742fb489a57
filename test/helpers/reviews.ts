/** AdmissionReview envelopes for HTTP-level tests. */
import type { AdmissionRequest } from '../../src/engine/admission-request.js';
import { createRequest } from './pods.js';

export function admissionReview(request: AdmissionRequest | unknown): Record<string, unknown> {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request };
}

export function reviewOf(object: unknown, extra: Partial<AdmissionRequest> = {}): Record<string, unknown> {
  return admissionReview(createRequest(object, extra));
}

export function decodePatch(response: { patch?: string }): Array<{ op: string; path: string; value?: unknown }> {
  return response.patch ? (JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as Array<{ op: string; path: string; value?: unknown }>) : [];
}
