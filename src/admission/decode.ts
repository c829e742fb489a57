/**
 * Turns a request body into an AdmissionReview request, or a 4xx HttpError
 * that says exactly what is wrong. Nothing of the body is echoed back beyond
 * the name of the field at fault.
 */
import type { AdmissionRequest } from '../engine/admission-request.js';
import { isObject } from '../engine/pod.js';
import { badRequest, unsupportedMediaType } from './errors.js';

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';

export function checkContentType(contentType: string | undefined): void {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw unsupportedMediaType(contentType);
}

/** What V8's JSON.parse messages say went wrong, in words that quote nothing of the body. */
const JSON_PROBLEMS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^Unexpected end of JSON input/, 'it ends too early'],
  [/^Unexpected non-whitespace character after JSON/, 'more data follows the JSON value'],
  [/^Bad control character in string literal/, 'a string holds a control character'],
  [/^Bad (Unicode )?escape/, 'a string holds a bad escape'],
  [/^Unterminated string/, 'a string is not terminated'],
  [/^(Unexpected token|Unexpected number|Unexpected string|Expected)/, 'an unexpected character'],
];

/**
 * What is wrong with the JSON and where, without what JSON.parse saw: V8's
 * message quotes an excerpt of the body ("Unexpected token 's', "{"a":
 * secret..." is not valid JSON"), and the body is the client's data, which
 * an error answer never echoes.
 */
function describeJsonError(message: string): string {
  const problem = JSON_PROBLEMS.find(([pattern]) => pattern.test(message))?.[1] ?? 'it cannot be parsed';
  const position = /at position (\d+)/.exec(message)?.[1];
  return position === undefined ? problem : `${problem}, at character ${position}`;
}

export function decodeAdmissionReview(body: Buffer): AdmissionRequest {
  if (body.length === 0) throw badRequest('request body is empty; expected an AdmissionReview');
  let review: unknown;
  try {
    review = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw badRequest(`request body is not valid JSON: ${describeJsonError((error as Error).message)}`);
  }
  if (!isObject(review)) throw badRequest('request body must be a JSON object (an AdmissionReview)');
  if (review.kind !== 'AdmissionReview') throw badRequest('kind must be "AdmissionReview"');
  if (review.apiVersion !== ADMISSION_API_VERSION) {
    throw badRequest(`apiVersion must be "${ADMISSION_API_VERSION}" (the webhook speaks admissionReviewVersions ["v1"])`);
  }
  const request = review.request;
  if (!isObject(request)) throw badRequest('request is missing or not an object');
  if (typeof request.uid !== 'string' || request.uid === '') throw badRequest('request.uid is missing or not a non-empty string');
  if (request.uid.length > 256) throw badRequest('request.uid is longer than 256 characters');
  return request as unknown as AdmissionRequest;
}
