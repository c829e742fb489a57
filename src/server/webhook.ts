/**
 * The webhook as a whole: configuration, certificate, policy, logging, metrics
 * and the HTTPS server, wired together. `pod-hardener serve` runs it; tests
 * start it in-process on port 0.
 */
import type { ConfigFile } from '../config/config-file.js';
import type { Policy } from '../config/policy.js';
import type { ServeOptions } from '../config/serve-options.js';
import type { AdmissionRequest } from '../engine/admission-request.js';
import type { ReviewContext, ReviewDecision } from '../engine/review.js';
import { DEFAULT_CACHE_OPTIONS, namespaceSource, type CacheOptions, type NamespaceSource } from '../governance/namespace-cache.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { createMetrics, type Metrics } from '../metrics/metrics.js';
import { VERSION } from '../version.js';
import { LoadLimiter } from '../admission/load-limit.js';
import { imageLookups } from '../admission/images.js';
import { createImageResolver, registerImageMetrics } from '../images/index.js';
import { createSelfSignedPair, loadKeyPair, type KeyPair } from './certificates.js';
import { loadClientCa } from './client-ca.js';
import type { FileWatch } from './file-watch.js';
import { reloadCertificate, reloadClientCa, reloadPolicy, reloadRegistryConfig } from './reloaders.js';
import { startServer, type RunningServer } from './server.js';

export interface WebhookOptions {
  serve: ServeOptions;
  config: ConfigFile;
  logger?: Logger;
  /** Directory for a generated self-signed pair (default: a per-user temp folder). */
  selfSignedDirectory?: string;
  /** The engine; replaceable so tests can make it fail. */
  review?: (request: AdmissionRequest, context: ReviewContext) => ReviewDecision;
  /** Timings of the namespace cache (tests shorten them). */
  namespaceCache?: Partial<CacheOptions>;
  /** Whether to use the in-cluster service account when no kubeconfig is given (default: when running in a pod). */
  inCluster?: boolean;
  /** During the shutdown drain, how long an idle kept-alive connection stays open (tests shorten it). */
  drainIdleGraceMs?: number;
}

export interface Webhook {
  readonly url: string;
  readonly port: number;
  /** The probe port (health, readiness, metrics without client certificates), when one was asked for. */
  readonly probePort: number | undefined;
  /** The serving certificate (PEM), e.g. to trust it as a CA in a client. */
  certificate(): string;
  /** Where the certificate and key are (the generated ones when none were given). */
  readonly certFile: string;
  readonly keyFile: string;
  readonly selfSigned: boolean;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly running: RunningServer;
  readonly namespaces: NamespaceSource;
  /** undefined when ready, else why not. */
  notReadyReason(): string | undefined;
  policy(): Policy;
  /** Unready, drain in-flight reviews within the shutdown timeout, close. */
  shutdown(): Promise<{ drained: boolean }>;
}

