/**
 * pod-hardener's own HTTPS server and review path (src/server, src/admission)
 * with parts left out, to show where the time goes between the bare server and
 * the whole webhook:
 *
 *   node layer-server.js CERT KEY BODY_FILE [--no-engine] [--no-log]
 *
 * --no-engine: the engine does not run; every review gets the decision made
 *   once, at start, for BODY_FILE's review (the answer's bytes are the same).
 * --no-log: no decision records are written.
 * Metrics, the answer, the patch text and the record are built as usual.
 * Prints its port.
 */
import { readFileSync } from 'node:fs';
import { SERVE_DEFAULTS } from '../src/config/serve-options.js';
import { decodeAdmissionReview } from '../src/admission/decode.js';
import { reviewAdmission } from '../src/engine/review.js';
import { createLogger, silentLogger } from '../src/logging/logger.js';
import { createMetrics } from '../src/metrics/metrics.js';
import { loadKeyPair } from '../src/server/certificates.js';
import { startServer } from '../src/server/server.js';
import { LoadLimiter } from '../src/admission/load-limit.js';
import { BENCH_POLICY } from './policy.js';

const [certFile, keyFile, bodyFile, ...flags] = process.argv.slice(2);
if (!certFile || !keyFile || !bodyFile) throw new Error('usage: layer-server CERT KEY BODY_FILE [--no-engine] [--no-log]');
const decision = reviewAdmission(decodeAdmissionReview(readFileSync(bodyFile)), { policy: BENCH_POLICY });

const server = await startServer(
  { port: 0, host: '127.0.0.1', keyPair: loadKeyPair(certFile, keyFile).pair, requestTimeoutMs: SERVE_DEFAULTS.requestTimeoutSeconds * 1000 },
  {
    policy: () => BENCH_POLICY,
    namespace: async () => undefined,
    extraExcludedNamespaces: [],
    // The log goes to stdout, as pod-hardener's does.
    logger: flags.includes('--no-log') ? silentLogger : createLogger({ level: 'warn' }),
    metrics: createMetrics({ version: 'bench' }),
    maxRequestBytes: SERVE_DEFAULTS.maxRequestBytes,
    load: new LoadLimiter(SERVE_DEFAULTS),
    readiness: { notReadyReason: () => undefined },
    ...(flags.includes('--no-engine') ? { review: () => decision } : {}),
  },
);
process.stderr.write(`${server.address().port}\n`);
process.on('SIGTERM', () => void server.close(1000).then(() => process.exit(0)));
