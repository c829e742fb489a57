/**
 * The operational endpoints — health, readiness, metrics — and every answer
 * for paths that do not exist. POST /mutate is served before this app (see
 * admission/http.ts).
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { sendError } from '../admission/http.js';
import { HttpError, notFound } from '../admission/errors.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/metrics.js';

export interface Readiness {
  /** undefined when ready; otherwise why not. */
  notReadyReason(): string | undefined;
}

export interface AppDeps {
  logger: Logger;
  metrics: Metrics;
  readiness: Readiness;
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

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
    if (res.headersSent) return next(error);
    if (error instanceof HttpError) return sendError(res, error);
    deps.logger.error('unexpected error serving a request', { path: req.path, error: error instanceof Error ? error.message : String(error) });
    sendError(res, new HttpError(500, 'InternalError', 'internal error'));
  });
  return app;
}
