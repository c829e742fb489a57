import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
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

describe('the directory of the generated pair', () => {
  const fresh = (): string => join(mkdtempSync(join(tmpdir(), 'ph-dir-')), 'pod-hardener');

  test('created for this user only (0700) when it does not exist; reused when it is ours', async () => {
    const directory = fresh();
    await createSelfSignedPair(directory);
    expect(statSync(directory).mode & 0o777).toBe(0o700);
    await expect(createSelfSignedPair(directory)).resolves.toBeDefined();
  });

  test('refused when others may enter it', async () => {
    const directory = fresh();
    mkdirSync(directory, { mode: 0o777 });
    chmodSync(directory, 0o777);
    await expect(createSelfSignedPair(directory)).rejects.toThrow(/others may access it \(mode 777; 700 is needed\)/);
  });

  test('refused when it is a symbolic link, even to a directory of ours', async () => {
    const directory = fresh();
    const target = mkdtempSync(join(tmpdir(), 'ph-target-'));
    symlinkSync(target, directory);
    await expect(createSelfSignedPair(directory)).rejects.toThrow(/it is a symbolic link/);
    expect(readdirSync(target)).toEqual([]);
  });

  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  (root ? test : test.skip)('refused when someone else owns it (as root: a directory given to uid 4242)', async () => {
    const directory = fresh();
    mkdirSync(directory, { mode: 0o700 });
    chownSync(directory, 4242, 4242);
    await expect(createSelfSignedPair(directory)).rejects.toThrow(/it belongs to uid 4242, not to this user/);
  });
});
