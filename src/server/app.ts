/**
 * The HTTP routes. Thin: each one turns HTTP into a call and the result back
 * into HTTP. Admission logic lives in the engine, review plumbing in
 * admission/handler.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { handleAdmission, type AdmissionDeps } from '../admission/handler.js';
import { checkContentType } from '../admission/decode.js';
import { HttpError, methodNotAllowed, notFound, payloadTooLarge } from '../admission/errors.js';

export interface Readiness {
  /** undefined when ready; otherwise why not. */
  notReadyReason(): string | undefined;
}

export interface AppDeps extends AdmissionDeps {
  maxRequestBytes: number;
  readiness: Readiness;
}

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  statusCode?: number;
}

/** The JSON error body every non-200 answer carries. */
function sendError(res: Response, error: HttpError): void {
  res.status(error.status).set(error.headers).json({ error: { code: error.code, message: error.message } });
}

function toHttpError(error: unknown, maxRequestBytes: number): HttpError | undefined {
  if (error instanceof HttpError) return error;
  const parserError = error as BodyParserError;
  if (parserError?.type === 'entity.too.large') return payloadTooLarge(maxRequestBytes);
  if (parserError?.type === 'request.aborted') return new HttpError(400, 'BadRequest', 'request body was not received completely');
  if (parserError?.type === 'request.size.invalid') return new HttpError(400, 'BadRequest', 'request body length does not match its Content-Length');
  if (parserError?.type === 'encoding.unsupported') return new HttpError(415, 'UnsupportedMediaType', 'compressed request bodies are not accepted');
  return undefined;
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  const readBody = express.raw({ limit: deps.maxRequestBytes, type: () => true, inflate: false });
  app.post(
    '/mutate',
    (req, _res, next) => {
      checkContentType(req.get('content-type'));
      next();
    },
    readBody,
    async (req, res) => {
      const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      res.json(await handleAdmission(body, deps));
    },
  );
  app.all('/mutate', () => {
    throw methodNotAllowed('POST');
  });

  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok');
  });
  app.get('/readyz', (_req, res) => {
    const reason = deps.readiness.notReadyReason();
    if (reason === undefined) res.type('text/plain').send('ok');
    else res.status(503).type('text/plain').send(`not ready: ${reason}`);
  });
  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  app.use((req) => {
    throw notFound(req.path);
  });
  app.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    const httpError = toHttpError(error, deps.maxRequestBytes);
    if (res.headersSent) return next(error);
    if (httpError) {
      if (req.path === '/mutate' && httpError.status !== 405) deps.metrics.observeError('bad_request');
      sendError(res, httpError);
      return;
    }
    deps.logger.error('unexpected error serving a request', { path: req.path, error: error instanceof Error ? error.message : String(error) });
    deps.metrics.observeError('internal');
    sendError(res, new HttpError(500, 'InternalError', 'internal error'));
  });
  return app;
}
