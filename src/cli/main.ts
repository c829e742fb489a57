#!/usr/bin/env node
/** The `pod-hardener` executable: serve, harden, audit-summary. */
import { Command, Option } from 'commander';
import { ConfigError } from '../config/errors.js';
import { envName, SERVE_DEFAULTS } from '../config/serve-options.js';
import { VERSION } from '../version.js';
import { MODES } from '../config/policy.js';
import { ManifestError } from '../manifests/harden-manifests.js';
import { runAuditSummary } from './audit-summary.js';
import { runHarden, type HardenOptions } from './harden.js';
import { InputError } from './input-error.js';
import { runServe, type ServeFlags } from './serve.js';

/** Bad input or configuration: one line that says what is wrong, exit 1, no stack trace. */
function fail(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`pod-hardener: ${message}\n`);
  process.exit(1);
}

const program = new Command('pod-hardener')
  .description('Kubernetes mutating admission webhook that hardens every pod')
  .version(VERSION)
  .showHelpAfterError();

const option = (flags: string, key: string, description: string): Option => new Option(flags, `${description} [env: ${envName(key)}]`);

program
  .command('serve')
  .description('run the webhook over HTTPS (POST /mutate, GET /healthz, /readyz, /metrics)')
  .addOption(option('--port <port>', 'port', `port to listen on (default: ${SERVE_DEFAULTS.port})`))
  .addOption(option('--bind-address <address>', 'bindAddress', 'address to listen on (default: all interfaces)'))
  .addOption(option('--tls-cert-file <file>', 'tlsCertFile', 'serving certificate (PEM); without it and --tls-key-file, a self-signed pair is generated'))
  .addOption(option('--tls-key-file <file>', 'tlsKeyFile', 'serving private key (PEM)'))
  .addOption(option('--config <file>', 'config', 'config file (YAML): the policy, and optionally a serve: section'))
  .addOption(option('--log-level <level>', 'logLevel', `error, warn, info or debug for operational logs (default: ${SERVE_DEFAULTS.logLevel}); decision records are always written`))
  .addOption(option('--max-request-bytes <bytes>', 'maxRequestBytes', `larger request bodies get 413 (default: ${SERVE_DEFAULTS.maxRequestBytes})`))
  .addOption(option('--shutdown-timeout-seconds <seconds>', 'shutdownTimeoutSeconds', `on SIGTERM, how long in-flight reviews may take (default: ${SERVE_DEFAULTS.shutdownTimeoutSeconds})`))
  .addOption(option('--webhook-namespace <namespace>', 'webhookNamespace', "the webhook's own namespace, never hardened (default: from the service account)"))
  .addOption(option('--reload-interval-seconds <seconds>', 'reloadIntervalSeconds', `how often certificate and config files are checked for changes (default: ${SERVE_DEFAULTS.reloadIntervalSeconds})`))
  .addOption(option('--kubeconfig <file>', 'kubeconfig', 'read Namespaces (governance rules) from this cluster; default: the in-cluster service account in a pod, else none'))
  .addOption(option('--registry-config <file>', 'registryConfig', 'Docker config JSON (a mounted pull secret) with registry credentials for reading image configs'))
  .addOption(option('--client-ca-file <file>', 'clientCaFile', 'require a client certificate signed by this CA (PEM) in the TLS handshake: only the API server may review (needs --probe-port)'))
  .addOption(option('--probe-port <port>', 'probePort', 'serve /healthz, /readyz and /metrics on this HTTPS port too, without client certificates'))
  .addOption(option('--max-concurrent-reviews <n>', 'maxConcurrentReviews', `reviews in progress at once; more get 429 (default: ${SERVE_DEFAULTS.maxConcurrentReviews})`))
  .addOption(option('--max-bytes-in-flight <bytes>', 'maxBytesInFlight', `request body bytes held at once; more get 429 (default: ${SERVE_DEFAULTS.maxBytesInFlight})`))
  .addOption(option('--request-timeout-seconds <seconds>', 'requestTimeoutSeconds', `time a client has to send a whole request (default: ${SERVE_DEFAULTS.requestTimeoutSeconds})`))
  .action(async (flags: ServeFlags) => {
    await runServe(flags).catch(fail);
  });

program
  .command('harden')
  .description('print Kubernetes manifests hardened as the webhook would harden their pods (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob)')
  .option('-f, --filename <file>', 'a manifest file, a directory (recursively *.yaml, *.yml, *.json) or - for stdin; repeatable; default stdin', (value: string, previous: string[]) => [...previous, value], [] as string[])
  .addOption(new Option('-o, --output <format>', 'yaml: the hardened manifests; patch: the JSON Patch per pod template; diff: a unified diff').choices(['yaml', 'patch', 'diff']).default('yaml'))
  .option('--config <file>', 'the same policy file the webhook uses')
  .addOption(new Option('--mode <mode>', 'override the policy mode').choices([...MODES]))
  .option('--fail-on-change', 'exit 2 when something would be changed (for CI gates)', false)
  .option('--resolve-images', "read each image's config (USER) from its registry, as the webhook does, to decide runAsNonRoot", false)
  .option('--registry-config <file>', 'with --resolve-images: Docker config JSON with registry credentials (default: $DOCKER_CONFIG/config.json, else ~/.docker/config.json)')
  .action(async (options: { filename: string[]; output: HardenOptions['output']; config?: string; mode?: HardenOptions['mode']; failOnChange: boolean; resolveImages: boolean; registryConfig?: string }) => {
    let run;
    try {
      run = await runHarden({
        files: options.filename,
        output: options.output,
        failOnChange: options.failOnChange,
        resolveImages: options.resolveImages,
        ...(options.registryConfig !== undefined ? { registryConfig: options.registryConfig } : {}),
        ...(options.config ? { config: options.config } : {}),
        ...(options.mode ? { mode: options.mode } : {}),
      });
    } catch (error) {
      if (error instanceof InputError || error instanceof ManifestError || error instanceof ConfigError) fail(error);
      throw error;
    }
    process.stderr.write(run.stderr);
    process.stdout.write(run.stdout);
    process.exitCode = run.exitCode;
  });

program
  .command('audit-summary')
  .description('summarise decision logs (plain or gzipped; - for stdin): exemptions, changes by control, skips, outcomes over time')
  .argument('[files...]', 'decision log files', [])
  .addOption(new Option('--output <format>', 'text or json').choices(['text', 'json']).default('text'))
  .addOption(new Option('--bucket <period>', 'period of the outcomes-over-time table').choices(['day', 'hour']).default('day'))
  .action(async (files: string[], options: { output: 'text' | 'json'; bucket: 'day' | 'hour' }) => {
    try {
      process.stdout.write(await runAuditSummary(files, options));
    } catch (error) {
      if (error instanceof InputError) fail(error);
      throw error;
    }
  });

program.parseAsync(process.argv).catch(fail);
