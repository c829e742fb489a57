import { LoadLimiter, SMALL_BODY_BYTES, type ReviewSlot } from '../../../src/admission/load-limit.js';

const slot = (admitted: ReviewSlot | string): ReviewSlot => {
  if (typeof admitted === 'string') throw new Error(`refused: ${admitted}`);
  return admitted;
};

describe('load limits', () => {
  test('reviews beyond the concurrency bound are refused until one is released', () => {
    const limiter = new LoadLimiter({ maxConcurrentReviews: 2, maxBytesInFlight: 1024 * 1024 });
    const one = slot(limiter.admit());
    slot(limiter.admit());
    expect(limiter.admit()).toBe('concurrent_reviews');
    one.release();
    one.release();
    expect(limiter.load().reviews).toBe(1);
    expect(typeof limiter.admit()).toBe('object');
  });

  test('large bodies share the bytes bound; what is refused is not counted, what is released is given back', () => {
    const limiter = new LoadLimiter({ maxConcurrentReviews: 10, maxBytesInFlight: 1024 * 1024 });
    const big = SMALL_BODY_BYTES + 600 * 1024;
    const one = slot(limiter.admit());
    expect(one.reserve(big)).toBe(true);
    expect(limiter.load().bytes).toBe(600 * 1024);
    const two = slot(limiter.admit());
    expect(two.reserve(big)).toBe(false);
    expect(limiter.load().bytes).toBe(600 * 1024);
    one.release();
    expect(limiter.load().bytes).toBe(0);
    expect(two.reserve(big)).toBe(true);
  });

  test('refused bodies being discarded share a budget the size of the bytes bound; one is always allowed', () => {
    const limiter = new LoadLimiter({ maxConcurrentReviews: 10, maxBytesInFlight: 1024 * 1024 });
    const huge = limiter.discard(4 * 1024 * 1024);
    expect(huge).toBeDefined();
    expect(limiter.discard(1)).toBeUndefined();
    huge?.();
    huge?.();
    const one = limiter.discard(600 * 1024);
    expect(one).toBeDefined();
    expect(limiter.discard(600 * 1024)).toBeUndefined();
    expect(limiter.discard(400 * 1024)).toBeDefined();
    one?.();
    expect(limiter.discard(600 * 1024)).toBeDefined();
  });

  test('ordinary bodies are bounded by the review count alone, even with the bytes bound full', () => {
    const limiter = new LoadLimiter({ maxConcurrentReviews: 10, maxBytesInFlight: 1024 * 1024 });
    expect(slot(limiter.admit()).reserve(SMALL_BODY_BYTES + 1024 * 1024)).toBe(true);
    const small = slot(limiter.admit());
    expect(small.reserve(2048)).toBe(true);
    expect(small.reserve(SMALL_BODY_BYTES - 2048)).toBe(true);
    // Chunk by chunk: past the small allowance, the next byte counts.
    expect(small.reserve(1)).toBe(false);
  });
});
