import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/search/rng.ts';
import type { SearchSpace } from '../../../src/search/space.ts';
import { encodeSpace } from '../../../src/search/tpe/encoding.ts';
import { localFocus } from '../../../src/search/tpe/engine.ts';
import { buildParzen, sampleParzen } from '../../../src/search/tpe/parzen.ts';
import { readMultivariateTpe, readTpe } from '../../../src/search/tpe/settings.ts';
import type { Split } from '../../../src/search/tpe/split.ts';

const space: SearchSpace = [
  { name: 'x', domain: { kind: 'double', min: 0, max: 1, scale: 'uniform' } },
  { name: 'c', domain: { kind: 'categorical', values: ['a', 'b', 'c'] } },
];
const enc = encodeSpace(space);
/** Two good points far apart: (0.3, "a") and (0.85, "c"). */
const group = {
  columns: [Float64Array.from([0.3, 0.85]), Float64Array.from([0, 2])],
  weights: Float64Array.from([1, 1]),
  size: 2,
};
const parzen = buildParzen(enc.dims, group, 1);

function stats(values: Float64Array): { mean: number; sd: number; min: number; max: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return { mean, sd, min: Math.min(...values), max: Math.max(...values) };
}

describe('sampling a Parzen estimator with a focus', () => {
  const kernel = parzen.kernels[0]!;
  if (kernel.kind !== 'numeric') throw new Error('x should have numeric kernels');
  const sigma = kernel.sigmas[0]!;

  it('draws from every component without one', () => {
    const x = sampleParzen(parzen, enc.dims, 2000, new Rng(1)).values[0]!;
    expect(x.filter((v) => v > 0.5).length).toBeGreaterThan(300);
    expect(x.filter((v) => v < 0.5).length).toBeGreaterThan(300);
  });

  it('draws only around the focused component, at the scaled width, keeping its category mostly', () => {
    const draws = sampleParzen(parzen, enc.dims, 4000, new Rng(2), { component: 0, widthScale: 0.35 });
    const x = stats(draws.values[0]!);
    expect(x.mean).toBeCloseTo(0.3, 2);
    expect(x.sd / (0.35 * sigma)).toBeGreaterThan(0.9);
    expect(x.sd / (0.35 * sigma)).toBeLessThan(1.1);
    expect(x.max).toBeLessThan(0.3 + 6 * 0.35 * sigma);
    // The categorical kernel is not narrowed: it keeps 'a' (index 0) with the usual chance, else any category.
    const kept = draws.values[1]!.filter((c) => c === 0).length / 4000;
    expect(kept).toBeGreaterThan(0.5);
    expect(draws.values[1]!.some((c) => c === 2)).toBe(true);
  });
});

describe('localFocus', () => {
  const split = (best: number): Split => ({ good: group, bad: group, liars: 0, best });

  it('centres on the best observation, alternating two scales by trial index, with a third of the candidates', () => {
    const tpe = readTpe({}, 1);
    expect(localFocus(split(1), tpe, 7)).toEqual({ focus: { component: 1, widthScale: 0.5 }, candidates: 8 });
    expect(localFocus(split(1), tpe, 8)).toEqual({ focus: { component: 1, widthScale: 1 }, candidates: 8 });
    const mv = readMultivariateTpe({ n_ei_candidates: '3' }, 1);
    expect(localFocus(split(0), mv, 5)).toEqual({ focus: { component: 0, widthScale: 0.35 }, candidates: 1 });
  });

  it('has nothing to refine without observations', () => {
    expect(localFocus(split(-1), readTpe({}, 1), 5)).toBeUndefined();
  });
});
