import { describe, expect, it } from 'vitest';
import { hypervolume, hypervolumeContributions } from '../../../src/search/multiobjective/hypervolume.ts';

/** A Monte-Carlo-free check: the exact volume of a union of boxes by inclusion–exclusion, for a few points. */
function inclusionExclusion(points: number[][], reference: number[]): number {
  const n = points.length;
  let total = 0;
  for (let mask = 1; mask < 1 << n; mask++) {
    const corner = reference.map(() => Number.NEGATIVE_INFINITY);
    let bits = 0;
    for (let i = 0; i < n; i++) {
      if (!(mask & (1 << i))) continue;
      bits++;
      points[i]!.forEach((v, k) => {
        corner[k] = Math.max(corner[k]!, v);
      });
    }
    const box = corner.reduce((acc, c, k) => acc * Math.max(0, reference[k]! - c), 1);
    total += bits % 2 === 1 ? box : -box;
  }
  return total;
}

describe('hypervolume', () => {
  it('is the area of a staircase in two objectives', () => {
    // Boxes [1,4]x[3,4], [2,4]x[2,4], [3,4]x[1,4]: 3 + 2·1 + 1·1 = 6.
    expect(
      hypervolume(
        [
          [1, 3],
          [2, 2],
          [3, 1],
        ],
        [4, 4],
      ),
    ).toBeCloseTo(6, 12);
  });

  it('ignores dominated points and points outside the reference box', () => {
    const front = [
      [1, 3],
      [3, 1],
    ];
    const base = hypervolume(front, [4, 4]);
    expect(hypervolume([...front, [3, 3], [5, 0], [4, 0]], [4, 4])).toBeCloseTo(base, 12);
    expect(hypervolume([], [1, 1])).toBe(0);
  });

  it('matches known 3-objective values', () => {
    expect(hypervolume([[0, 0, 0]], [1, 1, 1])).toBeCloseTo(1, 12);
    const corners = [
      [0.5, 0, 0],
      [0, 0.5, 0],
      [0, 0, 0.5],
    ];
    // Union of three boxes of volume 1/2, pairwise overlaps 1/4, triple overlap 1/8: 3/2 − 3/4 + 1/8 = 7/8.
    expect(hypervolume(corners, [1, 1, 1])).toBeCloseTo(7 / 8, 12);
  });

  it('agrees with inclusion–exclusion on random points in 2, 3 and 4 objectives', () => {
    let s = 11;
    const next = () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return (s % 10000) / 10000;
    };
    for (const m of [2, 3, 4]) {
      for (let run = 0; run < 5; run++) {
        const points = Array.from({ length: 8 }, () => Array.from({ length: m }, next));
        const reference = new Array(m).fill(1.1);
        expect(hypervolume(points, reference)).toBeCloseTo(inclusionExclusion(points, reference), 10);
      }
    }
  });

  it('gives the exact hypervolume of a dense sample of the linear front x + y = 1', () => {
    // 101 evenly spaced points on the front, reference (1, 1): 1/2 minus 100 triangles of area (1/100)²/2.
    const points = Array.from({ length: 101 }, (_, i) => [i / 100, 1 - i / 100]);
    expect(hypervolume(points, [1, 1])).toBeCloseTo(0.5 - 100 * 0.5 * 0.01 * 0.01, 12);
  });
});

describe('hypervolumeContributions', () => {
  it('is what the set loses without each point', () => {
    const c = hypervolumeContributions(
      [
        [1, 3],
        [2, 2],
        [3, 1],
        [3, 3],
      ],
      [4, 4],
    );
    expect([...c]).toEqual([1, 1, 1, 0]);
  });
});
