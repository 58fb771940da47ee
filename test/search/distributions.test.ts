import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contains, fromUnit, gridSize, gridValues, sample, toUnit } from '../../src/search/distributions.ts';
import { Rng } from '../../src/search/rng.ts';
import type { Domain, Scale } from '../../src/search/space.ts';
import { stepPoint } from '../../src/search/steps.ts';

const scales: Scale[] = ['uniform', 'logUniform', 'normal', 'logNormal'];
const isLog = (s: Scale) => s === 'logUniform' || s === 'logNormal';

/** Arbitrary domains of every kind; log scales get min > 0, steps are sometimes "decimal" (0.01, 0.25 …). */
const domainArb: fc.Arbitrary<Domain> = fc.oneof(
  fc
    .record({
      scale: fc.constantFrom(...scales),
      min: fc.double({ min: -1e4, max: 1e4, noNaN: true }),
      logMin: fc.double({ min: 1e-6, max: 1e3, noNaN: true }),
      span: fc.double({ min: 1e-3, max: 1e4, noNaN: true }),
      step: fc.option(fc.constantFrom(0.001, 0.01, 0.05, 0.1, 0.25, 0.3, 1, 7.5), { nil: undefined }),
    })
    .map(({ scale, min, logMin, span, step }): Domain => {
      const lo = isLog(scale) ? logMin : min;
      const base = { kind: 'double' as const, min: lo, max: lo + span, scale };
      return step === undefined ? base : { ...base, step };
    }),
  fc
    .record({
      scale: fc.constantFrom(...scales),
      min: fc.integer({ min: -1000, max: 1000 }),
      span: fc.integer({ min: 0, max: 5000 }),
      step: fc.integer({ min: 1, max: 20 }),
    })
    .map(({ scale, min, span, step }): Domain => {
      const lo = isLog(scale) ? Math.abs(min) + 1 : min;
      return { kind: 'int', min: lo, max: lo + span, step, scale };
    }),
  fc
    .uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 })
    .map((values): Domain => ({ kind: 'categorical', values })),
  fc
    .uniqueArray(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 8 })
    .map((values): Domain => ({ kind: 'discrete', values })),
);

