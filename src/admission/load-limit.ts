/**
 * Bounds on the work in progress: reviews being read or answered, and the
 * bytes of their bodies. Beyond them a review is refused (429) instead of
 * growing the heap; the defaults are sized in config/serve-options.ts.
 */
import type { Overload } from './errors.js';

export interface LoadLimits {
  maxConcurrentReviews: number;
  maxBytesInFlight: number;
}

/** One admitted review: holds its share of the bounds until released. */
export interface ReviewSlot {
  /** Counts `bytes` more of this review's body; false (and nothing counted) if that crosses the bound. */
  reserve(bytes: number): boolean;
  /** Gives everything back; calling it again does nothing. */
  release(): void;
}

export class LoadLimiter {
  private reviews = 0;
  private bytes = 0;

  constructor(private readonly limits: LoadLimits) {}

  /** A slot for one more review, or the bound it would cross. */
  admit(): ReviewSlot | Overload {
    if (this.reviews >= this.limits.maxConcurrentReviews) return 'concurrent_reviews';
    this.reviews += 1;
    let held = 0;
    let released = false;
    return {
      reserve: (bytes) => {
        if (this.bytes + bytes > this.limits.maxBytesInFlight) return false;
        this.bytes += bytes;
        held += bytes;
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

  /** Reviews and body bytes in progress now. */
  load(): { reviews: number; bytes: number } {
    return { reviews: this.reviews, bytes: this.bytes };
  }
}
