/**
 * Options of `pod-hardener serve`. Each comes from a flag, else the variable
 * POD_HARDENER_<UPPER_SNAKE_CASE>, else the config file's `serve:` section,
 * else its default.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { LOG_LEVELS } from '../logging/logger.js';
import { ConfigError } from './errors.js';
import { describeIssues } from './zod-messages.js';

// 0 picks a free port (tests, local runs); the listening line says which.
const port = z.coerce.number().int().min(0).max(65535);
const bytes = z.coerce.number().int().min(1024).max(256 * 1024 * 1024);
const seconds = z.coerce.number().min(0).max(3600);

/** The options a config file's `serve:` section may hold (not the file's own path). */
export const serveFileSchema = z
  .object({
    port: port.optional(),
    bindAddress: z.string().min(1).optional(),
    tlsCertFile: z.string().min(1).optional(),
    tlsKeyFile: z.string().min(1).optional(),
    logLevel: z.enum(LOG_LEVELS).optional(),
    maxRequestBytes: bytes.optional(),
    shutdownTimeoutSeconds: seconds.optional(),
    webhookNamespace: z.string().min(1).optional(),
    reloadIntervalSeconds: z.coerce.number().min(0.1).max(3600).optional(),
    kubeconfig: z.string().min(1).optional(),
    registryConfig: z.string().min(1).optional(),
    clientCaFile: z.string().min(1).optional(),
    probePort: port.optional(),
    maxConcurrentReviews: z.coerce.number().int().min(1).max(100_000).optional(),
    maxBytesInFlight: bytes.optional(),
    // The API server waits at most 30 s for a webhook (timeoutSeconds); waiting longer for a request helps nobody.
    requestTimeoutSeconds: z.coerce.number().min(0.5).max(30).optional(),
  })
  .strict();

export type ServeFileOptions = z.infer<typeof serveFileSchema>;

export interface ServeOptions {
  /** 8443 by default, on all interfaces. */
  port: number;
  /** Address to listen on; all interfaces when absent. */
  bindAddress: string | undefined;
  /** Serving certificate and key (PEM); both absent: a self-signed pair is generated. */
  tlsCertFile: string | undefined;
  tlsKeyFile: string | undefined;
  /** The config file (YAML): the policy, and optionally a serve: section. */
  config: string | undefined;
  logLevel: (typeof LOG_LEVELS)[number];
  /** Bodies above this are refused with 413. The API server sends at most ~3 MiB objects, twice for updates. */
  maxRequestBytes: number;
  /** On SIGTERM, how long in-flight reviews may take before the process exits anyway. */
  shutdownTimeoutSeconds: number;
  /** The webhook's own namespace, never hardened; read from the service account when absent. */
  webhookNamespace: string | undefined;
  /** How often certificate and config files are checked for changes (besides file events). */
  reloadIntervalSeconds: number;
  /** Where to read Namespaces from; absent: the in-cluster service account in a pod, else no cluster. */
  kubeconfig: string | undefined;
  /** A Docker config JSON (the pull secret, mounted as a file) with credentials for reading image configs; docs/images.md. */
  registryConfig: string | undefined;
  /** CA bundle (PEM): when set, callers of the HTTPS port must present a client certificate it signed (the API server's, see docs/operations.md). */
  clientCaFile: string | undefined;
  /** A port serving only /healthz, /readyz and /metrics, without client certificates; required with clientCaFile. */
  probePort: number | undefined;
  /** Reviews read or answered at once; more get 429. */
  maxConcurrentReviews: number;
  /** Request body bytes held at once; more get 429. */
  maxBytesInFlight: number;
  /** How long a client may take to send a whole request; the API server itself waits at most its webhook timeout. */
  requestTimeoutSeconds: number;
}

