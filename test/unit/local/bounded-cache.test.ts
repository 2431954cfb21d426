import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../../../local/sqlite/bounded-cache';

const keys = <V>(cache: BoundedCache<string, V>, all: string[]) => all.filter((k) => cache.get(k) !== undefined);

describe('BoundedCache', () => {
  it('forgets the oldest entries beyond its capacity, a replaced entry counting as new', () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 3);
    cache.set('c', 4);
    expect(keys(cache, ['a', 'b', 'c'])).toEqual(['a', 'c']);
    expect(cache.get('a')).toBe(3);
  });

  it('loads a missing entry once', () => {
    const cache = new BoundedCache<string, number | null>(2);
    let loads = 0;
    const load = () => (loads++, null);
    expect(cache.getOrLoad('a', load)).toBeNull();
    expect(cache.getOrLoad('a', load)).toBeNull();
    expect(loads).toBe(1);
  });

  it('counts weights: a heavy entry makes room by forgetting as many old ones as it needs', () => {
    const cache = new BoundedCache<string, number[]>(10, (list) => list.length);
    cache.set('a', [1, 2, 3]);
    cache.set('b', [1, 2, 3]);
    cache.set('c', [1, 2, 3]);
    cache.set('d', [1, 2, 3, 4, 5, 6]);
    expect(keys(cache, ['a', 'b', 'c', 'd'])).toEqual(['c', 'd']);
    // What is deleted or replaced no longer weighs: three more fit beside d.
    cache.delete('c');
    cache.set('d', [1]);
    cache.set('e', [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(keys(cache, ['c', 'd', 'e'])).toEqual(['d', 'e']);
    cache.clear();
    cache.set('f', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(keys(cache, ['d', 'e', 'f'])).toEqual(['f']);
  });

  it('keeps nothing heavier than its capacity', () => {
    const cache = new BoundedCache<string, number[]>(2, (list) => list.length);
    cache.set('a', [1]);
    cache.set('b', [1, 2, 3]);
    expect(keys(cache, ['a', 'b'])).toEqual([]);
    cache.set('c', [1, 2]);
    expect(keys(cache, ['c'])).toEqual(['c']);
  });
});
