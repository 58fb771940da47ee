import { describe, expect, it } from 'vitest';
import { type AcquisitionName, acquire, acquireValue, acquisitionContext } from '../../../src/search/gp/acquisition.ts';
import type { Hyper } from '../../../src/search/gp/kernel.ts';
import { GpModel } from '../../../src/search/gp/model.ts';
import { normalCdf, normalPdf } from '../../../src/search/gp/normal.ts';
import { Rng } from '../../../src/search/rng.ts';

const hyper: Hyper = { logLength: [Math.log(0.3), Math.log(0.6)], logSignal: 0, logNoise: Math.log(1e-6) };

function model(n = 12, extra = 0): { gp: GpModel; X: Float64Array; y: Float64Array } {
  const rng = new Rng(2);
  const X = Float64Array.from({ length: n * 2 }, () => rng.next());
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(5 * X[2 * i]!) - X[2 * i + 1]!);
  return { gp: GpModel.fit(X, y, n, 2, hyper, extra), X, y };
}

describe('GP posterior', () => {
  it('interpolates noiseless observations with near-zero variance there', () => {
    const { gp, X, y } = model();
    const mean = new Float64Array(12);
    const variance = new Float64Array(12);
    gp.predictMany(X, 12, mean, variance);
    for (let i = 0; i < 12; i++) {
      expect(mean[i]).toBeCloseTo(y[i]!, 3);
      expect(variance[i]).toBeLessThan(1e-4);
    }
    const far = Float64Array.from([5, 5]);
    gp.predictMany(far, 1, mean, variance);
    expect(variance[0]).toBeCloseTo(1, 6); // the prior variance σ_f² = 1 far from the data
  });

  it('predictWithGradient agrees with predictMany and with central differences', () => {
    const { gp } = model();
    const x = Float64Array.from([0.41, 0.73]);
    const p = gp.predictWithGradient(x);
    const m = new Float64Array(3);
    const v = new Float64Array(3);
    gp.predictMany(x, 1, m, v);
    expect(p.mean).toBeCloseTo(m[0]!, 12);
    expect(p.variance).toBeCloseTo(v[0]!, 12);
    for (let d = 0; d < 2; d++) {
      const h = 1e-6;
      const up = Float64Array.from(x);
      const down = Float64Array.from(x);
      up[d] = up[d]! + h;
      down[d] = down[d]! - h;
      const pu = gp.predictWithGradient(up);
      const pd = gp.predictWithGradient(down);
      expect(p.dMean[d]).toBeCloseTo((pu.mean - pd.mean) / (2 * h), 5);
      expect(p.dVariance[d]).toBeCloseTo((pu.variance - pd.variance) / (2 * h), 5);
    }
  });

  it('a constant-liar fantasy pins the mean to the lie and collapses the variance at that point', () => {
    const { gp } = model(12, 2);
    const x = Float64Array.from([0.9, 0.1]);
    const before = gp.predictWithGradient(x);
    expect(before.variance).toBeGreaterThan(1e-3);
    expect(gp.addFantasy(x, -3)).toBe(true);
    const after = gp.predictWithGradient(x);
    // Not exactly -3: the neighbours disagree with the lie, and the noise (1e-6) lets it give way by ~v/(v + σ²).
    expect(after.mean).toBeCloseTo(-3, 2);
    expect(after.variance).toBeLessThan(1e-5);
    expect(gp.size).toBe(13);
    expect(gp.addFantasy(Float64Array.from([0.2, 0.2]), 0)).toBe(true);
    expect(gp.addFantasy(Float64Array.from([0.3, 0.2]), 0)).toBe(false); // capacity 12 + 2
  });
});

describe('acquisitions', () => {
  const ctx = acquisitionContext(-0.5);

  it('log-EI equals the log of the closed-form EI where that is representable', () => {
    for (const [mean, variance] of [
      [0, 0.04],
      [-0.6, 0.25],
      [1, 0.5],
    ] as const) {
      const s = Math.sqrt(variance);
      const z = (ctx.best - mean) / s;
      const ei = s * (z * normalCdf(z) + normalPdf(z));
      expect(acquireValue('EI', mean, variance, ctx)).toBeCloseTo(Math.log(ei), 10);
    }
  });

  it('LCB is −(μ − 1.96σ) and PI is log Φ((best − 0.01 − μ)/σ)', () => {
    expect(acquireValue('LCB', 0.3, 0.09, ctx)).toBeCloseTo(-0.3 + 1.96 * 0.3, 12);
    expect(acquireValue('PI', 0.3, 0.09, ctx)).toBeCloseTo(Math.log(normalCdf((-0.51 - 0.3) / 0.3)), 12);
  });

  it.each<AcquisitionName>(['EI', 'LCB', 'PI'])(
    '%s: derivatives match central differences, even far in the tail',
    (name) => {
      for (const [mean, variance] of [
        [0.2, 0.3],
        [4, 0.01],
        [-1, 0.2],
        [30, 0.001],
      ] as const) {
        const a = acquire(name, mean, variance, ctx);
        expect(a.value).toBeCloseTo(acquireValue(name, mean, variance, ctx), 12);
        expect(Number.isFinite(a.value)).toBe(true);
        const h = 1e-6;
        const dm =
          (acquireValue(name, mean + h, variance, ctx) - acquireValue(name, mean - h, variance, ctx)) / (2 * h);
        const dv =
          (acquireValue(name, mean, variance + h * variance, ctx) -
            acquireValue(name, mean, variance - h * variance, ctx)) /
          (2 * h * variance);
        expect(Math.abs(a.dMean - dm)).toBeLessThan(1e-5 * Math.max(1, Math.abs(dm)));
        expect(Math.abs(a.dVariance - dv)).toBeLessThan(1e-4 * Math.max(1, Math.abs(dv)));
      }
    },
  );
});
