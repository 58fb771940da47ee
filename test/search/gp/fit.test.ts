import { describe, expect, it } from 'vitest';
import { type FitData, fitHyper, fitStarts, logPosterior, priorCentre } from '../../../src/search/gp/fit.ts';
import { matern52 } from '../../../src/search/gp/kernel.ts';
import { minimizeInBox } from '../../../src/search/gp/lbfgs.ts';
import { Rng } from '../../../src/search/rng.ts';

/** n random points in the unit cube with standardised outputs of `f`. */
function dataset(n: number, dims: number, f: (x: Float64Array) => number, seed = 1): FitData {
  const rng = new Rng(seed);
  const X = Float64Array.from({ length: n * dims }, () => rng.next());
  const raw = Float64Array.from({ length: n }, (_, i) => f(X.subarray(i * dims, (i + 1) * dims)));
  const mean = raw.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(raw.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  return { X, y: raw.map((v) => (v - mean) / sd), n, dims };
}

describe('Matérn-5/2 kernel', () => {
  it.each([
    [0, 1],
    [1, (1 + Math.sqrt(5) + 5 / 3) * Math.exp(-Math.sqrt(5))],
    [3, (1 + 3 * Math.sqrt(5) + 15) * Math.exp(-3 * Math.sqrt(5))],
  ])('k(r = %d) = %d', (r, want) => {
    expect(matern52(r)).toBeCloseTo(want, 14);
  });
});

describe('hyperparameter fit', () => {
  it('the analytic gradient of the log posterior matches central differences', () => {
    const data = dataset(15, 3, (x) => Math.sin(6 * x[0]!) + x[1]! ** 2);
    const theta = Float64Array.from([Math.log(0.3), Math.log(0.8), Math.log(2), 0.2, Math.log(1e-3)]);
    const grad = new Float64Array(theta.length);
    logPosterior(theta, data, grad);
    const scratch = new Float64Array(theta.length);
    for (let k = 0; k < theta.length; k++) {
      const h = 1e-5;
      const up = Float64Array.from(theta);
      const down = Float64Array.from(theta);
      up[k] = up[k]! + h;
      down[k] = down[k]! - h;
      const numeric = (logPosterior(up, data, scratch) - logPosterior(down, data, scratch)) / (2 * h);
      expect(grad[k]).toBeCloseTo(numeric, 4);
    }
  });

  it('learns a short length scale for a relevant dimension and a long one for an irrelevant one', () => {
    const data = dataset(40, 2, (x) => Math.sin(8 * x[0]!), 3);
    const { hyper } = fitHyper(data, fitStarts(2, undefined, 2, 5), 60);
    const [relevant, irrelevant] = hyper.logLength.map(Math.exp) as [number, number];
    expect(relevant).toBeLessThan(0.8);
    expect(irrelevant).toBeGreaterThan(10 * relevant);
    expect(Math.exp(hyper.logNoise)).toBeLessThan(1e-2); // the function is deterministic
  });

  it('attributes the scatter of a noisy trend to noise, far above the prior centre of 1e-4', () => {
    const rng = new Rng(9);
    // Var(x0) = 1/12 ≈ 0.083 and the noise variance is 0.09: about half the standardised variance is noise.
    const data = dataset(60, 2, (x) => x[0]! + 0.3 * rng.normal(), 4);
    const { hyper } = fitHyper(data, fitStarts(2, undefined, 2, 5), 60);
    expect(Math.exp(hyper.logNoise)).toBeGreaterThan(0.2);
    expect(Math.exp(hyper.logNoise)).toBeLessThan(0.8);
  });

  it('improves on every start it is given and never returns a worse posterior than the warm start', () => {
    const data = dataset(25, 3, (x) => (x[0]! - 0.3) ** 2 + Math.cos(5 * x[2]!));
    const start = priorCentre(3);
    const grad = new Float64Array(5);
    const before = logPosterior(Float64Array.from([...start.logLength, start.logSignal, start.logNoise]), data, grad);
    const result = fitHyper(data, [start], 40);
    expect(result.logPosterior).toBeGreaterThan(before);
    expect(result.evaluations).toBeGreaterThan(1);
  });
});

describe('minimizeInBox', () => {
  it('finds the Rosenbrock minimum inside the box', () => {
    const f = (x: Float64Array, g: Float64Array) => {
      const [a, b] = [x[0]!, x[1]!];
      g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
      g[1] = 200 * (b - a * a);
      return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
    };
    const r = minimizeInBox(f, Float64Array.from([-1.2, 1]), Float64Array.from([-2, -2]), Float64Array.from([2, 2]), {
      maxIterations: 500,
      firstStep: 0.5,
      gradientTolerance: 1e-9,
      relativeTolerance: 0,
    });
    expect(r.x[0]).toBeCloseTo(1, 4);
    expect(r.x[1]).toBeCloseTo(1, 4);
  });

  it('stops on the bound when the unconstrained minimum lies outside the box', () => {
    const f = (x: Float64Array, g: Float64Array) => {
      g[0] = 2 * (x[0]! - 3);
      g[1] = 2 * (x[1]! - 0.5);
      return (x[0]! - 3) ** 2 + (x[1]! - 0.5) ** 2;
    };
    const r = minimizeInBox(f, Float64Array.from([0.2, 0.9]), new Float64Array(2), Float64Array.from([1, 1]), {
      maxIterations: 100,
    });
    expect(r.x[0]).toBe(1);
    expect(r.x[1]).toBeCloseTo(0.5, 6);
  });

  it('returns the start untouched when f is not finite there', () => {
    const r = minimizeInBox(() => Number.NaN, Float64Array.from([0.5]), new Float64Array(1), Float64Array.from([1]), {
      maxIterations: 10,
    });
    expect(r.iterations).toBe(0);
    expect(r.x[0]).toBe(0.5);
  });
});
