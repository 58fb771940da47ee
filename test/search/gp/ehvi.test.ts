import { describe, expect, it } from 'vitest';
import { HypervolumeCells, maxColumns } from '../../../src/search/gp/ehvi.ts';
import { columnsFor, nonDominated, paretoScore, referencePoint, thinFront } from '../../../src/search/gp/pareto.ts';
import { nonDominatedSort } from '../../../src/search/multiobjective/dominance.ts';
import { hypervolume } from '../../../src/search/multiobjective/hypervolume.ts';
import { Rng } from '../../../src/search/rng.ts';

/** A random non-dominated set of `n` points in `m` objectives (on the sphere's positive part, perturbed). */
function randomFront(rng: Rng, n: number, m: number): number[][] {
  const points = Array.from({ length: n }, () => {
    const v = Array.from({ length: m }, () => Math.abs(rng.normal()) + 1e-3);
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm + 0.05 * rng.next());
  });
  return nonDominated(points).map((i) => points[i]!);
}

/** The hypervolume improvement by its definition: HV(front ∪ {y}) − HV(front). */
function bruteImprovement(front: number[][], y: number[], reference: number[]): number {
  return hypervolume([...front, y], reference) - hypervolume(front, reference);
}

describe('HypervolumeCells (exact hypervolume improvement by box decomposition)', () => {
  it.each([2, 3, 4])('gives HV(front ∪ {y}) − HV(front) for every point, %i objectives', (m) => {
    const rng = new Rng(m);
    for (let round = 0; round < 5; round++) {
      const front = randomFront(rng, 4 + 3 * round, m);
      const reference = Array.from({ length: m }, () => 1.3);
      const cells = new HypervolumeCells(front, reference);
      for (let j = 0; j < 40; j++) {
        // Points around the front: dominated ones, improving ones, some beyond the reference in one objective.
        const y = Array.from({ length: m }, () => 1.5 * rng.next());
        expect(cells.improvement(y)).toBeCloseTo(bruteImprovement(front, y, reference), 10);
      }
    }
  });

  it('ignores dominated members and members outside the reference box', () => {
    const reference = [2, 2];
    const front = [
      [0.5, 1],
      [1, 0.5],
    ];
    const plain = new HypervolumeCells(front, reference);
    const padded = new HypervolumeCells([...front, [1, 1], [0.2, 3], [0.5, 1]], reference);
    for (const y of [
      [0.1, 0.1],
      [0.7, 0.7],
      [1.5, 0.2],
    ])
      expect(padded.improvement(y)).toBeCloseTo(plain.improvement(y), 12);
  });

  it.each([2, 3])('matches a Monte Carlo estimate of the expected improvement, %i objectives', (m) => {
    const rng = new Rng(10 + m);
    const front = randomFront(rng, 8, m);
    const reference = Array.from({ length: m }, () => 1.2);
    const cells = new HypervolumeCells(front, reference);
    const mean = Array.from({ length: m }, () => 0.3 + 0.5 * rng.next());
    const sd = Array.from({ length: m }, () => 0.1 + 0.3 * rng.next());
    const draws = 20_000;
    let sum = 0;
    let sum2 = 0;
    for (let s = 0; s < draws; s++) {
      const y = mean.map((mu, k) => mu + sd[k]! * rng.normal());
      const v = bruteImprovement(front, y, reference);
      sum += v;
      sum2 += v * v;
    }
    const estimate = sum / draws;
    const standardError = Math.sqrt((sum2 / draws - estimate * estimate) / draws);
    expect(estimate).toBeGreaterThan(0);
    expect(Math.abs(cells.expected(mean, sd) - estimate)).toBeLessThan(4 * standardError);
  });

  it('tends to the improvement at the mean as the spread vanishes', () => {
    const front = randomFront(new Rng(5), 10, 3);
    const cells = new HypervolumeCells(front, [1.4, 1.4, 1.4]);
    const mean = [0.4, 0.5, 0.45];
    expect(cells.expected(mean, [1e-9, 1e-9, 1e-9])).toBeCloseTo(cells.improvement(mean), 8);
  });

  it.each([2, 3])('has the gradient of its value (central differences), %i objectives', (m) => {
    const rng = new Rng(20 + m);
    const front = randomFront(rng, 7, m);
    const cells = new HypervolumeCells(
      front,
      Array.from({ length: m }, () => 1.3),
    );
    const mean = Array.from({ length: m }, () => 0.5 + 0.3 * rng.next());
    const sd = Array.from({ length: m }, () => 0.1 + 0.2 * rng.next());
    const g = cells.expectedWithGradient(mean, sd);
    expect(g.value).toBeCloseTo(cells.expected(mean, sd), 12);
    const h = 1e-6;
    for (let k = 0; k < m; k++) {
      const shifted = (v: number[], by: number) => v.map((x, j) => (j === k ? x + by : x));
      const dMean = (cells.expected(shifted(mean, h), sd) - cells.expected(shifted(mean, -h), sd)) / (2 * h);
      const dSd = (cells.expected(mean, shifted(sd, h)) - cells.expected(mean, shifted(sd, -h))) / (2 * h);
      expect(g.dMean[k]).toBeCloseTo(dMean, 6);
      expect(g.dSd[k]).toBeCloseTo(dSd, 6);
    }
  });
});

describe('the front and reference point multi-objective bayesianoptimization uses', () => {
  it('nonDominated finds the first front of nonDominatedSort (one of equal points)', () => {
    const rng = new Rng(3);
    const points = Array.from({ length: 60 }, () => [rng.int(0, 9), rng.int(0, 9), rng.int(0, 9)]);
    const first = nonDominatedSort(points)[0]!;
    const distinct = first.filter((i) => !first.some((j) => j < i && points[j]!.every((v, k) => v === points[i]![k])));
    expect(nonDominated(points)).toEqual(distinct);
  });

  it('puts the reference point 10% of the front’s range beyond its worst value, at least the floor', () => {
    expect(
      referencePoint(
        [
          [0, 4],
          [2, 1],
        ],
        0.1,
      ),
    ).toEqual([2.2, 4.3]);
    expect(referencePoint([[1, 1]], 0.1)).toEqual([1.1, 1.1]);
  });

  it('thins only a front whose decomposition would pass the column bound, keeping each objective’s best', () => {
    const rng = new Rng(9);
    const small = randomFront(rng, 40, 3);
    expect(thinFront(small)).toEqual(small.map((_, i) => i));
    const big = randomFront(rng, 600, 3);
    expect(columnsFor(big)).toBeGreaterThan(maxColumns);
    const kept = thinFront(big);
    expect(columnsFor(kept.map((i) => big[i]!))).toBeLessThanOrEqual(maxColumns);
    expect(kept.length).toBeGreaterThan(50);
    for (let k = 0; k < 3; k++) {
      const best = big.reduce((b, p, i) => (p[k]! < big[b]![k]! ? i : b), 0);
      expect(kept).toContain(best);
    }
  });

  it('scores the front first, then by the worst scaled objective, for the models’ subset past their cap', () => {
    const losses = [
      [0, 4],
      [2, 1],
      [2, 4],
      [1.5, 2],
      [0.5, 2.5],
    ];
    const front = nonDominated(losses);
    expect(front).toEqual([0, 1, 3, 4]);
    // (2, 4) is the worst in both objectives; every front member comes before it.
    expect(Array.from(paretoScore(losses, front))).toEqual([-1, -1, 1, -1, -1]);
  });
});
