/**
 * Bounds on the work in progress: reviews being read or answered, and the
 * bytes of their bodies. Beyond them a review is refused (429) instead of
 * growing the heap; the defaults are sized in config/serve-options.ts.
 *
 * The first SMALL_BODY_BYTES of every body are bounded by the review count
 * alone: an ordinary pod's review is a few KiB, and a burst of huge bodies
 * filling the bytes bound must not crowd those out.
 */
import type { Overload } from './errors.js';

export const SMALL_BODY_BYTES = 64 * 1024;

/** How many of `more` bytes, added to a body of `before` bytes, count against the bytes bound. */
function countable(before: number, more: number): number {
  return Math.max(0, before + more - SMALL_BODY_BYTES) - Math.max(0, before - SMALL_BODY_BYTES);
}

export interface LoadLimits {
  maxConcurrentReviews: number;
  maxBytesInFlight: number;
}

/** One admitted review: holds its share of the bounds until released. */
export interface ReviewSlot {
  /** Counts `bytes` more of this review's body; false (and nothing counted) if that crosses the bytes bound. */
  reserve(bytes: number): boolean;
  /** Gives everything back; calling it again does nothing. */
  release(): void;
}

export class LoadLimiter {
  private reviews = 0;
  private bytes = 0;
  private discarding = 0;

  constructor(private readonly limits: LoadLimits) {}

  /** A slot for one more review, or the bound it would cross. */
  admit(): ReviewSlot | Overload {
    if (this.reviews >= this.limits.maxConcurrentReviews) return 'concurrent_reviews';
    this.reviews += 1;
    let body = 0;
    let held = 0;
    let released = false;
    return {
      reserve: (bytes) => {
        const counted = countable(body, bytes);
        if (counted > 0 && this.bytes + counted > this.limits.maxBytesInFlight) return false;
        body += bytes;
        this.bytes += counted;
        held += counted;
        return true;
      },
      release: () => {
        if (released) return;
        released = true;
        this.reviews -= 1;
        this.bytes -= held;
      },
    };
  }

  /**
   * Room to read and throw away `bytes` of a refused body, within a budget
   * the size of the bytes bound: the release function, or undefined when the
   * refused bodies being discarded already fill it. Discarding costs what
   * reading costs (over TLS, the decryption); unbounded, a burst of refused
   * bodies would starve the reviews admitted alongside them.
   */
  discard(bytes: number): (() => void) | undefined {
    if (this.discarding > 0 && this.discarding + bytes > this.limits.maxBytesInFlight) return undefined;
    this.discarding += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.discarding -= bytes;
    };
  }

  /** Reviews, and body bytes counted against the bound, in progress now. */
  load(): { reviews: number; bytes: number } {
    return { reviews: this.reviews, bytes: this.bytes };
  }
}
