import { describe, expect, it } from 'vitest';
import { LruCache } from '../../src/ui/lru.ts';

describe('LruCache', () => {
  it('drops the least recently used entry once past its capacity', () => {
    const c = new LruCache<string, number>(2);
    c.set('a', 1);
    c.set('b', 2);
    c.set('c', 3);
    expect(c.size).toBe(2);
    expect(c.get('a')).toBeUndefined();
    expect(c.keys()).toEqual(['b', 'c']);
  });

  it('counts a read or a write as a use', () => {
    const c = new LruCache<string, number>(2);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1);
    c.set('c', 3);
    expect(c.keys()).toEqual(['a', 'c']);
    c.set('a', 10);
    c.set('d', 4);
    expect(c.keys()).toEqual(['a', 'd']);
    expect(c.get('a')).toBe(10);
  });

  it('never holds more than its capacity, however many keys pass through', () => {
    const c = new LruCache<number, number>(3);
    for (let i = 0; i < 1000; i++) c.set(i, i);
    expect(c.size).toBe(3);
    expect(c.keys()).toEqual([997, 998, 999]);
  });

  it('refuses a capacity below one', () => {
    expect(() => new LruCache(0)).toThrow('at least one entry');
    expect(() => new LruCache(1.5)).toThrow(RangeError);
  });
});
