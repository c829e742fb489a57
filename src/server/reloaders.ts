/**
 * Hot reload of what a running webhook reads from files: the serving
 * certificate (cert-manager rotation) and the policy (a ConfigMap update).
 * A new file that cannot be used keeps the last good one in force and says
 * why; nothing here can take the process down.
 */
import { loadConfigFile } from '../config/config-file.js';
import type { Policy } from '../config/policy.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { loadKeyPair, type KeyPair } from './certificates.js';
import { watchFiles, type FileWatch } from './file-watch.js';

interface ReloadDeps {
  logger: Logger;
  metrics: Metrics;
  intervalMs: number;
}

export function reloadCertificate(certFile: string, keyFile: string, apply: (pair: KeyPair) => void, deps: ReloadDeps): FileWatch {
  return watchFiles(
    [certFile, keyFile],
    () => {
      try {
        const { pair, summary } = loadKeyPair(certFile, keyFile);
        apply(pair);
        deps.metrics.observeReload('certificate', 'success');
        deps.logger.info('serving certificate reloaded; new connections use it', { certFile, ...summary });
      } catch (error) {
        deps.metrics.observeReload('certificate', 'failure');
        deps.logger.error('serving certificate not reloaded: the previous one stays in use', { certFile, error: (error as Error).message });
      }
    },
    { intervalMs: deps.intervalMs },
  );
}

export function reloadPolicy(configFile: string, apply: (policy: Policy) => void, deps: ReloadDeps): FileWatch {
  return watchFiles(
    [configFile],
    () => {
      try {
        const { policy } = loadConfigFile(configFile);
        apply(policy);
        deps.metrics.observeReload('policy', 'success');
        deps.logger.info('policy reloaded', { configFile, mode: policy.mode });
      } catch (error) {
        deps.metrics.observeReload('policy', 'failure');
        deps.logger.error('policy not reloaded: the last good policy stays in force', { configFile, error: (error as Error).message });
      }
    },
    { intervalMs: deps.intervalMs },
  );
}
