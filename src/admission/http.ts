/**
 * The review endpoint at the HTTP level: POST only, within the server's load
 * bounds, JSON only, a bounded body, then the review. Served straight from
 * Node's request, not through Express's router and body parser: measured,
 * those cost more than half of the throughput of the whole review path
 * (README, Performance). A read body waits for the end of the event loop's
 * turn, so the reviews of a turn run together (turn.ts). Every outcome is an
 * answer; nothing here throws.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerThenDiscard, readBody } from './body.js';
import { checkContentType } from './decode.js';
import { HttpError, methodNotAllowed, OverloadError } from './errors.js';
import { handleAdmission, type AdmissionDeps } from './handler.js';
import type { LoadLimiter, ReviewSlot } from './load-limit.js';
import { reviewJson } from './response.js';
import { endOfTurn } from './turn.js';

export interface AdmissionHttpDeps extends AdmissionDeps {
  maxRequestBytes: number;
  /** Bounds on reviews and body bytes in progress. */
  load: LoadLimiter;
}

function sendJson(res: ServerResponse, status: number, text: string, headers: Readonly<Record<string, string>> = {}): void {
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function errorJson(error: HttpError): string {
  return JSON.stringify({ error: { code: error.code, message: error.message } });
}

export function sendError(res: ServerResponse, error: HttpError): void {
  sendJson(res, error.status, errorJson(error), error.headers);
}

/** A client's error (4xx), counted and answered; a body not read to its end is read and thrown away first. */
function refuse(req: IncomingMessage, res: ServerResponse, error: HttpError, deps: AdmissionHttpDeps): void {
  if (error instanceof OverloadError) deps.metrics.observeOverload(error.overload);
  else if (error.status !== 405) deps.metrics.observeError('bad_request');
  if (req.complete) sendError(res, error);
  else answerThenDiscard(req, res, error.status, errorJson(error), error.headers, deps.maxRequestBytes, (bytes) => deps.load.discard(bytes));
}

async function review(req: IncomingMessage, res: ServerResponse, deps: AdmissionHttpDeps, slot: ReviewSlot): Promise<void> {
  checkContentType(req.headers['content-type']);
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding !== 'identity') throw new HttpError(415, 'UnsupportedMediaType', 'compressed request bodies are not accepted');
  const body = await readBody(req, deps.maxRequestBytes, slot);
  // The review's time counts from here, its wait for the turn's batch included.
  const received = process.hrtime.bigint();
  await endOfTurn();
  sendJson(res, 200, reviewJson(await handleAdmission(body, deps, received)));
}

export async function serveAdmission(req: IncomingMessage, res: ServerResponse, deps: AdmissionHttpDeps): Promise<void> {
  if (req.method !== 'POST') return refuse(req, res, methodNotAllowed('POST'), deps);
  const slot = deps.load.admit();
  if (typeof slot === 'string') return refuse(req, res, new OverloadError(slot), deps);
  try {
    await review(req, res, deps, slot);
  } catch (error) {
    if (error instanceof HttpError) return refuse(req, res, error, deps);
    deps.logger.error('unexpected error serving a review', { error: error instanceof Error ? error.message : String(error) });
    deps.metrics.observeError('internal');
    if (!res.headersSent) sendError(res, new HttpError(500, 'InternalError', 'internal error'));
    else res.destroy();
  } finally {
    slot.release();
  }
}
