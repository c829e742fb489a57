import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { checkKeyPair, createSelfSignedPair } from '../../../src/server/certificates.js';

describe('certificates', () => {
  test('the generated pair is for localhost, 127.0.0.1 and ::1, with a private key file only the owner can read', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'ph-certs-'));
    const { pair, certFile, keyFile } = await createSelfSignedPair(directory);
    const certificate = new X509Certificate(readFileSync(certFile));
    expect(certificate.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(checkKeyPair(pair, 'generated').subjectAltName).toContain('127.0.0.1');
  });

  test('a key that belongs to another certificate is refused', async () => {
    const one = await createSelfSignedPair(mkdtempSync(join(tmpdir(), 'ph-certs-')));
    const two = await createSelfSignedPair(mkdtempSync(join(tmpdir(), 'ph-certs-')));
    expect(() => checkKeyPair({ cert: one.pair.cert, key: two.pair.key }, 'mixed')).toThrow(/mixed: the private key does not belong to the certificate/);
    expect(() => checkKeyPair({ cert: 'not a certificate', key: one.pair.key }, 'junk')).toThrow(/junk: the certificate is not a valid PEM certificate/);
    expect(() => checkKeyPair({ cert: one.pair.cert, key: 'not a key' }, 'junk')).toThrow(/junk: the key is not a valid PEM private key/);
  });
});
