/**
 * The serving certificate: read from PEM files (and checked: parseable, key
 * matching), or for local use a self-signed pair for localhost/127.0.0.1/::1,
 * generated at start and written where the user can point curl at it.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

/**
 * Makes `directory` ours, or refuses it. The default one has a predictable
 * name in a shared temp folder: someone else could have created it first (or
 * a symlink by that name) to read the private key or plant a certificate. So
 * it is created without following anything, and then must be a real
 * directory, owned by this user, that no one else can enter.
 */
export function ensurePrivateDirectory(directory: string): void {
  try {
    mkdirSync(directory, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new ConfigError(`cannot create the directory for the self-signed certificate ${directory}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  const stats = lstatSync(directory);
  const refuse = (why: string): never => {
    throw new ConfigError(`refusing to write the self-signed certificate into ${directory}: ${why}; remove it, or give --tls-cert-file and --tls-key-file`);
  };
  if (!stats.isDirectory()) refuse(stats.isSymbolicLink() ? 'it is a symbolic link' : 'it is not a directory');
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  if (uid !== undefined && stats.uid !== uid) refuse(`it belongs to uid ${stats.uid}, not to this user (uid ${uid})`);
  if ((stats.mode & 0o077) !== 0) refuse(`others may access it (mode ${(stats.mode & 0o777).toString(8)}; 700 is needed)`);
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
  ensurePrivateDirectory(directory);
  const certFile = join(directory, 'tls.crt');
  const keyFile = join(directory, 'tls.key');
  writeFileSync(certFile, pems.cert);
  writeFileSync(keyFile, pems.private, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  return { pair: { cert: pems.cert, key: pems.private }, certFile, keyFile };
}
