import { describe, expect, it } from 'vitest';
import { acquisitionContext } from '../../../src/search/gp/acquisition.ts';
import { SpaceEncoder } from '../../../src/search/gp/encode.ts';
import type { Hyper } from '../../../src/search/gp/kernel.ts';
import { GpModel } from '../../../src/search/gp/model.ts';
import { maximizeAcquisition, refinementStarts, sweepCandidates } from '../../../src/search/gp/optimize.ts';
import { Rng } from '../../../src/search/rng.ts';
import type { SearchSpace } from '../../../src/search/space.ts';

/** One-dimensional candidates 0, 1, …, m−1 (as points) with the given scores. */
function line(scores: number[]): { points: Float64Array; scores: Float64Array; order: number[] } {
  const points = Float64Array.from(scores, (_, c) => c);
  const s = Float64Array.from(scores);
  const order = scores.map((_, c) => c).sort((a, b) => s[b]! - s[a]! || a - b);
  return { points, scores: s, order };
}

describe('refinementStarts', () => {
  // Two basins: a cluster of near-equal scores (0–9, as the perturbations of one incumbent score) and a second,
  // slightly lower one (10–19). Taking the top k puts every start in the first; the roulette reaches the second.
  const basins = [
    ...Array.from({ length: 10 }, (_, c) => -c * 0.01),
    ...Array.from({ length: 10 }, (_, c) => -0.5 - c * 0.01),
  ];

  it('starts from the best candidate, then draws others without repeats, the same for a seed', () => {
    const { points, scores, order } = line(basins);
    const a = refinementStarts(points, 1, scores, order, 5, 42).map((x) => x[0]);
    expect(a[0]).toBe(0);
    expect(new Set(a).size).toBe(5);
    expect(refinementStarts(points, 1, scores, order, 5, 42).map((x) => x[0])).toEqual(a);
    expect(refinementStarts(points, 1, scores, order, 5, 43).map((x) => x[0])).not.toEqual(a);
  });

  it('reaches a second basin that the top few never do', () => {
    const { points, scores, order } = line(basins);
    let second = 0;
    for (let seed = 0; seed < 50; seed++) {
      if (refinementStarts(points, 1, scores, order, 5, seed).some((x) => x[0]! >= 10)) second++;
    }
    // exp(−0.5) ≈ 0.6 of the weight of the first basin per candidate: most seeds draw at least one start there.
    expect(second).toBeGreaterThan(40);
    expect(order.slice(0, 5).every((c) => c < 10)).toBe(true);
  });

  it('never draws candidates with no weight, so it may return fewer starts than asked', () => {
    const { points, scores, order } = line([0, Number.NEGATIVE_INFINITY, -1, Number.NaN]);
    const starts = refinementStarts(points, 1, scores, order, 4, 1).map((x) => x[0]);
    expect(starts.sort()).toEqual([0, 2]);
    expect(refinementStarts(points, 1, scores, order, 0, 1)).toEqual([]);
  });
});

describe('maximizeAcquisition', () => {
  const space: SearchSpace = [
    { name: 'a', domain: { kind: 'double', min: 0, max: 1, scale: 'uniform' } },
    { name: 'b', domain: { kind: 'double', min: 0, max: 1, scale: 'uniform' } },
  ];
  const encoder = new SpaceEncoder(space);
  const hyper: Hyper = { logLength: [Math.log(0.2), Math.log(0.2)], logSignal: 0, logNoise: Math.log(1e-6) };
  const rng = new Rng(5);
  const n = 15;
  const X = Float64Array.from({ length: n * 2 }, () => rng.next());
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(6 * X[2 * i]!) + Math.cos(5 * X[2 * i + 1]!));
  const model = GpModel.fit(X, y, n, 2, hyper);
  const best = Math.min(...y);
  const bestRow = y.indexOf(best);
  const incumbent = X.slice(bestRow * 2, bestRow * 2 + 2);
  const sweep = sweepCandidates(model, encoder, { seed: 3, size: 256, incumbents: [incumbent] });

  it('is deterministic for a seed, and says which search found each candidate', () => {
    const options = { starts: 4, iterations: 30, fallbacks: 8, seed: 9, extraStarts: [incumbent] };
    const run = () => maximizeAcquisition(model, encoder, 'EI', acquisitionContext(best), sweep, options);
    const a = run();
    expect(run()).toEqual(a);
    const origins = new Set(a.map((c) => c.origin));
    expect(origins).toContain('sweep');
    expect(origins).toContain('refined-best');
    expect(origins).toContain('refined-incumbent');
    // Refinement only climbs: the best refined value is at least the sweep's best.
    const sweepBest = Math.max(...a.filter((c) => c.origin === 'sweep').map((c) => c.value));
    expect(a[0]!.value).toBeGreaterThanOrEqual(sweepBest);
    for (let i = 1; i < a.length; i++) expect(a[i]!.value).toBeLessThanOrEqual(a[i - 1]!.value);
  });

  it('refines nothing, not even the incumbent, with acq_optimizer sampling (no starts)', () => {
    const options = { starts: 0, iterations: 30, fallbacks: 8, seed: 9, extraStarts: [incumbent] };
    const a = maximizeAcquisition(model, encoder, 'EI', acquisitionContext(best), sweep, options);
    expect(a.every((c) => c.origin === 'sweep')).toBe(true);
    expect(a).toHaveLength(8);
  });
});
