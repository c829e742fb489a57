/**
 * The CA bundle that signs the API server's client certificate (client
 * authentication): read from a PEM file, every certificate in it checked to
 * be a CA, so a wrong file is refused at start or on reload instead of
 * silently refusing every caller.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/errors.js';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export interface ClientCaSummary {
  subjects: string[];
  notAfter: string[];
}

/** Checks a PEM bundle: at least one certificate, each parseable and a CA. */
export function checkClientCa(pem: string, source: string): ClientCaSummary {
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new ConfigError(`${source}: no PEM certificate in the client CA file`);
  const certificates = blocks.map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new ConfigError(`${source}: certificate ${index + 1} of the client CA file is not valid (${(error as Error).message})`);
    }
  });
  const notCa = certificates.findIndex((certificate) => !certificate.ca);
  if (notCa >= 0) throw new ConfigError(`${source}: certificate ${notCa + 1} of the client CA file is not a CA certificate (basicConstraints CA:TRUE)`);
  return {
    subjects: certificates.map((certificate) => certificate.subject.replace(/\n/g, ', ')),
    notAfter: certificates.map((certificate) => new Date(certificate.validTo).toISOString()),
  };
}

export function loadClientCa(path: string): { pem: string; summary: ClientCaSummary } {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the client CA file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return { pem, summary: checkClientCa(pem, path) };
}