function displayHost(host: string | undefined): string {
  if (host === undefined || host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startWebhook(options: WebhookOptions): Promise<Webhook> {
  const { serve } = options;
  const logger = options.logger ?? createLogger({ level: serve.logLevel });
  const metrics = createMetrics({ version: VERSION });

  let keyPair: KeyPair;
  let certFile: string;
  let keyFile: string;
  const selfSigned = serve.tlsCertFile === undefined || serve.tlsKeyFile === undefined;
  if (serve.tlsCertFile !== undefined && serve.tlsKeyFile !== undefined) {
    const loaded = loadKeyPair(serve.tlsCertFile, serve.tlsKeyFile);
    ({ pair: keyPair } = loaded);
    certFile = serve.tlsCertFile;
    keyFile = serve.tlsKeyFile;
    logger.info('serving certificate loaded', { certFile, ...loaded.summary });
  } else {
    ({ pair: keyPair, certFile, keyFile } = await createSelfSignedPair(options.selfSignedDirectory));
    logger.info('no certificate given: generated a self-signed one for localhost, 127.0.0.1 and ::1', { certFile, keyFile });
  }

  let clientCa: string | undefined;
  if (serve.clientCaFile !== undefined) {
    const loaded = loadClientCa(serve.clientCaFile);
    clientCa = loaded.pem;
    logger.info('client authentication on: callers need a client certificate from this CA', { clientCaFile: serve.clientCaFile, ...loaded.summary });
  }

  let policy = options.config.policy;
  let shuttingDown = false;
  const extraExcludedNamespaces = serve.webhookNamespace ? [serve.webhookNamespace] : [];
  const namespaces = await namespaceSource(serve.kubeconfig, logger, { ...DEFAULT_CACHE_OPTIONS, ...options.namespaceCache }, options.inCluster);
  const notReadyReason = (): string | undefined => {
    if (shuttingDown) return 'shutting down';
    if (!namespaces.ready()) return 'the namespace cache has not synced yet';
    return undefined;
  };

  // What each image says about itself (USER, VOLUMEs), for runAsNonRoot: docs/images.md.
  const images = createImageResolver({ policy: policy.images, dockerConfigFile: serve.registryConfig, metrics: registerImageMetrics(metrics.registry) });

  const running = await startServer(
    {
      port: serve.port,
      host: serve.bindAddress,
      keyPair,
      clientCa,
      probePort: serve.probePort,
      requestTimeoutMs: serve.requestTimeoutSeconds * 1000,
      ...(options.drainIdleGraceMs === undefined ? {} : { drainIdleGraceMs: options.drainIdleGraceMs }),
    },
    {
      policy: () => policy,
      namespace: (name) => namespaces.lookup(name),
      images: imageLookups(images, extraExcludedNamespaces),
      extraExcludedNamespaces,
      logger,
      metrics,
      maxRequestBytes: serve.maxRequestBytes,
      load: new LoadLimiter({ maxConcurrentReviews: serve.maxConcurrentReviews, maxBytesInFlight: serve.maxBytesInFlight }),
      readiness: { notReadyReason },
      ...(options.review ? { review: options.review } : {}),
    },
  );
  const port = running.address().port;
  const probePort = running.probeAddress()?.port;
  const url = `https://${displayHost(serve.bindAddress)}:${port}`;
  logger.info('pod-hardener is serving', { version: VERSION, url: `${url}/mutate`, ...(probePort === undefined ? {} : { probePort }), clientAuthentication: clientCa !== undefined, mode: policy.mode, excludedNamespaces: [...policy.excludedNamespaces, ...extraExcludedNamespaces] });

  const reloadDeps = { logger, metrics, intervalMs: serve.reloadIntervalSeconds * 1000 };
  const watches: FileWatch[] = [];
  if (!selfSigned) {
    watches.push(
      reloadCertificate(certFile, keyFile, (pair) => {
        keyPair = pair;
        running.setCredentials({ keyPair, clientCa });
      }, reloadDeps),
    );
  }
  if (serve.clientCaFile !== undefined) {
    watches.push(
      reloadClientCa(serve.clientCaFile, (pem) => {
        clientCa = pem;
        running.setCredentials({ keyPair, clientCa });
      }, reloadDeps),
    );
  }
  if (serve.config) {
    watches.push(
      reloadPolicy(serve.config, (next) => {
        policy = next;
      }, reloadDeps),
    );
  }
  // Watched whatever images.resolve says now: a policy reload can turn resolving on, and the resolver holds the credentials either way.
  if (serve.registryConfig !== undefined) {
    watches.push(
      reloadRegistryConfig(serve.registryConfig, (credentials) => images.setCredentials(credentials), reloadDeps),
    );
  }

  return {
    url,
    port,
    probePort,
    certificate: () => keyPair.cert,
    certFile,
    keyFile,
    selfSigned,
    logger,
    metrics,
    running,
    namespaces,
    notReadyReason,
    policy: () => policy,
    async shutdown() {
      shuttingDown = true;
      logger.info('shutting down: not ready, finishing in-flight reviews', { inFlight: running.inFlight(), timeoutSeconds: serve.shutdownTimeoutSeconds });
      for (const watch of watches) watch.close();
      const result = await running.close(serve.shutdownTimeoutSeconds * 1000);
      await namespaces.stop();
      images.close();
      logger.info(result.drained ? 'shut down: every in-flight review was answered' : 'shut down: the timeout cut in-flight reviews short', result);
      return result;
    },
  };
}
