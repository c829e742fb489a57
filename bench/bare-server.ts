/**
 * The bare baseline: a plain Node HTTPS server with the same TLS settings,
 * that reads the body, parses the review (JSON.parse) and answers fixed bytes
 * — the answer pod-hardener gives for that review. What pod-hardener costs
 * beyond it is our code.
 *
 * --batch: each request waits for the end of the event loop's turn before it
 * is parsed and answered, as pod-hardener's reviews do (src/admission/turn.ts),
 * to show what that batching alone is worth to a server that does nothing else.
 *
 *   node bare-server.js CERT KEY RESPONSE_FILE [--batch]   (prints its port)
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';

const [certFile, keyFile, responseFile, ...flags] = process.argv.slice(2);
if (!certFile || !keyFile || !responseFile) throw new Error('usage: bare-server CERT KEY RESPONSE_FILE [--batch]');
const whenDue = flags.includes('--batch') ? (answer: () => void) => void setImmediate(answer) : (answer: () => void) => answer();
const answer = readFileSync(responseFile);

const server = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile), minVersion: 'TLSv1.2' }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () =>
    whenDue(() => {
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request?: { uid?: string } };
      if (!review.request?.uid) res.statusCode = 400;
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.end(answer);
    }),
  );
});
// Longer than the API server's 90 s idle timeout, as pod-hardener's (src/server/server.ts): the client closes first.
server.keepAliveTimeout = 120_000;
server.listen(Number(process.env.BARE_PORT ?? 0), '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
