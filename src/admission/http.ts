/**
 * The review endpoint at the HTTP level: POST only, JSON only, a bounded
 * body, then the review. Served straight from Node's request, not through
 * Express's router and body parser: measured, those cost more than half of the
 * throughput of the whole review path (README, Performance). Every outcome is
 * an answer; nothing here throws.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkContentType } from './decode.js';
import { HttpError, methodNotAllowed, payloadTooLarge } from './errors.js';
import { handleAdmission, type AdmissionDeps } from './handler.js';
import { reviewJson } from './response.js';

export interface AdmissionHttpDeps extends AdmissionDeps {
  maxRequestBytes: number;
}

function sendJson(res: ServerResponse, status: number, text: string, headers: Readonly<Record<string, string>> = {}): void {
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, error: HttpError): void {
  sendJson(res, error.status, JSON.stringify({ error: { code: error.code, message: error.message } }), error.headers);
}

/** Reads the body, refusing it (413) past the limit — early when Content-Length says so. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(payloadTooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(payloadTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (Number.isFinite(declared) && declared !== size) reject(new HttpError(400, 'BadRequest', 'request body length does not match its Content-Length'));
      else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
    req.on('error', () => reject(new HttpError(400, 'BadRequest', 'request body was not received completely')));
  });
}

export async function serveAdmission(req: IncomingMessage, res: ServerResponse, deps: AdmissionHttpDeps): Promise<void> {
  try {
    if (req.method !== 'POST') throw methodNotAllowed('POST');
    checkContentType(req.headers['content-type']);
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding !== 'identity') throw new HttpError(415, 'UnsupportedMediaType', 'compressed request bodies are not accepted');
    const body = await readBody(req, deps.maxRequestBytes);
    sendJson(res, 200, reviewJson(await handleAdmission(body, deps)));
  } catch (error) {
    if (error instanceof HttpError) {
      if (error.status !== 405) deps.metrics.observeError('bad_request');
      // A body cut off at the limit is not read further; the connection ends with the answer.
      if (error.status === 413) res.setHeader('Connection', 'close');
      sendError(res, error);
      return;
    }
    deps.logger.error('unexpected error serving a review', { error: error instanceof Error ? error.message : String(error) });
    deps.metrics.observeError('internal');
    if (!res.headersSent) sendError(res, new HttpError(500, 'InternalError', 'internal error'));
    else res.destroy();
  }
}
