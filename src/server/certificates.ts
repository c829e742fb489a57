/**
 * The serving certificate: read from PEM files (and checked: parseable, key
 * matching), or for local use a self-signed pair for localhost/127.0.0.1/::1,
 * generated at start and written where the user can point curl at it.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { ConfigError } from '../config/errors.js';

export interface KeyPair {
  cert: string;
  key: string;
}

export interface CertificateSummary {
  subject: string;
  subjectAltName: string | undefined;
  notAfter: string;
  fingerprint256: string;
}

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the TLS ${what} file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** Checks that a pair can serve: both parse, and the key belongs to the (first) certificate. */
export function checkKeyPair(pair: KeyPair, source: string): CertificateSummary {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pair.cert);
  } catch (error) {
    throw new ConfigError(`${source}: the certificate is not a valid PEM certificate (${(error as Error).message})`);
  }
  let matches: boolean;
  try {
    matches = certificate.checkPrivateKey(createPrivateKey(pair.key));
  } catch (error) {
    throw new ConfigError(`${source}: the key is not a valid PEM private key (${(error as Error).message})`);
  }
  if (!matches) throw new ConfigError(`${source}: the private key does not belong to the certificate`);
  return {
    subject: certificate.subject.replace(/\n/g, ', '),
    subjectAltName: certificate.subjectAltName,
    notAfter: new Date(certificate.validTo).toISOString(),
    fingerprint256: certificate.fingerprint256,
  };
}

export function loadKeyPair(certFile: string, keyFile: string): { pair: KeyPair; summary: CertificateSummary } {
  const pair = { cert: readPem(certFile, 'certificate'), key: readPem(keyFile, 'key') };
  return { pair, summary: checkKeyPair(pair, `${certFile} / ${keyFile}`) };
}

export function selfSignedDirectory(): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return join(tmpdir(), `pod-hardener-${uid}`);
}

/** A fresh self-signed pair for local use, written to `directory` (tls.crt, tls.key). */
export async function createSelfSignedPair(directory = selfSignedDirectory()): Promise<{ pair: KeyPair; certFile: string; keyFile: string }> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 30 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  });
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const certFile = join(directory, 'tls.crt');
  const keyFile = join(directory, 'tls.key');
  writeFileSync(certFile, pems.cert);
  writeFileSync(keyFile, pems.private, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  return { pair: { cert: pems.cert, key: pems.private }, certFile, keyFile };
}
