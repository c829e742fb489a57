/**
 * Client authentication: with --client-ca-file, the review port takes only
 * callers with a client certificate from that CA — checked in the TLS
 * handshake, so anyone else never gets to send a byte of HTTP — while health
 * and metrics stay reachable on the probe port; the CA file is reloaded.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import { generateClientCerts, type ClientCerts } from '../helpers/client-certs.js';
import { until } from '../helpers/eventually.js';
import { send } from '../helpers/https.js';
import { pod } from '../helpers/pods.js';
import { reviewOf } from '../helpers/reviews.js';
import { startTestWebhook, type TestWebhook } from '../helpers/webhook.js';

/** A review POSTed with (or without) a client certificate: the status, or the error the client saw. */
function review(port: number, servingCa: string, uid: string, client?: { cert: string; key: string }): Promise<string> {
  const body = JSON.stringify(reviewOf(pod(), { uid }));
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/mutate', method: 'POST', ca: servingCa, agent: false, ...client, headers: { 'Content-Type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(String(res.statusCode)));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(`refused: ${error.code ?? error.message}`));
    req.end(body);
  });
}

describe('client authentication', () => {
  let certs: ClientCerts;
  let other: ClientCerts;
  let hook: TestWebhook;
  beforeAll(async () => {
    certs = await generateClientCerts(join(mkdtempSync(join(tmpdir(), 'ph-client-')), 'certs'));
    other = await generateClientCerts(join(mkdtempSync(join(tmpdir(), 'ph-other-')), 'certs'));
    hook = await startTestWebhook({
      serve: { tlsCertFile: join(certs.dir, 'tls.crt'), tlsKeyFile: join(certs.dir, 'tls.key'), clientCaFile: certs.caFile, probePort: 0, reloadIntervalSeconds: 0.2 },
    });
  });
  afterAll(async () => {
    await hook.stop();
  });

  const decisions = (uid: string): number => hook.records().filter((r) => r.type === 'decision' && r.uid === uid).length;

  test('a caller with a certificate from the client CA is reviewed', async () => {
    expect(await review(hook.webhook.port, certs.servingCa, 'trusted', certs)).toBe('200');
    expect(decisions('trusted')).toBe(1);
  });

  test('no certificate, or one from another CA: refused in the TLS handshake, and no decision record written', async () => {
    expect(await review(hook.webhook.port, certs.servingCa, 'anonymous')).toMatch(/^refused: /);
    expect(await review(hook.webhook.port, certs.servingCa, 'stranger', other)).toMatch(/^refused: /);
    expect(decisions('anonymous') + decisions('stranger')).toBe(0);
  });

  test('health, readiness and metrics answer on the probe port without a certificate; the probe port serves no reviews', async () => {
    const probe = `https://127.0.0.1:${hook.webhook.probePort}`;
    for (const path of ['/healthz', '/readyz', '/metrics']) expect((await send(`${probe}${path}`, { ca: certs.servingCa })).status).toBe(200);
    expect((await send(`${probe}/mutate`, { method: 'POST', ca: certs.servingCa, body: '{}', headers: { 'Content-Type': 'application/json' } })).status).toBe(404);
  });

  test('a rotated client CA file is reloaded: the new CA is trusted, the old one no longer', async () => {
    // generate.sh makes the client CA once; a new directory is a new CA, copied over the file the webhook reads.
    copyFileSync(other.caFile, certs.caFile);
    await until('the client CA reload', () => hook.records().some((r) => r.message === 'client CA reloaded; new connections are checked against it'));
    expect(await review(hook.webhook.port, certs.servingCa, 'new-ca', other)).toBe('200');
    expect(await review(hook.webhook.port, certs.servingCa, 'old-ca', certs)).toMatch(/^refused: /);
  });
});