describe('sample / fromUnit / toUnit properties', () => {
  it('sample() always gives a value the domain contains', () => {
    fc.assert(
      fc.property(domainArb, fc.integer({ min: 0, max: 2 ** 31 }), (domain, seed) => {
        const rng = new Rng(seed);
        for (let i = 0; i < 20; i++) expect(contains(domain, sample(domain, rng))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('fromUnit() maps all of [0, 1] (including both ends) into the domain', () => {
    fc.assert(
      fc.property(domainArb, fc.double({ min: 0, max: 1, noNaN: true }), (domain, u) => {
        expect(contains(domain, fromUnit(domain, u))).toBe(true);
        expect(contains(domain, fromUnit(domain, 0))).toBe(true);
        expect(contains(domain, fromUnit(domain, 1))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('toUnit() lies in [0, 1] and fromUnit(toUnit(v)) gives v back', () => {
    fc.assert(
      fc.property(domainArb, fc.integer({ min: 0, max: 2 ** 31 }), (domain, seed) => {
        const v = sample(domain, new Rng(seed));
        const u = toUnit(domain, v);
        expect(u).toBeGreaterThanOrEqual(0);
        expect(u).toBeLessThanOrEqual(1);
        const back = fromUnit(domain, u);
        if (typeof v === 'number' && domain.kind === 'double' && domain.step === undefined) {
          expect(back as number).toBeCloseTo(v, 6 - Math.max(0, Math.ceil(Math.log10(Math.abs(v) + 1))));
        } else {
          expect(back).toBe(v);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('gridValues() are all contained, distinct and increasing for numeric domains', () => {
    const stepped = domainArb.filter((d) => d.kind !== 'double' || d.step !== undefined);
    fc.assert(
      fc.property(stepped, (domain) => {
        if (gridSize(domain) > 2000) return;
        const values = gridValues(domain);
        expect(values.length).toBe(gridSize(domain));
        for (const v of values) expect(contains(domain, v)).toBe(true);
        if (domain.kind === 'double' || domain.kind === 'int') {
          for (let i = 1; i < values.length; i++) expect(values[i]! > values[i - 1]!).toBe(true);
          // The next point of the lattice (rounded as the grid rounds its points, see stepPoint) would leave the
          // range. Unrounded arithmetic can land exactly on max when the rounded point is one ulp above it.
          expect(stepPoint(domain.min, domain.step ?? 1, values.length)).toBeGreaterThan(domain.max);
        }
      }),
      { numRuns: 300 },
    );
  });
});

function draws(domain: Domain, n: number, seed = 11): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => sample(domain, rng) as number);
}

function moments(xs: number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, sd: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) };
}

describe('Katib distribution semantics', () => {
  it('normal: mean (min+max)/2, sd (max-min)/6, never outside [min, max]', () => {
    const xs = draws({ kind: 'double', min: 0, max: 6, scale: 'normal' }, 20000);
    const { mean, sd } = moments(xs);
    expect(Math.abs(mean - 3)).toBeLessThan(0.03);
    // Truncation at ±3 sd shrinks the sd by about 1.4%.
    expect(Math.abs(sd - 0.986)).toBeLessThan(0.03);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThanOrEqual(6);
  });

  it('logNormal: the same moments in log space', () => {
    const xs = draws({ kind: 'double', min: 1, max: Math.exp(6), scale: 'logNormal' }, 20000).map(Math.log);
    const { mean, sd } = moments(xs);
    expect(Math.abs(mean - 3)).toBeLessThan(0.03);
    expect(Math.abs(sd - 0.986)).toBeLessThan(0.03);
  });

  it('logUniform: uniform in log space', () => {
    const xs = draws({ kind: 'double', min: 1e-3, max: 1e3, scale: 'logUniform' }, 20000).map(Math.log10);
    const { mean, sd } = moments(xs);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(sd - 6 / Math.sqrt(12))).toBeLessThan(0.03);
  });

  it('uniform int gives the end values the same chance as the middle (unlike hyperopt quniform)', () => {
    const xs = draws({ kind: 'int', min: 1, max: 3, step: 1, scale: 'uniform' }, 9000);
    for (const v of [1, 2, 3]) expect(Math.abs(xs.filter((x) => x === v).length - 3000)).toBeLessThan(200);
  });

  it('steps land on exact decimals, never above max', () => {
    const domain: Domain = { kind: 'double', min: 0.1, max: 1, step: 0.3, scale: 'uniform' };
    expect(new Set(draws(domain, 500))).toEqual(new Set([0.1, 0.4, 0.7, 1]));
    const off: Domain = { kind: 'double', min: 0, max: 1, step: 0.3, scale: 'normal' };
    expect([...new Set(draws(off, 500))].sort()).toEqual([0, 0.3, 0.6, 0.9]);
  });

  it('categorical and discrete pick every value roughly equally', () => {
    const rng = new Rng(2);
    const domain: Domain = { kind: 'categorical', values: ['a', 'b', 'c', 'd'] };
    const xs = Array.from({ length: 8000 }, () => sample(domain, rng));
    for (const v of domain.values) expect(Math.abs(xs.filter((x) => x === v).length - 2000)).toBeLessThan(200);
  });

  it.each([
    { kind: 'double', min: 0, max: 1, scale: 'logUniform' },
    { kind: 'int', min: -1, max: 10, step: 1, scale: 'logNormal' },
  ] as Domain[])('refuses a log scale with min <= 0: %o', (domain) => {
    expect(() => sample(domain, new Rng(1))).toThrow(/min > 0/);
    expect(() => fromUnit(domain, 0.5)).toThrow(/min > 0/);
  });
});

describe('unit-cube encoding', () => {
  const cat: Domain = { kind: 'categorical', values: ['a', 'b', 'c', 'd'] };
  const log: Domain = { kind: 'double', min: 1, max: 100, scale: 'logUniform' };
  const int: Domain = { kind: 'int', min: 1, max: 3, step: 1, scale: 'uniform' };
  const intLog: Domain = { kind: 'int', min: 1, max: 1000, step: 1, scale: 'logUniform' };

  it.each([
    [cat, 0, 'a'],
    [cat, 0.26, 'b'],
    [cat, 0.999, 'd'],
    [cat, 1, 'd'],
    [int, 0.2, 1],
    [int, 0.5, 2],
    [int, 0.9, 3],
    [int, -3, 1],
    [int, 7, 3],
    [intLog, 0, 1],
    [intLog, 1, 1000],
  ] as [Domain, number, string | number][])('fromUnit(%o, %s) = %s', (domain, u, expected) => {
    expect(fromUnit(domain, u)).toBe(expected);
  });

  it.each([
    [cat, 'b', 0.375],
    [log, 10, 0.5],
    [log, 1, 0],
    [log, 100, 1],
    [int, 2, 0.5],
    [int, 1, 1 / 6],
  ] as [Domain, string | number, number][])('toUnit(%o, %s) = %s', (domain, value, expected) => {
    expect(toUnit(domain, value)).toBeCloseTo(expected, 12);
  });

  it('log domains are encoded in log space', () => {
    expect(fromUnit(log, 0.5) as number).toBeCloseTo(10, 10);
    // Under a log scale small ints get wider bins than large ones.
    expect(toUnit(intLog, 2) - toUnit(intLog, 1)).toBeGreaterThan(toUnit(intLog, 101) - toUnit(intLog, 100));
  });

  it('rejects values outside a list and non-finite unit values', () => {
    expect(() => toUnit(cat, 'z')).toThrow(/not in the categorical list/);
    expect(() => toUnit(log, 'x')).toThrow(/not a number/);
    expect(() => fromUnit(log, Number.NaN)).toThrow(/finite/);
  });
});

describe('contains', () => {
  it.each([
    [{ kind: 'double', min: 0, max: 1, scale: 'uniform' }, 0.5, true],
    [{ kind: 'double', min: 0, max: 1, scale: 'uniform' }, 1.0000001, false],
    [{ kind: 'double', min: 0, max: 1, scale: 'uniform' }, '0.5', false],
    [{ kind: 'double', min: 0, max: 1, scale: 'uniform' }, Number.NaN, false],
    [{ kind: 'double', min: 0, max: 1, step: 0.1, scale: 'uniform' }, 0.30000000000000004, true],
    [{ kind: 'double', min: 0, max: 1, step: 0.1, scale: 'uniform' }, 0.35, false],
    [{ kind: 'int', min: 2, max: 10, step: 2, scale: 'uniform' }, 4, true],
    [{ kind: 'int', min: 2, max: 10, step: 2, scale: 'uniform' }, 5, false],
    [{ kind: 'int', min: 1, max: 10, step: 1, scale: 'uniform' }, 2.5, false],
    [{ kind: 'categorical', values: ['a', 'b'] }, 'b', true],
    [{ kind: 'categorical', values: ['a', 'b'] }, 'c', false],
    [{ kind: 'discrete', values: [1, 2.5] }, 2.5, true],
    [{ kind: 'discrete', values: [1, 2.5] }, '2.5', false],
  ] as [Domain, string | number, boolean][])('contains(%o, %s) is %s', (domain, value, expected) => {
    expect(contains(domain, value)).toBe(expected);
  });
});

describe('gridValues (Katib convert_to_combinations)', () => {
  it.each([
    ['int with step', { kind: 'int', min: 1, max: 10, step: 3, scale: 'uniform' }, [1, 4, 7, 10]],
    ['int, default step 1', { kind: 'int', min: 0, max: 4, step: 1, scale: 'uniform' }, [0, 1, 2, 3, 4]],
    ['int, max off the step', { kind: 'int', min: 0, max: 5, step: 2, scale: 'uniform' }, [0, 2, 4]],
    [
      'double 0.01..0.05 by 0.01 (arange noise must not drop 0.05)',
      { kind: 'double', min: 0.01, max: 0.05, step: 0.01, scale: 'uniform' },
      [0.01, 0.02, 0.03, 0.04, 0.05],
    ],
    ['double 0.1..0.3 by 0.1', { kind: 'double', min: 0.1, max: 0.3, step: 0.1, scale: 'uniform' }, [0.1, 0.2, 0.3]],
    [
      'double, last point above max dropped',
      { kind: 'double', min: 0, max: 1, step: 0.3, scale: 'uniform' },
      [0, 0.3, 0.6, 0.9],
    ],
    ['double quarters', { kind: 'double', min: 1, max: 2, step: 0.25, scale: 'uniform' }, [1, 1.25, 1.5, 1.75, 2]],
    ['double, min = max', { kind: 'double', min: 0.5, max: 0.5, step: 0.1, scale: 'uniform' }, [0.5]],
    [
      'logUniform double keeps a linear grid',
      { kind: 'double', min: 0.001, max: 0.004, step: 0.001, scale: 'logUniform' },
      [0.001, 0.002, 0.003, 0.004],
    ],
    ['categorical', { kind: 'categorical', values: ['x', 'y'] }, ['x', 'y']],
    ['discrete', { kind: 'discrete', values: [3, 1, 2] }, [3, 1, 2]],
  ] as [string, Domain, (string | number)[]][])('%s', (_, domain, expected) => {
    expect(gridValues(domain)).toEqual(expected);
  });

  it('has 100 exact points for 0.01..1 by 0.01', () => {
    const values = gridValues({ kind: 'double', min: 0.01, max: 1, step: 0.01, scale: 'uniform' });
    expect(values.length).toBe(100);
    expect(values[28]).toBe(0.29);
    expect(values.at(-1)).toBe(1);
  });

  it('refuses a double without a step', () => {
    expect(() => gridValues({ kind: 'double', min: 0, max: 1, scale: 'uniform' })).toThrow(/needs a step/);
  });
});

describe('the support cache of stepped domains', () => {
  it('gives the same encoding from the cache as computed afresh', () => {
    const domain: Domain = { kind: 'int', min: 50, max: 1000, step: 50, scale: 'uniform' };
    const first = [50, 500, 1000].map((v) => toUnit(domain, v));
    const again = [50, 500, 1000].map((v) => toUnit(domain, v));
    const fresh = [50, 500, 1000].map((v) => toUnit({ ...domain }, v));
    expect(again).toEqual(first);
    expect(fresh).toEqual(first);
    expect(fromUnit(domain, 1)).toBe(1000);
  });

  it('does not serve a stale entry when a domain object is changed after use', () => {
    // The types say readonly; a caller can still change the object, and must then get the new domain's answers.
    const domain = { kind: 'int' as const, min: 0, max: 10, step: 1, scale: 'uniform' as Scale };
    expect(fromUnit(domain, 1)).toBe(10);
    domain.max = 20;
    expect(fromUnit(domain, 1)).toBe(20);
    domain.step = 5;
    expect(gridValues(domain)).toEqual([0, 5, 10, 15, 20]);
    expect(fromUnit(domain, 0.5)).toBe(10);
  });
});
