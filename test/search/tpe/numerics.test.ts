import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toUnit } from '../../../src/search/distributions.ts';
import { Rng } from '../../../src/search/rng.ts';
import type { Domain, SearchSpace } from '../../../src/search/space.ts';
import { minWidth, neighbourWidths, sortedOrder } from '../../../src/search/tpe/bandwidth.ts';
import { logDensity } from '../../../src/search/tpe/density.ts';
import { binOf, decodePoint, encodeSpace, encodeValue } from '../../../src/search/tpe/encoding.ts';
import { logInsideMasses, logNormalMass, truncatedNormalDraw } from '../../../src/search/tpe/normal.ts';
import { buildParzen, type Candidates, type Group, sampleParzen } from '../../../src/search/tpe/parzen.ts';

/** Φ(b) − Φ(a) by Simpson's rule on a fine grid: slow, but accurate to ~1e-12. */
function massByQuadrature(a: number, b: number): number {
  const n = 20_000;
  const h = (b - a) / n;
  let s = 0;
  for (let i = 0; i <= n; i++) {
    const x = a + i * h;
    s += (i === 0 || i === n ? 1 : i % 2 ? 4 : 2) * Math.exp(-0.5 * x * x);
  }
  return (s * h) / 3 / Math.sqrt(2 * Math.PI);
}

function group(columns: number[][], weights?: number[]): Group {
  const size = columns[0]?.length ?? 0;
  return {
    columns: columns.map((c) => Float64Array.from(c)),
    weights: Float64Array.from(weights ?? new Array<number>(size).fill(1)),
    size,
  };
}

function grid(n: number): Candidates {
  return { count: n, values: [Float64Array.from({ length: n }, (_, i) => (i + 0.5) / n)], slices: [undefined] };
}

describe('normal arithmetic', () => {
  it.each([
    [-1, 1],
    [0, 1],
    [-3, -2],
    [2, 3],
    [0.1, 0.12],
    [-2, 10],
    [4, 4.001],
    [-0.01, 0.02],
  ])('logNormalMass(%d, %d) matches quadrature', (a, b) => {
    expect(Math.exp(logNormalMass(a, b)) / massByQuadrature(a, b)).toBeCloseTo(1, 6);
  });

  it('stays finite far in the tails, where the mass underflows', () => {
    expect(logNormalMass(40, 41)).toBeLessThan(-790);
    expect(Number.isFinite(logNormalMass(40, 41))).toBe(true);
    expect(logNormalMass(-41, -40)).toBeCloseTo(logNormalMass(40, 41), 10);
  });

  it('gives each kernel the log of its mass inside [0, 1]', () => {
    const mus = Float64Array.from([0.5, 0, 1, 0.02, 0.5]);
    const sigmas = Float64Array.from([1, 0.1, 0.3, 0.01, 0.01]);
    const out = new Float64Array(5);
    logInsideMasses(mus, sigmas, out);
    mus.forEach((mu, k) => {
      const s = sigmas[k]!;
      expect(out[k]).toBeCloseTo(Math.log(massByQuadrature(-mu / s, (1 - mu) / s)), 6);
    });
  });

  it('draws truncated normals inside [0, 1] with the right mean', () => {
    const rng = new Rng(3);
    let sum = 0;
    let lo = 1;
    let hi = 0;
    for (let i = 0; i < 20_000; i++) {
      const x = truncatedNormalDraw(0, 0.5, rng);
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
      sum += x;
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    // Mean of N(0, 0.5²) truncated to [0, 1]: σ(φ(0) − φ(2))/(Φ(2) − Φ(0)) = 0.3614.
    expect(Math.abs(sum / 20_000 - 0.3614)).toBeLessThan(0.005);
  });
});

describe('kernel widths', () => {
  it('sorts like a comparator sort, ties in index order, at every size', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 300 }), (ints) => {
        const xs = Float64Array.from(ints, (v) => v / 40);
        const want = Array.from(xs.keys()).sort((i, j) => xs[i]! - xs[j]! || i - j);
        expect(Array.from(sortedOrder(xs))).toEqual(want);
      }),
    );
  });

  it("takes the larger gap to a neighbour, the prior's centre included, clipped", () => {
    // Points 0.1, 0.15, 0.8 and the prior at 0.5: gaps 0.05 | 0.35 | 0.3.
    const mus = Float64Array.from([0.1, 0.15, 0.8, 0.5]);
    const out = new Float64Array(3);
    neighbourWidths(mus, 3, out);
    expect(minWidth(4)).toBeCloseTo(0.2);
    expect(Array.from(out)).toEqual([0.2, expect.closeTo(0.35), expect.closeTo(0.3)]);
  });

  it('never goes below 1/100 however crowded the points are', () => {
    const mus = Float64Array.from({ length: 500 }, (_, i) => 0.3 + i * 1e-6);
    const out = new Float64Array(500);
    neighbourWidths(mus, 500, out);
    expect(Math.min(...out)).toBe(0.01);
  });
});

