import { Rng } from '../rng.ts';
import { type AcquisitionContext, type AcquisitionName, acquireValue } from './acquisition.ts';
import type { GpModel } from './model.ts';
import { logH, logNormalCdf } from './normal.ts';

/** Draws of the pending outcomes per average (antithetic pairs): enough that the ranking of candidates is stable. */
export const fantasyDraws = 32;

/**
 * The acquisition of a later batch member averaged over draws of what the earlier, still unobserved members
 * (and running trials) will return: greedy sequential q-EI (and q-PI) by Monte Carlo, where the kriging
 * believer uses the single draw "each returns its predicted mean". Each draw shifts the posterior mean by
 * zᵀ·tail(x) and lowers the incumbent to the best drawn value; the variance is the believer's (it does not
 * depend on the values). LCB is linear in the mean, so its average is the believer's value.
 */
export class FantasyAverage {
  private readonly z: Float64Array;
  private readonly bests: Float64Array;
  private readonly lnN: number;
  /** Scratch for one point's per-draw values. */
  private readonly terms: Float64Array;

  constructor(
    model: GpModel,
    readonly q: number,
    best: number,
    seed: number,
    readonly samples: number = fantasyDraws,
  ) {
    const { values, block } = model.fantasyBlock(q);
    const rng = new Rng(seed);
    this.z = new Float64Array(samples * q);
    this.bests = new Float64Array(samples);
    for (let s = 0; s < samples; s += 2) {
      // Antithetic pairs: the average of the mean shifts is exactly zero.
      for (let j = 0; j < q; j++) {
        const v = rng.normal();
        this.z[s * q + j] = v;
        if (s + 1 < samples) this.z[(s + 1) * q + j] = -v;
      }
    }
    for (let s = 0; s < samples; s++) {
      let b = best;
      for (let i = 0; i < q; i++) {
        let dev = 0;
        for (let j = 0; j <= i; j++) dev += block[i * q + j]! * this.z[s * q + j]!;
        b = Math.min(b, values[i]! + dev);
      }
      this.bests[s] = b;
    }
    this.lnN = Math.log(samples);
    this.terms = new Float64Array(samples);
  }

  /** The averaged acquisition at a point with the believer's mean and variance and its tail weights. */
  value(
    name: AcquisitionName,
    mean: number,
    variance: number,
    tail: Float64Array,
    offset: number,
    ctx: AcquisitionContext,
  ): number {
    if (name === 'LCB') return acquireValue(name, mean, variance, ctx);
    const sigma = Math.sqrt(Math.max(variance, 1e-12));
    const logSigma = Math.log(sigma);
    const q = this.q;
    let max = Number.NEGATIVE_INFINITY;
    const terms = this.terms;
    for (let s = 0; s < this.samples; s++) {
      let shift = 0;
      for (let j = 0; j < q; j++) shift += this.z[s * q + j]! * tail[offset + j]!;
      const mu = mean + shift;
      const t =
        name === 'EI'
          ? logSigma + logH((this.bests[s]! - ctx.eiMargin - mu) / sigma)
          : logNormalCdf((this.bests[s]! - ctx.piMargin - mu) / sigma);
      terms[s] = t;
      if (t > max) max = t;
    }
    if (!Number.isFinite(max)) return max;
    // log of the mean of the draws' acquisitions (log-sum-exp: EI and PI are held as logarithms).
    let sum = 0;
    for (let s = 0; s < this.samples; s++) sum += Math.exp(terms[s]! - max);
    return max + Math.log(sum) - this.lnN;
  }

  /** The averaged acquisition at one point. */
  valueAt(model: GpModel, name: AcquisitionName, x: Float64Array, ctx: AcquisitionContext): number {
    const mean = new Float64Array(1);
    const variance = new Float64Array(1);
    const tail = new Float64Array(this.q);
    model.predictMany(x, 1, mean, variance, { q: this.q, out: tail });
    return this.value(name, mean[0]!, variance[0]!, tail, 0, ctx);
  }
}
