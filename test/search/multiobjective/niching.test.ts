import { describe, expect, it } from 'vitest';
import { nicheSelect } from '../../../src/search/multiobjective/niching.ts';
import { dasDennisPoints } from '../../../src/search/multiobjective/referencePoints.ts';
import { Rng } from '../../../src/search/rng.ts';

describe('nicheSelect (NSGA-III)', () => {
  const references = dasDennisPoints(3, 2); // 6 lines: 3 axes and 3 edge midpoints

  it('fills empty niches first, with the member closest to each line', () => {
    // A crowd near the first axis and one point on each other axis; all mutually non-dominated.
    const points = [
      [1, 0, 0],
      [0.98, 0.01, 0.01],
      [0.97, 0.02, 0.01],
      [0, 1, 0],
      [0, 0, 1],
    ];
    const chosen = nicheSelect({ points, kept: [], last: [0, 1, 2, 3, 4], count: 3, references, rng: new Rng(1) });
    expect(chosen.sort()).toEqual([0, 3, 4]);
  });

  it('counts the kept members: niches they occupy come last', () => {
    const points = [
      [0, 1, 0],
      [0, 0, 1],
      [1, 0, 0],
      [0.95, 0.05, 0],
    ];
    // Members 0 and 1 are kept; of 2 and 3 (both near the first axis) one is wanted: the one on the line.
    const chosen = nicheSelect({ points, kept: [0, 1], last: [2, 3], count: 1, references, rng: new Rng(2) });
    expect(chosen).toEqual([2]);
  });

  it('returns every candidate when there is room, and is deterministic for a stream', () => {
    const points = Array.from({ length: 12 }, (_, i) => {
      const t = (i / 11) * (Math.PI / 2);
      return [Math.cos(t), Math.sin(t), 0.5];
    });
    const last = points.map((_, i) => i);
    expect(nicheSelect({ points, kept: [], last, count: 20, references, rng: new Rng(3) })).toEqual(last);
    const a = nicheSelect({ points, kept: [], last, count: 5, references, rng: new Rng(3) });
    expect(nicheSelect({ points, kept: [], last, count: 5, references, rng: new Rng(3) })).toEqual(a);
    expect(new Set(a).size).toBe(5);
  });
});
