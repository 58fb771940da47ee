import { addKernelTerms, type NumericKernels, type Slice } from './kernels.ts';
import type { Candidates, DensityMode, Parzen } from './parzen.ts';

/**
 * Log densities of an estimator at candidate points, read as the joint mixture or as the product of its
 * per-dimension marginals. This is the hot loop of TPE (candidates × components × dimensions): components are
 * the outer loop, continuous dimensions take a lean path, and every exp comes from {@link expNeg}. Stepped and
 * categorical dimensions go through the general log-kernel terms.
 */

/** Table resolution of {@link expNeg}: 128 steps per unit. */
const expSteps = 128;
/** From here on e^-u (below 4.3e-18) counts as 0: it cannot move a sum that holds a term near 1. */
const expCutoff = 40;
/** Interleaved (value, slope) pairs of e^-u at u = j / expSteps; the last pair is (0, 0), so clamped arguments give 0. */
const expTable: Float64Array = (() => {
  const n = expCutoff * expSteps;
  const t = new Float64Array(2 * (n + 1));
  for (let j = 0; j < n; j++) {
    t[2 * j] = Math.exp(-j / expSteps);
    t[2 * j + 1] = (j + 1 === n ? 0 : Math.exp(-(j + 1) / expSteps)) - t[2 * j]!;
  }
  return t;
})();

/**
 * e^-u for u ≥ 0 by linear interpolation in a table (relative error below 8e-6), 0 from {@link expCutoff} on.
 * Mixture densities spend nearly all their time in exp; the table, without a branch on u, is several times
 * faster than Math.exp, and an error of 1e-5 in a density cannot change which candidate wins but in a near-tie.
 * It lives in this module on purpose: under tsx (which the benchmarks use) a call into another module is not
 * inlined and costs more than the lookup itself.
 */
function expNeg(u: number): number {
  const t = Math.min(u, expCutoff) * expSteps;
  const j = t | 0;
  return expTable[2 * j]! + (t - j) * expTable[2 * j + 1]!;
}

/** log Σ_k exp(terms[k]). */
function logSumExp(terms: Float64Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < terms.length; k++) if (terms[k]! > max) max = terms[k]!;
  let sum = 0;
  for (let k = 0; k < terms.length; k++) sum += expNeg(max - terms[k]!);
  return max + Math.log(sum);
}

/**
 * Joint log density at every candidate. Components are the outer loop and candidates the inner one, so each
 * component's centre and width are read once per dimension and the inner loop runs over a few dozen values held
 * in the cache; the log-sum-exp over components is kept as a running (max, scaled sum) per candidate.
 */
function joint(p: Parzen, c: Candidates, out: Float64Array): void {
  const K = p.components;
  const C = c.count;
  const continuous: NumericKernels[] = [];
  const xs: Float64Array[] = [];
  const others: number[] = [];
  p.kernels.forEach((kd, j) => {
    if (kd.kind === 'numeric' && !kd.stepped) {
      continuous.push(kd);
      xs.push(c.values[j]!);
    } else others.push(j);
  });
  const extra = others.length > 0 ? otherTerms(p, c, others) : undefined;
  const acc = new Float64Array(C);
  const max = new Float64Array(C).fill(Number.NEGATIVE_INFINITY);
  const sum = new Float64Array(C);
  for (let k = 0; k < K; k++) {
    let base = p.logWeights[k]!;
    for (const kd of continuous) base -= kd.lnNorm[k]!;
    if (extra === undefined) acc.fill(base);
    else for (let i = 0; i < C; i++) acc[i] = base + extra[k * C + i]!;
    for (let q = 0; q < continuous.length; q++) {
      const kd = continuous[q]!;
      const mu = kd.mus[k]!;
      const iv = kd.inv[k]!;
      const x = xs[q]!;
      for (let i = 0; i < C; i++) {
        const z = (x[i]! - mu) * iv;
        acc[i]! -= 0.5 * z * z;
      }
    }
    for (let i = 0; i < C; i++) {
      const t = acc[i]!;
      const m = max[i]!;
      if (t > m) {
        sum[i] = sum[i]! * expNeg(t - m) + 1;
        max[i] = t;
      } else sum[i]! += expNeg(m - t);
    }
  }
  for (let i = 0; i < C; i++) out[i] = max[i]! + Math.log(sum[i]!);
}

/** The summed log kernels of the stepped and categorical dimensions `others`, per (component k, candidate i) at k·C + i. */
function otherTerms(p: Parzen, c: Candidates, others: readonly number[]): Float64Array {
  const K = p.components;
  const C = c.count;
  const out = new Float64Array(K * C);
  const terms = new Float64Array(K);
  for (let i = 0; i < C; i++) {
    terms.fill(0);
    for (const j of others) addKernelTerms(p.kernels[j]!, c.values[j]![i]!, sliceAt(c, j, i), terms);
    for (let k = 0; k < K; k++) out[k * C + i] = terms[k]!;
  }
  return out;
}

/**
 * Product of marginals at every candidate. A continuous dimension's mixture is summed in linear space with each
 * component's constant w · e^(−log norm): the prior's term (width 1) is always there, so nothing underflows.
 */
function marginal(p: Parzen, c: Candidates, out: Float64Array): void {
  const K = p.components;
  const C = c.count;
  const sums = new Float64Array(C);
  const terms = new Float64Array(K);
  p.kernels.forEach((kd, j) => {
    const xs = c.values[j]!;
    if (kd.kind === 'numeric' && !kd.stepped) {
      mixtureSums(kd, p.weights, xs, sums);
      for (let i = 0; i < C; i++) out[i]! += Math.log(sums[i]!);
      return;
    }
    for (let i = 0; i < C; i++) {
      terms.set(p.logWeights);
      addKernelTerms(kd, xs[i]!, sliceAt(c, j, i), terms);
      out[i]! += logSumExp(terms);
    }
  });
}

/** Σ_k w_k N_k(x_i) of one continuous dimension at every candidate x_i, into `sums` (the table lookup inlined). */
function mixtureSums(kd: NumericKernels, weights: Float64Array, xs: Float64Array, sums: Float64Array): void {
  const { mus, inv, scale } = kd;
  const table = expTable;
  const C = xs.length;
  sums.fill(0);
  for (let k = 0; k < mus.length; k++) {
    const mu = mus[k]!;
    const iv = inv[k]!;
    const coef = weights[k]! * scale[k]!;
    for (let i = 0; i < C; i++) {
      const z = (xs[i]! - mu) * iv;
      const u = 0.5 * z * z;
      const t = Math.min(u, expCutoff) * expSteps;
      const j = t | 0;
      sums[i]! += coef * (table[2 * j]! + (t - j) * table[2 * j + 1]!);
    }
  }
}

const unsliced = { a: 0, b: 0 };

function sliceAt(c: Candidates, j: number, i: number): Slice {
  const s = c.slices[j];
  return s === undefined ? unsliced : { a: s.a[i]!, b: s.b[i]! };
}

/** log density (log mass on stepped and categorical dimensions) of every candidate under `mode`. */
export function logDensity(p: Parzen, c: Candidates, mode: DensityMode): Float64Array {
  const out = new Float64Array(c.count);
  if (mode === 'joint') joint(p, c, out);
  else marginal(p, c, out);
  return out;
}
