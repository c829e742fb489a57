/**
 * Hot reload of what a running webhook reads from files: the serving
 * certificate (cert-manager rotation), the client CA, the policy (a
 * ConfigMap update) and the registry config (a rotated pull secret). A new
 * file that cannot be used keeps the last good one in force and says why;
 * nothing here can take the process down.
 */
import { loadConfigFile } from '../config/config-file.js';
import type { Policy } from '../config/policy.js';
import { loadDockerConfig, type CredentialStore } from '../images/docker-config.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { loadKeyPair, type KeyPair } from './certificates.js';
import { loadClientCa } from './client-ca.js';
import { watchFiles, type FileWatch } from './file-watch.js';

interface ReloadDeps {
  logger: Logger;
  metrics: Metrics;
  intervalMs: number;
}

type Reloadable = Parameters<Metrics['observeReload']>[0];

const MESSAGES: Readonly<Record<Reloadable, { success: string; failure: string }>> = {
  certificate: { success: 'serving certificate reloaded; new connections use it', failure: 'serving certificate not reloaded: the previous one stays in use' },
  'client-ca': { success: 'client CA reloaded; new connections are checked against it', failure: 'client CA not reloaded: the previous one stays in use' },
  policy: { success: 'policy reloaded', failure: 'policy not reloaded: the last good policy stays in force' },
  'registry-config': { success: 'registry config reloaded; the next image lookups use its credentials', failure: 'registry config not reloaded: the previous credentials stay in use' },
};

/** Watches `paths`; on a change, `load` reads them (throwing when unusable) and `apply` puts the result in force. */
function reload<T>(what: Reloadable, paths: string[], load: () => { value: T; facts: Record<string, unknown> }, apply: (value: T) => void, deps: ReloadDeps): FileWatch {
  const file = paths[0];
  return watchFiles(
    paths,
    () => {
      try {
        const { value, facts } = load();
        apply(value);
        deps.metrics.observeReload(what, 'success');
        deps.logger.info(MESSAGES[what].success, { file, ...facts });
      } catch (error) {
        deps.metrics.observeReload(what, 'failure');
        deps.logger.error(MESSAGES[what].failure, { file, error: (error as Error).message });
      }
    },
    { intervalMs: deps.intervalMs },
  );
}

export function reloadCertificate(certFile: string, keyFile: string, apply: (pair: KeyPair) => void, deps: ReloadDeps): FileWatch {
  return reload('certificate', [certFile, keyFile], () => {
    const { pair, summary } = loadKeyPair(certFile, keyFile);
    return { value: pair, facts: { ...summary } };
  }, apply, deps);
}

export function reloadClientCa(caFile: string, apply: (pem: string) => void, deps: ReloadDeps): FileWatch {
  return reload('client-ca', [caFile], () => {
    const { pem, summary } = loadClientCa(caFile);
    return { value: pem, facts: { ...summary } };
  }, apply, deps);
}

export function reloadPolicy(configFile: string, apply: (policy: Policy) => void, deps: ReloadDeps): FileWatch {
  return reload('policy', [configFile], () => {
    const { policy } = loadConfigFile(configFile);
    return { value: policy, facts: { mode: policy.mode } };
  }, apply, deps);
}

/**
 * The registry config (serve --registry-config: a mounted pull secret). It is
 * parsed here by the resolver's own parser and the result handed over, so an
 * unusable file is a failure before `apply` runs and the previous credentials
 * stay in force. The facts are a count: credentials and the file's content
 * are never logged (the parser's errors name the file and the registry, not
 * what they hold).
 */
export function reloadRegistryConfig(configFile: string, apply: (credentials: CredentialStore) => void, deps: ReloadDeps): FileWatch {
  return reload('registry-config', [configFile], () => {
    const credentials = loadDockerConfig(configFile);
    return { value: credentials, facts: { registries: credentials.size } };
  }, apply, deps);
}
