/**
 * The AdmissionReview responses the webhook sends, built only here. The uid is
 * always echoed; a patch is attached only when there is one.
 */
import { ADMISSION_API_VERSION } from './decode.js';

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  patchType?: 'JSONPatch';
  patch?: string;
  warnings?: string[];
  status?: { code: number; message: string };
}

export interface AdmissionReviewResponse {
  apiVersion: typeof ADMISSION_API_VERSION;
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

function wrap(response: AdmissionResponse): AdmissionReviewResponse {
  return { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', response };
}

function withWarnings(response: AdmissionResponse, warnings: readonly string[]): AdmissionResponse {
  if (warnings.length > 0) response.warnings = [...warnings];
  return response;
}

/** Allowed as it is. */
export function allowed(uid: string, warnings: readonly string[] = []): AdmissionReviewResponse {
  return wrap(withWarnings({ uid, allowed: true }, warnings));
}

/**
 * Allowed with a JSON Patch, given as its JSON text (serialized once: the
 * decision record reuses it); no patch is the same as `allowed`.
 */
export function patchedFromJson(uid: string, patchJson: string | undefined, warnings: readonly string[] = []): AdmissionReviewResponse {
  if (patchJson === undefined) return allowed(uid, warnings);
  const response: AdmissionResponse = { uid, allowed: true, patchType: 'JSONPatch', patch: Buffer.from(patchJson).toString('base64') };
  return wrap(withWarnings(response, warnings));
}

/** Denied, with the HTTP-style code and message the API server shows the user. */
export function denied(uid: string, code: number, message: string, warnings: readonly string[] = []): AdmissionReviewResponse {
  return wrap(withWarnings({ uid, allowed: false, status: { code, message } }, warnings));
}

/**
 * The review as JSON text, as sent. The base64 patch, by far its largest
 * string, needs no escaping (the base64 alphabet has no character JSON
 * escapes), so it is appended as it is instead of being scanned by
 * JSON.stringify, which measured most of the serialization time.
 */
export function reviewJson(review: AdmissionReviewResponse): string {
  const { patch, ...response } = review.response;
  const text = JSON.stringify({ apiVersion: review.apiVersion, kind: review.kind, response });
  return patch === undefined ? text : `${text.slice(0, -2)},"patch":"${patch}"}}`;
}
