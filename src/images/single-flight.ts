/**
 * Concurrent callers of one key share one run of the work: the first starts
 * it, the others get the same promise until it settles (so a burst of pods
 * with one image makes one set of registry requests).
 */
export class SingleFlight<V> {
  readonly #running = new Map<string, Promise<V>>();

  get size(): number {
    return this.#running.size;
  }

  run(key: string, work: () => Promise<V>): Promise<V> {
    const running = this.#running.get(key);
    if (running !== undefined) return running;
    const started = work().finally(() => this.#running.delete(key));
    this.#running.set(key, started);
    return started;
  }
}
