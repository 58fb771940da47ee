import { describe, expect, it } from 'vitest';
import { dLogH, erfcx, inverseMillsRatio, logH, logNormalCdf, normalCdf } from '../../../src/search/gp/normal.ts';

// scipy.special.erfcx (SciPy 1.17).
const erfcxTable: [number, number][] = [
  [0, 1],
  [0.1, 0.8964569799691268],
  [0.5, 0.6156903441929258],
  [1, 0.427583576155807],
  [1.5, 0.3215854164543176],
  [1.99, 0.25646783671952994],
  [2.5, 0.2108063640611436],
  [4, 0.1369994576250614],
  [7, 0.07980005432915295],
  [20, 0.028174348741051323],
  [1000, 0.0005641893014533876],
];

// mpmath at 50 digits: z, log h(z), Φ(z)/h(z), log Φ(z), with h(z) = φ(z) + zΦ(z).
const tailTable: [number, number, number, number][] = [
  [3, 1.0987396653277077, 0.3328409684517952, -0.0013508099647481938],
  [0, -0.9189385332046728, 1.2533141373155003, -Math.LN2],
  [-1, -2.4851210257126413, 1.9042712333296918, -1.8410216450092636],
  [-1.0000001, -2.485121216139768, 1.9042713055274623, -1.8410217975227952],
  [-5, -16.74430116266099, 5.361816241288088, -15.064998393988725],
  [-24.9, -317.3584857426673, 24.97993695947114, -314.14041276161316],
  [-25.1, -322.37440987246407, 25.179305997377543, -319.1483874058886],
  [-40, -808.29856835662, 40.04990665764852, -804.6084420137538],
  [-1000, -500014.73445209116, 1000.001999994, -500007.82669481216],
];

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('normal-distribution numerics', () => {
  it.each(erfcxTable)('erfcx(%d) matches SciPy to 1e-13', (x, want) => {
    expect(relative(erfcx(x), want)).toBeLessThan(1e-13);
  });

  it.each(tailTable)('z = %d: log h, d log h/dz and log Φ match 50-digit references', (z, lh, dlh, lphi) => {
    expect(relative(logH(z), lh)).toBeLessThan(1e-12);
    expect(relative(dLogH(z), dlh)).toBeLessThan(1e-10);
    expect(relative(logNormalCdf(z), lphi)).toBeLessThan(1e-12);
  });

  it('log h is continuous across the branch points at z = -1 and z = -30', () => {
    for (const z of [-1, -30]) {
      expect(Math.abs(logH(z - 1e-9) - logH(z + 1e-9))).toBeLessThan(1e-7);
      expect(Math.abs(dLogH(z - 1e-9) - dLogH(z + 1e-9))).toBeLessThan(1e-6);
    }
  });

  it('stays finite and monotone where plain EI and Φ underflow to 0', () => {
    let previous = Number.NEGATIVE_INFINITY;
    for (let z = -1e4; z <= 10; z += 7.3) {
      const v = logH(z);
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeGreaterThan(previous);
      previous = v;
      expect(Number.isFinite(logNormalCdf(z))).toBe(true);
      expect(inverseMillsRatio(z)).toBeGreaterThan(0);
    }
    expect(normalCdf(-37)).toBeGreaterThan(0); // relative accuracy down to the subnormal range
    expect(Math.exp(logH(-40))).toBe(0); // what a naive implementation would have to work with
  });

  it('d log h/dz agrees with a central difference of log h', () => {
    for (const z of [-200, -31, -29, -7, -1.5, -0.5, 0.7, 4]) {
      const h = 1e-5 * Math.max(1, Math.abs(z));
      const numeric = (logH(z + h) - logH(z - h)) / (2 * h);
      expect(relative(dLogH(z), numeric)).toBeLessThan(1e-5);
    }
  });
});
