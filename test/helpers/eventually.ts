/** Polling for things that happen asynchronously (a watch event, a reload, a configuration the API server picks up). */

/** Polls `probe` until it returns a value; fails with `what` after the timeout. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 250));
  }
}

/** Polls `check` until it is true. */
export async function until(what: string, check: () => Promise<boolean> | boolean, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<void> {
  await eventually(what, async () => ((await check()) ? true : undefined), options);
}
