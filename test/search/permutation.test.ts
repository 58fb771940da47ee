import { describe, expect, it } from 'vitest';
import { IndexPermutation } from '../../src/search/permutation.ts';

describe('IndexPermutation', () => {
  it.each([1, 2, 3, 5, 17, 64, 1000, 4097])('is a bijection of [0, %s)', (size) => {
    const p = new IndexPermutation(size, 7);
    const images = Array.from({ length: size }, (_, i) => p.at(i));
    expect(new Set(images).size).toBe(size);
    for (const x of images) expect(x >= 0 && x < size).toBe(true);
  });

  it('depends on the seed and actually shuffles', () => {
    const a = Array.from({ length: 100 }, (_, i) => new IndexPermutation(100, 1).at(i));
    const b = Array.from({ length: 100 }, (_, i) => new IndexPermutation(100, 2).at(i));
    expect(a).not.toEqual(b);
    expect(a.filter((x, i) => x === i).length).toBeLessThan(10);
  });

  it('handles huge sizes without materialising them', () => {
    const size = 2 ** 50 + 3;
    const p = new IndexPermutation(size, 3);
    const xs = [0, 1, 2, size - 1].map((i) => p.at(i));
    expect(new Set(xs).size).toBe(4);
    for (const x of xs) expect(Number.isSafeInteger(x) && x < size).toBe(true);
  });

  it('rejects bad sizes and indices', () => {
    expect(() => new IndexPermutation(0, 1)).toThrow(/size/);
    expect(() => new IndexPermutation(10, 1).at(10)).toThrow(/outside/);
  });
});
