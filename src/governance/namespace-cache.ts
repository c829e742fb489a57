/**
 * Namespaces, as the governance rules need them: a cache kept by an informer
 * (list, then watch) through @kubernetes/client-node — never one API call per
 * review. The watch is restarted with exponential backoff when it breaks (the
 * API server restarts, the network drops), and the whole list is read again
 * periodically (resync). While the watch is down the cache serves what it last
 * knew (stale, not empty), so decisions stay the same until it catches up.
 *
 * A namespace the cache has not seen yet (created a moment before its first
 * pod) is read once with a GET, so a brand-new namespace is judged by its
 * labels too; the answer, or its absence, is remembered briefly.
 */
// Types only at module load: the library (~70 MiB of generated API models) is
// imported when a cluster is configured, not by `harden` or a local `serve`.
import type { CoreV1Api, Informer, KubeConfig, ObjectCache, V1Namespace } from '@kubernetes/client-node';

type ClientNode = typeof import('@kubernetes/client-node');
import type { NamespaceFacts } from '../engine/namespace-rules.js';
import type { Logger } from '../logging/logger.js';

export type CacheState = 'disabled' | 'syncing' | 'synced' | 'reconnecting';

export interface NamespaceSource {
  /** The namespace's labels and annotations, or undefined when they are not known. */
  lookup(name: string): Promise<NamespaceFacts | undefined>;
  /** False until the first list completed, or the cache was given up on for the start (see syncTimeout). */
  ready(): boolean;
  state(): CacheState;
  stop(): Promise<void>;
}

/** No cluster: the namespace rules of the policy file alone. */
export const noNamespaces: NamespaceSource = {
  lookup: async () => undefined,
  ready: () => true,
  state: () => 'disabled',
  stop: async () => undefined,
};

export interface CacheOptions {
  /** How long the start may wait for the first list before serving without it (readiness). */
  syncTimeoutMs: number;
  /** A fresh list this often, besides the watch. */
  resyncMs: number;
  /** Reconnection backoff: first and longest wait. */
  backoffMs: { initial: number; max: number };
  /** How long a GET for an unseen namespace is remembered. */
  missTtlMs: number;
  /** A resumed watch that stays up this long without an error counts as reconnected (it may see no event for hours). */
  stableAfterMs: number;
}

export const DEFAULT_CACHE_OPTIONS: CacheOptions = {
  syncTimeoutMs: 10_000,
  resyncMs: 10 * 60_000,
  backoffMs: { initial: 500, max: 30_000 },
  missTtlMs: 5_000,
  stableAfterMs: 5_000,
};

function facts(namespace: V1Namespace | undefined): NamespaceFacts | undefined {
  if (!namespace) return undefined;
  return { labels: { ...(namespace.metadata?.labels ?? {}) }, annotations: { ...(namespace.metadata?.annotations ?? {}) } };
}

type NamespaceInformer = Informer<V1Namespace> & ObjectCache<V1Namespace>;

export class KubeNamespaceCache implements NamespaceSource {
  private readonly api: CoreV1Api;
  private informer: NamespaceInformer | undefined;
  private current: CacheState = 'syncing';
  private synced = false;
  private gaveUpWaiting = false;
  private stopped = false;
  private backoff: number;
  /** Counts failures, so a "still up?" check knows whether one happened since it was scheduled. */
  private failures = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly misses = new Map<string, { at: number; value: Promise<NamespaceFacts | undefined> }>();

  constructor(
    private readonly client: ClientNode,
    private readonly config: KubeConfig,
    private readonly logger: Logger,
    private readonly options: CacheOptions = DEFAULT_CACHE_OPTIONS,
  ) {
    this.api = config.makeApiClient(client.CoreV1Api);
    this.backoff = options.backoffMs.initial;
  }

  start(): void {
    this.informer = this.newInformer(() => {
      if (!this.synced) this.logger.info('namespace cache synced', { namespaces: this.informer?.list().length ?? 0 });
      this.synced = true;
    });
    this.later(this.options.syncTimeoutMs, () => {
      if (this.synced) return;
      this.gaveUpWaiting = true;
      this.logger.warn('namespace cache not synced yet: serving with the namespace rules of the policy alone until it is', { waitedMs: this.options.syncTimeoutMs });
    });
    this.later(this.options.resyncMs, () => this.resync());
  }

