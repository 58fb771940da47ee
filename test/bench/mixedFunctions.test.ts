import { describe, expect, it } from 'vitest';
import { mixedFunctions } from '../../bench/search/mixedFunctions.ts';
import { discreteCombinations, enumerateOptimum, isDiscrete } from '../../bench/search/mixedSpace.ts';
import { contains, fromUnit, sample } from '../../src/search/distributions.ts';
import { Rng } from '../../src/search/rng.ts';
import type { Assignment, ParamValue } from '../../src/search/space.ts';

const all = Object.values(mixedFunctions);

/** A uniformly drawn assignment of the whole space. */
function draw(space: (typeof all)[number]['space'], rng: Rng): Record<string, ParamValue> {
  return Object.fromEntries(space.map((p) => [p.name, sample(p.domain, rng)]));
}

describe('mixed-space benchmark functions', () => {
  it.each(all)('$name: the listed optimum is the enumerated minimum and its argmin attains it', (fn) => {
    const found = enumerateOptimum(fn);
    expect(Math.abs(found.value - fn.optimum)).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(fn.evaluate(fn.argmin) - fn.optimum)).toBeLessThanOrEqual(1e-12);
    for (const p of fn.space) expect(contains(p.domain, fn.argmin[p.name]!), p.name).toBe(true);
  });

  it.each(all)('$name: mixes kinds as a Katib experiment would declare them', (fn) => {
    const kinds = new Set(
      fn.space.map((p) => (p.domain.kind === 'double' && isDiscrete(p) ? 'stepped double' : p.domain.kind)),
    );
    expect(kinds.has('categorical')).toBe(true);
    expect(kinds.has('int')).toBe(true);
    expect(fn.space.some((p) => p.domain.kind === 'double' && p.domain.scale === 'logUniform')).toBe(true);
    expect(fn.space.some((p) => p.domain.kind === 'int' && p.domain.step > 1)).toBe(true);
  });

  it.each(all)('$name: bestContinuous beats a dense grid over the doubles for sampled discrete parts', (fn) => {
    const rng = new Rng(7);
    const doubles = fn.space.filter((p) => !isDiscrete(p));
    const combos = discreteCombinations(fn.space, fn.activeWhen);
    const picks: Assignment[] = [
      fn.argmin,
      ...Array.from({ length: 8 }, () => combos[Math.floor(rng.next() * combos.length)]!),
    ];
    // 2 doubles per function: 101 × 101 points of the unit square, through each domain's own (log) scale.
    const n = 101;
    for (const pick of picks) {
      const discrete = Object.fromEntries(Object.entries(pick).filter(([k]) => !doubles.some((p) => p.name === k)));
      const best = fn.evaluate({ ...discrete, ...fn.bestContinuous(discrete) });
      let grid = Number.POSITIVE_INFINITY;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const point: Record<string, ParamValue> = { ...discrete };
          doubles.forEach((p, d) => {
            point[p.name] = fromUnit(p.domain, (d === 0 ? i : j) / (n - 1));
          });
          grid = Math.min(grid, fn.evaluate(point));
        }
      }
      expect(doubles.length).toBe(2);
      expect(best).toBeLessThanOrEqual(grid + 1e-12);
      // …and the grid gets close to it, so the closed form is the minimiser, not merely some low point.
      expect(grid - best).toBeLessThan(2e-3);
    }
  });

  it.each(all)('$name: no random point goes below the optimum', (fn) => {
    const rng = new Rng(11);
    let lowest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 20_000; i++) lowest = Math.min(lowest, fn.evaluate(draw(fn.space, rng)));
    expect(lowest).toBeGreaterThanOrEqual(fn.optimum);
    // The problem is not trivial: 20,000 random draws (200 times the budget) still leave a regret.
    expect(lowest - fn.optimum).toBeGreaterThan(1e-4);
  });

  it('pipeline: a parameter of another model changes nothing', () => {
    const fn = mixedFunctions.pipeline!;
    const rng = new Rng(3);
    for (let i = 0; i < 500; i++) {
      const point = draw(fn.space, rng);
      const other = draw(fn.space, rng);
      for (const [name, when] of Object.entries(fn.activeWhen ?? {})) {
        if (point[when.param] === when.value) continue;
        expect(fn.evaluate({ ...point, [name]: other[name]! }), name).toBe(fn.evaluate(point));
      }
    }
  });

  it('rejects an assignment with a wrong category or a missing number', () => {
    const fn = mixedFunctions.mlp!;
    expect(() => fn.evaluate({ ...fn.argmin, optimizer: 'lbfgs' })).toThrow(/optimizer should be one of/);
    const { layers: _layers, ...missing } = fn.argmin;
    expect(() => fn.evaluate(missing)).toThrow(/layers should be a number/);
  });

  it('enumerates every discrete combination, one value for an inactive parameter', () => {
    expect(discreteCombinations(mixedFunctions.mlp!.space)).toHaveLength(16 * 8 * 4 * 3);
    expect(discreteCombinations(mixedFunctions.boosting!.space)).toHaveLength(3 * 20 * 11 * 8);
    // svm: 1 × 1 × 1, knn: 50 neighbours, forest: 50 tree counts × 19 feature fractions; × model-free 4 × 5.
    expect(discreteCombinations(mixedFunctions.pipeline!.space, mixedFunctions.pipeline!.activeWhen)).toHaveLength(
      4 * 5 * (1 + 50 + 50 * 19),
    );
  });
});
