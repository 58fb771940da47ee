import { describe, expect, it } from 'vitest';
import { acquireValue, acquisitionContext } from '../../../src/search/gp/acquisition.ts';
import { FantasyAverage } from '../../../src/search/gp/average.ts';
import type { Hyper } from '../../../src/search/gp/kernel.ts';
import { GpModel } from '../../../src/search/gp/model.ts';
import { Rng } from '../../../src/search/rng.ts';

const hyper: Hyper = { logLength: [Math.log(0.25), Math.log(0.4)], logSignal: 0, logNoise: Math.log(1e-4) };
const n = 10;
const pending = [Float64Array.from([0.3, 0.6]), Float64Array.from([0.7, 0.2])];

function data(): { X: Float64Array; y: Float64Array } {
  const rng = new Rng(11);
  const X = Float64Array.from({ length: n * 2 }, () => rng.next());
  const y = Float64Array.from({ length: n }, (_, i) => Math.cos(4 * X[2 * i]!) + X[2 * i + 1]! ** 2);
  return { X, y };
}

/** The believer: the data plus each pending point at the mean predicted given the points before it. */
function believer(): GpModel {
  const { X, y } = data();
  const gp = GpModel.fit(X, y, n, 2, hyper, pending.length);
  for (const x of pending) {
    const m = new Float64Array(1);
    const v = new Float64Array(1);
    gp.predictMany(x, 1, m, v);
    gp.addFantasy(x, m[0]!);
  }
  return gp;
}

function predict(gp: GpModel, x: Float64Array, q = 0): { mean: number; variance: number; tail: Float64Array } {
  const mean = new Float64Array(1);
  const variance = new Float64Array(1);
  const tail = new Float64Array(q);
  gp.predictMany(x, 1, mean, variance, q > 0 ? { q, out: tail } : undefined);
  return { mean: mean[0]!, variance: variance[0]!, tail };
}

describe('fantasy draws for batch averages', () => {
  it('a draw z of the pending outcomes moves the mean by zᵀ·tail, exactly as conditioning on those outcomes does', () => {
    const gp = believer();
    const q = pending.length;
    const { values, block } = gp.fantasyBlock(q);
    const z = [0.8, -1.3];
    // The outcomes this draw stands for: the believed values plus L_qq z.
    const outcomes = values.map((v, i) => v + block[i * q]! * z[0]! + (i > 0 ? block[i * q + 1]! * z[1]! : 0));
    const { X, y } = data();
    const Xall = new Float64Array((n + q) * 2);
    Xall.set(X);
    pending.forEach((x, i) => {
      Xall.set(x, (n + i) * 2);
    });
    const yall = Float64Array.from([...y, ...outcomes]);
    const conditioned = GpModel.fit(Xall, yall, n + q, 2, hyper);
    for (const x of [Float64Array.from([0.35, 0.55]), Float64Array.from([0.1, 0.9]), Float64Array.from([0.68, 0.25])]) {
      const b = predict(gp, x, q);
      const c = predict(conditioned, x);
      expect(b.mean + z[0]! * b.tail[0]! + z[1]! * b.tail[1]!).toBeCloseTo(c.mean, 8);
      // The variance does not depend on the outcomes: the believer's is already the conditioned one.
      expect(b.variance).toBeCloseTo(c.variance, 10);
    }
  });

  it('far from the pending points the average is plain EI against the best of the drawn outcomes', () => {
    const gp = believer();
    const ctx = acquisitionContext(-10); // an incumbent far below every draw: the drawn bests never move it
    const avg = new FantasyAverage(gp, pending.length, ctx.best, 5);
    const far = Float64Array.from([3, -2]); // several length scales from every pending point
    const p = predict(gp, far, pending.length);
    expect(Math.abs(p.tail[0]!) + Math.abs(p.tail[1]!)).toBeLessThan(1e-6);
    expect(avg.valueAt(gp, 'EI', far, ctx)).toBeCloseTo(acquireValue('EI', p.mean, p.variance, ctx), 6);
    // LCB is linear in the mean: its average is the believer's value exactly.
    expect(avg.valueAt(gp, 'LCB', far, ctx)).toBe(acquireValue('LCB', p.mean, p.variance, ctx));
  });

  it('next to a pending point the average keeps EI the believer takes away, and draws are seeded', () => {
    const gp = believer();
    const { y } = data();
    const ctx = acquisitionContext(Math.min(...y));
    const near = Float64Array.from([0.31, 0.61]);
    const p = predict(gp, near, pending.length);
    const averaged = new FantasyAverage(gp, pending.length, ctx.best, 9).valueAt(gp, 'EI', near, ctx);
    expect(averaged).toBeGreaterThan(acquireValue('EI', p.mean, p.variance, ctx));
    expect(new FantasyAverage(gp, pending.length, ctx.best, 9).valueAt(gp, 'EI', near, ctx)).toBe(averaged);
  });
});
