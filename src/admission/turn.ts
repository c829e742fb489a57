/**
 * Reviews are decided in batches: one per turn of the event loop. A review
 * whose body has been read waits for the end of the turn (Node's check phase,
 * setImmediate); by then every connection that had data in the turn has been
 * read, and the reviews of all of them run one after the other.
 *
 * Without this, each review ran between the TLS decryption and HTTP parsing
 * of the next connection, and that code pushed the review's own code and data
 * out of the CPU's caches every time. Measured at saturation (16 connections,
 * the typical pod; docs/performance.md): the engine took 27 µs a review
 * instead of the 10 µs it takes in a loop, and the whole review 220 µs of CPU;
 * decided in batches, 13 µs and 135 µs. When reviews arrive one at a time (a
 * quiet API server) a batch is one review, and the wait is the rest of the
 * turn: microseconds.
 */
let pending: Promise<void> | undefined;

/** Resolves at the end of this turn of the event loop; every caller in one turn gets the same promise. */
export function endOfTurn(): Promise<void> {
  pending ??= new Promise((resolve) =>
    setImmediate(() => {
      pending = undefined;
      resolve();
    }),
  );
  return pending;
}
