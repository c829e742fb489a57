/** Client-authentication material for tests, made by certs/generate.sh --client-cert (so the script is tested too). */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pod } from './pods.js';
import { reviewOf } from './reviews.js';

export interface ClientCerts {
  dir: string;
  /** The client CA the webhook trusts (--client-ca-file). */
  caFile: string;
  /** The serving CA the caller trusts. */
  servingCa: string;
  cert: string;
  key: string;
}

/** What generate.sh --client-cert wrote in `dir`, as it is now. */
export function readClientCerts(dir: string): ClientCerts {
  const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
  return { dir, caFile: join(dir, 'client-ca.crt'), servingCa: read('ca.crt'), cert: read('apiserver-client.crt'), key: read('apiserver-client.key') };
}

/** Runs generate.sh --client-cert in `dir` (a second run keeps the CAs and makes new leaf certificates). */
export async function generateClientCerts(dir: string): Promise<ClientCerts> {
  await promisify(execFile)(new URL('../../certs/generate.sh', import.meta.url).pathname, ['--dir', dir, '--san', 'IP:127.0.0.1', '--client-cert']);
  return readClientCerts(dir);
}

/** A review POSTed straight to the webhook with (or without) a client certificate: the status, or "refused: CODE" when the connection failed. */
export function reviewAs(port: number, servingCa: string, uid: string, client?: { cert: string; key: string }): Promise<string> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/mutate', method: 'POST', ca: servingCa, agent: false, ...client, headers: { 'Content-Type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(String(res.statusCode)));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(`refused: ${error.code ?? error.message}`));
    req.end(JSON.stringify(reviewOf(pod(), { uid })));
  });
}
