/**
 * Client authentication: with --client-ca-file, the review port takes only
 * callers with a client certificate from that CA — checked in the TLS
 * handshake, so anyone else never gets to send a byte of HTTP — while health
 * and metrics stay reachable on the probe port; the CA file is reloaded.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateClientCerts, reviewAs, type ClientCerts } from '../helpers/client-certs.js';
import { until } from '../helpers/eventually.js';
import { send } from '../helpers/https.js';
import { startTestWebhook, type TestWebhook } from '../helpers/webhook.js';

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

  const decisions = async (uid: string): Promise<number> => (await hook.records()).filter((r) => r.type === 'decision' && r.uid === uid).length;

  test('a caller with a certificate from the client CA is reviewed', async () => {
    expect(await reviewAs(hook.webhook.port, certs.servingCa, 'trusted', certs)).toBe('200');
    expect(await decisions('trusted')).toBe(1);
  });

  test('no certificate, or one from another CA: refused in the TLS handshake, and no decision record written', async () => {
    expect(await reviewAs(hook.webhook.port, certs.servingCa, 'anonymous')).toMatch(/^refused: /);
    expect(await reviewAs(hook.webhook.port, certs.servingCa, 'stranger', other)).toMatch(/^refused: /);
    expect((await decisions('anonymous')) + (await decisions('stranger'))).toBe(0);
    const metrics = (await send(`https://127.0.0.1:${hook.webhook.probePort}/metrics`, { ca: certs.servingCa })).text;
    expect(Number(/^pod_hardener_tls_handshake_failures_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
  });

  test('health, readiness and metrics answer on the probe port without a certificate; the probe port serves no reviews', async () => {
    const probe = `https://127.0.0.1:${hook.webhook.probePort}`;
    for (const path of ['/healthz', '/readyz', '/metrics']) expect((await send(`${probe}${path}`, { ca: certs.servingCa })).status).toBe(200);
    expect((await send(`${probe}/mutate`, { method: 'POST', ca: certs.servingCa, body: '{}', headers: { 'Content-Type': 'application/json' } })).status).toBe(404);
  });

  test('a rotated client CA file is reloaded: the new CA is trusted, the old one no longer', async () => {
    // generate.sh makes the client CA once; a new directory is a new CA, copied over the file the webhook reads.
    copyFileSync(other.caFile, certs.caFile);
    await until('the client CA reload', async () => (await hook.records()).some((r) => r.message === 'client CA reloaded; new connections are checked against it'));
    expect(await reviewAs(hook.webhook.port, certs.servingCa, 'new-ca', other)).toBe('200');
    expect(await reviewAs(hook.webhook.port, certs.servingCa, 'old-ca', certs)).toMatch(/^refused: /);
  });
});
