import { describe, expect, it } from '@jest/globals';
import { LruCache } from '../../../src/images/lru-cache.js';
import { SingleFlight } from '../../../src/images/single-flight.js';

describe('LruCache', () => {
  it('evicts the least recently used entry beyond its capacity', () => {
    const cache = new LruCache<number>(2);
    cache.set('a', 1, Infinity);
    cache.set('b', 2, Infinity);
    expect(cache.get('a')).toBe(1); // a is now the most recent
    cache.set('c', 3, Infinity);
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.size]).toEqual([1, undefined, 3, 2]);
  });

  it('expires each entry at its own time; Infinity never; a TTL of 0 stores nothing', () => {
    let now = 1000;
    const cache = new LruCache<string>(10, () => now);
    cache.set('tag', 'x', 300_000);
    cache.set('digest', 'y', Infinity);
    cache.set('never', 'z', 0);
    now += 299_999;
    expect([cache.get('tag'), cache.get('digest'), cache.get('never')]).toEqual(['x', 'y', undefined]);
    now += 1;
    expect([cache.get('tag'), cache.get('digest'), cache.size]).toEqual([undefined, 'y', 1]);
  });
});

describe('SingleFlight', () => {
  it('runs concurrent calls of one key once, and again after it settled', async () => {
    const flight = new SingleFlight<number>();
    let runs = 0;
    let release!: (value: number) => void;
    const work = () => {
      runs += 1;
      return new Promise<number>((resolve) => (release = resolve));
    };
    const first = flight.run('k', work);
    const second = flight.run('k', work);
    const other = flight.run('other', () => Promise.resolve(7));
    expect(runs).toBe(1);
    release(42);
    expect(await Promise.all([first, second, other])).toEqual([42, 42, 7]);
    expect(flight.size).toBe(0);
    void flight.run('k', work);
    expect(runs).toBe(2);
    release(0);
  });

  it('shares a failure too, and forgets it', async () => {
    const flight = new SingleFlight<number>();
    const failing = () => Promise.reject(new Error('down'));
    await expect(Promise.all([flight.run('k', failing), flight.run('k', failing)])).rejects.toThrow('down');
    expect(flight.size).toBe(0);
  });
});