describe('Parzen estimator', () => {
  const continuous = encodeSpace([{ name: 'x', domain: { kind: 'double', min: 0, max: 1, scale: 'uniform' } }]);

  it.each(['joint', 'marginal'] as const)('a continuous density integrates to 1 (%s)', (mode) => {
    const p = buildParzen(continuous.dims, group([[0.05, 0.1, 0.13, 0.8, 0.99]], [1, 0.5, 2, 1, 1]), 1);
    const n = 4000;
    const ld = logDensity(p, grid(n), mode);
    expect(ld.reduce((s, v) => s + Math.exp(v), 0) / n).toBeCloseTo(1, 3);
  });

  it('agrees with a direct evaluation of the mixture (Math.exp, no table)', () => {
    const p = buildParzen(continuous.dims, group([[0.2, 0.25, 0.7]]), 1);
    const xs = [0.01, 0.2, 0.22, 0.5, 0.99];
    const ld = logDensity(p, { count: 5, values: [Float64Array.from(xs)], slices: [undefined] }, 'joint');
    const k = p.kernels[0]!;
    if (k.kind !== 'numeric') throw new Error('numeric kernels expected');
    xs.forEach((x, i) => {
      let sum = 0;
      for (let c = 0; c < p.components; c++) {
        const z = (x - k.mus[c]!) / k.sigmas[c]!;
        sum += Math.exp(p.logWeights[c]! - 0.5 * z * z - k.lnNorm[c]!);
      }
      expect(Math.abs(ld[i]! - Math.log(sum))).toBeLessThan(1e-5);
    });
  });

  it('reads two dimensions as a joint mixture or as a product of marginals', () => {
    const space = encodeSpace([
      { name: 'a', domain: { kind: 'double', min: 0, max: 1, scale: 'uniform' } },
      { name: 'b', domain: { kind: 'double', min: 0, max: 1, scale: 'uniform' } },
    ]);
    // Two clusters on the diagonal, mirror images about 0.5: the joint density is high at (0.1, 0.1) and low at
    // (0.1, 0.9); the product of marginals cannot tell the two apart.
    const diagonal = Array.from({ length: 40 }, (_, i) => (i < 20 ? 0.1 + i * 0.001 : 0.9 - (i - 20) * 0.001));
    const p = buildParzen(space.dims, group([diagonal, diagonal]), 1);
    const c: Candidates = {
      count: 2,
      values: [Float64Array.from([0.1, 0.1]), Float64Array.from([0.1, 0.9])],
      slices: [undefined, undefined],
    };
    const joint = logDensity(p, c, 'joint');
    const marginal = logDensity(p, c, 'marginal');
    expect(joint[0]! - joint[1]!).toBeGreaterThan(5);
    expect(marginal[0]).toBeCloseTo(marginal[1]!, 9);
  });

  it('gives the grid points of a stepped dimension probabilities that sum to 1', () => {
    const domains: Domain[] = [
      { kind: 'int', min: 1, max: 9, step: 2, scale: 'uniform' },
      { kind: 'int', min: 8, max: 512, step: 1, scale: 'logUniform' },
      { kind: 'double', min: 0.1, max: 1, step: 0.1, scale: 'uniform' },
    ];
    for (const domain of domains) {
      const enc = encodeSpace([{ name: 'x', domain }]);
      const dim = enc.dims[0]!;
      if (dim.kind !== 'stepped') throw new Error('stepped dimension expected');
      const values: number[] = [];
      for (let v = domain.kind === 'int' ? domain.min : 0.1; v <= (domain.kind === 'int' ? domain.max : 1.0001); ) {
        values.push(v);
        v = domain.kind === 'int' ? v + domain.step : Math.round((v + 0.1) * 10) / 10;
      }
      const p = buildParzen(enc.dims, group([[toUnit(domain, values[1]!), toUnit(domain, values.at(-1)!)]]), 1);
      const bins = values.map((v) => binOf(dim, toUnit(domain, v)));
      const c: Candidates = {
        count: bins.length,
        values: [Float64Array.from(bins, (b) => b.centre)],
        slices: [{ a: Float64Array.from(bins, (b) => b.a), b: Float64Array.from(bins, (b) => b.b) }],
      };
      const total = logDensity(p, c, 'joint').reduce((s, v) => s + Math.exp(v), 0);
      // The table exp is good to 1e-5 relative; the masses themselves sum to 1 exactly.
      expect(Math.abs(total - 1)).toBeLessThan(1e-4);
    }
  });

  it('gives categories smoothed probabilities that sum to 1, the observed ones most', () => {
    const enc = encodeSpace([{ name: 'c', domain: { kind: 'categorical', values: ['a', 'b', 'c', 'd'] } }]);
    const p = buildParzen(enc.dims, group([[0, 0, 2]]), 1);
    const c: Candidates = { count: 4, values: [Float64Array.from([0, 1, 2, 3])], slices: [undefined] };
    const probs = Array.from(logDensity(p, c, 'marginal'), Math.exp);
    expect(Math.abs(probs.reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-4);
    expect(probs[0]).toBeGreaterThan(probs[2]!);
    expect(probs[2]).toBeGreaterThan(probs[1]!);
    expect(probs[1]).toBeCloseTo(probs[3]!, 9);
    expect(probs[1]).toBeGreaterThan(0);
  });

  it('draws candidates distributed as its density', () => {
    const p = buildParzen(continuous.dims, group([[0.1, 0.15, 0.8]]), 1);
    const draws = sampleParzen(p, continuous.dims, 40_000, new Rng(11)).values[0]!;
    const counts = new Array<number>(10).fill(0);
    for (const x of draws) counts[Math.min(9, Math.floor(x * 10))]!++;
    const ld = logDensity(p, grid(10_000), 'joint');
    const expected = new Array<number>(10).fill(0);
    ld.forEach((v, i) => {
      expected[Math.floor(i / 1000)]! += (Math.exp(v) / 10_000) * 40_000;
    });
    for (let b = 0; b < 10; b++) expect(Math.abs(counts[b]! - expected[b]!)).toBeLessThan(5 * Math.sqrt(expected[b]!));
  });
});

describe('TPE encoding', () => {
  const space: SearchSpace = [
    { name: 'lin', domain: { kind: 'double', min: -5, max: 10, scale: 'uniform' } },
    { name: 'log', domain: { kind: 'double', min: 1e-4, max: 0.1, scale: 'logUniform' } },
    { name: 'flat', domain: { kind: 'double', min: 2, max: 2, scale: 'uniform' } },
    { name: 'n', domain: { kind: 'int', min: 8, max: 512, step: 1, scale: 'logUniform' } },
    { name: 'c', domain: { kind: 'categorical', values: ['x', 'y'] } },
    { name: 'd', domain: { kind: 'discrete', values: [16, 32, 64] } },
  ];
  const enc = encodeSpace(space);

  it('maps doubles exactly as toUnit does, out-of-range values included', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -20, max: 20, noNaN: true }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        (a, b) => {
          expect(encodeValue(enc.dims[0]!, a)).toBeCloseTo(toUnit(space[0]!.domain, a), 12);
          expect(encodeValue(enc.dims[1]!, b)).toBeCloseTo(toUnit(space[1]!.domain, b), 12);
          expect(encodeValue(enc.dims[2]!, a)).toBe(toUnit(space[2]!.domain, a));
        },
      ),
    );
  });

  it('rejects values that do not fit, and decodes back to the same assignment', () => {
    expect(encodeValue(enc.dims[0]!, 'a')).toBeUndefined();
    expect(encodeValue(enc.dims[4]!, 'z')).toBeUndefined();
    expect(encodeValue(enc.dims[5]!, 17)).toBeUndefined();
    expect(encodeValue(enc.dims[3]!, undefined)).toBeUndefined();
    const params = { lin: 2.5, log: 0.01, flat: 2, n: 100, c: 'y', d: 64 };
    const point = Float64Array.from(enc.dims, (d) => encodeValue(d, params[d.name as keyof typeof params])!);
    const back = decodePoint(enc, point);
    expect(back).toMatchObject({ flat: 2, n: 100, c: 'y', d: 64 });
    expect(back.lin).toBeCloseTo(2.5, 9);
    expect(back.log).toBeCloseTo(0.01, 9);
  });
});