  /** An informer whose list marks the cache synced and resets the backoff; errors restart it after the backoff. */
  private newInformer(onList: () => void): NamespaceInformer {
    const informer: NamespaceInformer = this.client.makeInformer(this.config, '/api/v1/namespaces', async () => {
      const list = await this.api.listNamespace();
      onList();
      this.reconnected();
      return list;
    });
    // 'connect' fires before the list or watch is attempted, so it proves nothing; a completed list
    // (above), a watch event, or a watch that stays up without an error does.
    informer.on('connect', () => {
      const failuresSoFar = this.failures;
      this.later(this.options.stableAfterMs, () => {
        if (this.failures === failuresSoFar && informer === this.informer) this.reconnected();
      });
    });
    informer.on('change', () => this.reconnected());
    informer.on('error', (error: unknown) => this.lost(informer, error));
    void informer.start().catch((error: unknown) => this.lost(informer, error));
    return informer;
  }

  private reconnected(): void {
    if (this.current === 'reconnecting') this.logger.info('namespace watch reconnected');
    this.current = this.synced ? 'synced' : 'syncing';
    this.backoff = this.options.backoffMs.initial;
  }

  /** The watch (or list) failed: keep what the cache knows, and try again after the backoff. */
  private lost(informer: NamespaceInformer, error: unknown): void {
    if (this.stopped || informer !== this.informer) return;
    this.failures += 1;
    if (this.current !== 'reconnecting') {
      this.logger.warn('namespace watch lost; decisions use the last known namespaces until it reconnects', { error: describe(error) });
    }
    this.current = 'reconnecting';
    const wait = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.options.backoffMs.max);
    this.later(wait, () => {
      if (!this.stopped && informer === this.informer) void informer.start().catch((next: unknown) => this.lost(informer, next));
    });
  }

  /** A fresh list in a new informer; it replaces the current one once listed. */
  private resync(): void {
    if (this.stopped) return;
    this.later(this.options.resyncMs, () => this.resync());
    if (this.current !== 'synced') return;
    const previous = this.informer;
    const next = this.newInformer(() => {
      if (this.informer !== previous) return;
      this.informer = next;
      void previous?.stop();
      this.logger.debug('namespace cache resynced', { namespaces: next.list().length });
    });
  }

  private later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  async lookup(name: string): Promise<NamespaceFacts | undefined> {
    const cached = this.informer?.get(name);
    if (cached) return facts(cached);
    if (!this.synced || this.current !== 'synced') return undefined;
    // Not seen yet: one GET, shared by concurrent reviews and remembered briefly.
    const miss = this.misses.get(name);
    if (miss && Date.now() - miss.at < this.options.missTtlMs) return miss.value;
    const value = this.api.readNamespace({ name }).then(
      (namespace) => facts(namespace),
      () => undefined,
    );
    this.misses.set(name, { at: Date.now(), value });
    if (this.misses.size > 1000) this.misses.delete(this.misses.keys().next().value as string);
    return value;
  }

  ready(): boolean {
    return this.synced || this.gaveUpWaiting;
  }

  state(): CacheState {
    return this.current;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.informer?.stop();
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) return String((error as { message: unknown }).message);
  return String(error);
}

/**
 * The cluster to read Namespaces from: the given kubeconfig, else the
 * in-cluster service account when running in a pod, else none (local use) —
 * a developer's ~/.kube/config is never picked up by surprise.
 */
export async function namespaceSource(
  kubeconfig: string | undefined,
  logger: Logger,
  options: CacheOptions = DEFAULT_CACHE_OPTIONS,
  inCluster: boolean = process.env.KUBERNETES_SERVICE_HOST !== undefined,
): Promise<NamespaceSource> {
  if (!kubeconfig && !inCluster) {
    logger.info('no cluster configured (no --kubeconfig, not in a pod): namespace rules come from the policy file alone');
    return noNamespaces;
  }
  const client = await import('@kubernetes/client-node');
  const config = new client.KubeConfig();
  if (kubeconfig) config.loadFromFile(kubeconfig);
  else config.loadFromCluster();
  const cache = new KubeNamespaceCache(client, config, logger, options);
  cache.start();
  return cache;
}
