import { describe, expect, it } from 'vitest';
import { contains } from '../../../src/search/distributions.ts';
import { explore, perturbNumber } from '../../../src/search/pbt/index.ts';
import { Rng } from '../../../src/search/rng.ts';
import type { Domain } from '../../../src/search/space.ts';
import { space } from './sim.ts';

type Numeric = Extract<Domain, { kind: 'int' | 'double' }>;

const ints: Numeric = { kind: 'int', min: 1, max: 8, step: 1, scale: 'uniform' };
const signed: Numeric = { kind: 'int', min: -5, max: 5, step: 1, scale: 'uniform' };
const byTwo: Numeric = { kind: 'int', min: 0, max: 64, step: 2, scale: 'uniform' };
const momentum: Numeric = { kind: 'double', min: 0.5, max: 0.99, step: 0.01, scale: 'uniform' };
const lr: Numeric = { kind: 'double', min: 1e-4, max: 1, scale: 'logUniform' };

describe('pbt perturbation of numbers', () => {
  const cases: [string, Numeric, number, number, number][] = [
    ['int 5 up', ints, 5, 1.2, 6],
    ['int 5 down', ints, 5, 0.8, 4],
    // ×1.2 and ×0.8 round back to 2; PBT still moves one step (Katib's int() would leave it).
    ['int 2 up', ints, 2, 1.2, 3],
    ['int 2 down', ints, 2, 0.8, 1],
    ['int at min', ints, 1, 0.8, 1],
    ['int at max', ints, 8, 1.2, 8],
    ['negative int grows away from 0', signed, -2, 1.2, -3],
    ['zero moves by the factor direction', signed, 0, 0.8, -1],
    ['zero up', signed, 0, 1.2, 1],
    ['step 2', byTwo, 20, 1.2, 24],
    ['stepped double snapped', momentum, 0.7, 1.2, 0.84],
    ['stepped double clamped', momentum, 0.9, 1.2, 0.99],
    ['stepped double clamped low', momentum, 0.6, 0.8, 0.5],
    ['continuous double', lr, 0.01, 1.2, 0.012],
    ['continuous double clamped', lr, 0.9, 1.2, 1],
  ];
  it.each(cases)('%s', (_label, domain, value, factor, expected) => {
    const out = perturbNumber(domain, value, factor);
    expect(out).toBeCloseTo(expected, 12);
    expect(contains(domain, out)).toBe(true);
  });
});

describe('pbt explore', () => {
  it('moves list values one place and turns back at the ends', () => {
    const opt = space.find((p) => p.name === 'opt')!;
    const seen = new Map<string, Set<unknown>>();
    for (let seed = 0; seed < 40; seed++) {
      for (const from of ['sgd', 'adam', 'rmsprop']) {
        const to = explore([opt], { opt: from }, new Rng(seed)).params.opt;
        seen.set(from, (seen.get(from) ?? new Set()).add(to));
      }
    }
    expect(seen.get('sgd')).toEqual(new Set(['adam']));
    expect(seen.get('rmsprop')).toEqual(new Set(['adam']));
    expect(seen.get('adam')).toEqual(new Set(['sgd', 'rmsprop']));
  });

  it('keeps every value in its domain and uses both factors', () => {
    const factors = new Set<string>();
    for (let seed = 0; seed < 200; seed++) {
      const rng = new Rng(seed);
      const start = { lr: 0.05, momentum: 0.9, layers: 4, opt: 'adam', batch: 32 };
      const out = explore(space, start, rng);
      for (const p of space) expect(contains(p.domain, out.params[p.name] as number | string), p.name).toBe(true);
      factors.add(out.explore.lr as string);
    }
    expect(factors).toEqual(new Set(['×0.8', '×1.2']));
  });

  it('draws afresh a value the domain no longer holds', () => {
    const out = explore(space, { lr: 5, momentum: 0.9, layers: 4, opt: 'nadam', batch: 32 }, new Rng(1));
    expect(out.explore).toMatchObject({ lr: 'resampled', opt: 'resampled' });
    expect(contains(space[0]!.domain, out.params.lr as number)).toBe(true);
  });
});