export const SERVE_DEFAULTS = {
  port: 8443,
  logLevel: 'info',
  maxRequestBytes: 8 * 1024 * 1024,
  shutdownTimeoutSeconds: 25,
  reloadIntervalSeconds: 2,
  // The API server's own default cap on mutating requests in flight (--max-mutating-requests-inflight).
  maxConcurrentReviews: 200,
  // The Deployment's memory limit (256 MiB) less its V8 heap (--max-old-space-size=192) leaves 64 MiB off the heap,
  // where bodies are held (Buffers); a third of it for bodies: three maximum-size reviews, or thousands of usual ones.
  maxBytesInFlight: 24 * 1024 * 1024,
  requestTimeoutSeconds: 5,
} as const;

const KEYS = [
  'port',
  'bindAddress',
  'tlsCertFile',
  'tlsKeyFile',
  'config',
  'logLevel',
  'maxRequestBytes',
  'shutdownTimeoutSeconds',
  'webhookNamespace',
  'reloadIntervalSeconds',
  'kubeconfig',
  'registryConfig',
  'clientCaFile',
  'probePort',
  'maxConcurrentReviews',
  'maxBytesInFlight',
  'requestTimeoutSeconds',
] as const;
type Key = (typeof KEYS)[number];

export function envName(key: string): string {
  return `POD_HARDENER_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

const flagSchema = serveFileSchema.extend({ config: z.string().min(1).optional() });

const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

function serviceAccountNamespace(): string | undefined {
  try {
    return readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Flags and environment, validated. The file's serve: section is merged later
 * (the file's path is one of these options).
 */
export function resolveServeOptions(flags: Partial<Record<Key, unknown>>, env: NodeJS.ProcessEnv, file: ServeFileOptions = {}): ServeOptions {
  const raw: Partial<Record<Key, unknown>> = {};
  for (const key of KEYS) {
    const value = flags[key] ?? env[envName(key)] ?? (key === 'config' ? undefined : file[key]);
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = flagSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = describeIssues(parsed.error).map((line) => {
      const key = line.split(':')[0] as Key;
      return KEYS.includes(key) ? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} (or ${envName(key)}): ${line.slice(key.length + 2)}` : line;
    });
    throw new ConfigError(`invalid serve options:\n  ${problems.join('\n  ')}`);
  }
  const options = parsed.data;
  if ((options.tlsCertFile === undefined) !== (options.tlsKeyFile === undefined)) {
    throw new ConfigError('--tls-cert-file and --tls-key-file go together: give both, or neither for a generated self-signed pair');
  }
  if (options.clientCaFile !== undefined && options.probePort === undefined) {
    throw new ConfigError('--client-ca-file needs --probe-port: kubelet probes and Prometheus present no client certificate, so /healthz, /readyz and /metrics need a port of their own');
  }
  if (options.probePort !== undefined && options.probePort !== 0 && options.probePort === (options.port ?? SERVE_DEFAULTS.port)) {
    throw new ConfigError(`--probe-port must differ from --port (${options.probePort})`);
  }
  return {
    port: options.port ?? SERVE_DEFAULTS.port,
    bindAddress: options.bindAddress,
    tlsCertFile: options.tlsCertFile,
    tlsKeyFile: options.tlsKeyFile,
    config: options.config,
    logLevel: options.logLevel ?? SERVE_DEFAULTS.logLevel,
    maxRequestBytes: options.maxRequestBytes ?? SERVE_DEFAULTS.maxRequestBytes,
    shutdownTimeoutSeconds: options.shutdownTimeoutSeconds ?? SERVE_DEFAULTS.shutdownTimeoutSeconds,
    webhookNamespace: options.webhookNamespace ?? serviceAccountNamespace(),
    reloadIntervalSeconds: options.reloadIntervalSeconds ?? SERVE_DEFAULTS.reloadIntervalSeconds,
    kubeconfig: options.kubeconfig,
    registryConfig: options.registryConfig,
    clientCaFile: options.clientCaFile,
    probePort: options.probePort,
    maxConcurrentReviews: options.maxConcurrentReviews ?? SERVE_DEFAULTS.maxConcurrentReviews,
    maxBytesInFlight: options.maxBytesInFlight ?? SERVE_DEFAULTS.maxBytesInFlight,
    requestTimeoutSeconds: options.requestTimeoutSeconds ?? SERVE_DEFAULTS.requestTimeoutSeconds,
  };
}
