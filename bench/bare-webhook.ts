/**
 * The floor of any Node.js webhook, for bench:apiserver: a plain HTTPS server
 * that parses the API server's review (JSON.parse), echoes its uid and answers
 * a patch fixed in advance — no engine, no log, no metrics. Its CPU per review
 * is what TLS, HTTP and JSON cost a Node process at the rate the API server
 * calls it; pod-hardener's figure beyond it is our code.
 *
 * The path says which patch, so the API server's cost can be read per patch
 * shape with everything else equal (bench/patch-shapes.ts):
 *   /none        allowed, no patch: the cost of calling a webhook at all
 *   /annotation  one small operation: the cost of any mutation
 *   /ops         pod-hardener's patch for the typical pod, as it is
 *   /coarse      the same change in four whole-list operations
 *
 *   node bare-webhook.js CERT KEY PATCHES_FILE   (prints its port)
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { answerFor, type PatchShapes } from './patch-shapes.js';

const [certFile, keyFile, patchesFile] = process.argv.slice(2);
if (!certFile || !keyFile || !patchesFile) throw new Error('usage: bare-webhook CERT KEY PATCHES_FILE');
const shapes = JSON.parse(readFileSync(patchesFile, 'utf8')) as PatchShapes;

const server = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile), minVersion: 'TLSv1.2' }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request?: { uid?: string; object?: unknown } };
    const shape = (req.url ?? '').split('?')[0]?.slice(1) ?? '';
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: answerFor(shapes, shape, review.request ?? {}) }));
  });
});
// Longer than the API server's 90 s idle timeout, as pod-hardener's (src/server/server.ts): the client closes first.
server.keepAliveTimeout = 120_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
