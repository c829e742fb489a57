/** `pod-hardener serve`: resolve options, start the webhook, stop it cleanly on SIGTERM. */
import { DEFAULT_CONFIG, loadConfigFile, type ConfigFile } from '../config/config-file.js';
import { resolveServeOptions, type ServeOptions } from '../config/serve-options.js';
import { startWebhook, type Webhook } from '../server/webhook.js';

export interface ServeFlags {
  port?: string;
  bindAddress?: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  config?: string;
  logLevel?: string;
  maxRequestBytes?: string;
  shutdownTimeoutSeconds?: string;
  webhookNamespace?: string;
  reloadIntervalSeconds?: string;
  kubeconfig?: string;
  registryConfig?: string;
  clientCaFile?: string;
  probePort?: string;
  maxConcurrentReviews?: string;
  maxBytesInFlight?: string;
  requestTimeoutSeconds?: string;
}

/** Flags beat variables, which beat the config file's serve: section. */
export function resolveConfiguration(flags: ServeFlags, env: NodeJS.ProcessEnv): { serve: ServeOptions; config: ConfigFile } {
  const first = resolveServeOptions(flags, env);
  const config = first.config ? loadConfigFile(first.config) : DEFAULT_CONFIG;
  return { serve: resolveServeOptions(flags, env, config.serve), config };
}

export async function runServe(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): Promise<Webhook> {
  const { serve, config } = resolveConfiguration(flags, env);
  const webhook = await startWebhook({ serve, config });
  const trust = webhook.selfSigned ? ` (self-signed; trust it with: curl --cacert ${webhook.certFile})` : '';
  process.stderr.write(`pod-hardener ${config.policy.mode} mode, listening on ${webhook.url}/mutate${trust}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    webhook.logger.info('signal received', { signal });
    // Every decision record reaches stdout before the process ends.
    webhook.shutdown().then(
      () => webhook.logger.flush().then(() => process.exit(0)),
      (error: unknown) => {
        webhook.logger.error('error while shutting down', { error: error instanceof Error ? error.message : String(error) });
        void webhook.logger.flush().then(() => process.exit(1));
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return webhook;
}
