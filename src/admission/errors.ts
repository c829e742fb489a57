/**
 * Errors a client can cause, each with its HTTP status and a stable code.
 * One place (the HTTP adapter) turns them into answers; anything else that is
 * thrown is an internal error.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string): HttpError => new HttpError(400, 'BadRequest', message);

export const payloadTooLarge = (limit: number): HttpError =>
  new HttpError(413, 'PayloadTooLarge', `request body is larger than the limit of ${limit} bytes`);

export const unsupportedMediaType = (type: string | undefined): HttpError =>
  new HttpError(415, 'UnsupportedMediaType', `content type must be application/json, not ${type === undefined || type === '' ? 'none' : JSON.stringify(type.slice(0, 100))}`);

export const methodNotAllowed = (allowed: string): HttpError =>
  new HttpError(405, 'MethodNotAllowed', `method not allowed; use ${allowed}`, { Allow: allowed });

export const notFound = (path: string): HttpError => new HttpError(404, 'NotFound', `no such endpoint: ${path.slice(0, 100)}`);

/** What a review beyond the server's bounds crosses; also the label of the refusals metric. */
export type Overload = 'concurrent_reviews' | 'bytes_in_flight';

const OVERLOAD_REASONS: Readonly<Record<Overload, string>> = {
  concurrent_reviews: 'too many reviews in progress',
  bytes_in_flight: 'too many request bytes in progress',
};

/** A review refused because the server is at one of its load bounds (429); the API server's failurePolicy decides, a retrying client waits Retry-After. */
export class OverloadError extends HttpError {
  constructor(readonly overload: Overload) {
    super(429, 'TooManyRequests', `the webhook is at its load limit (${OVERLOAD_REASONS[overload]}); retry`, { 'Retry-After': '1' });
    this.name = 'OverloadError';
  }
}
