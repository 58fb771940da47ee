import { type Eigen, norm, whiten } from './eigen.ts';
import type { RunState } from './state.ts';
import type { Strategy } from './strategy.ts';

/**
 * The generation update of CMA-ES (Hansen's tutorial, 2016, fig. 6): weighted recombination of the mean,
 * cumulation of both evolution paths, cumulative step-size adaptation, and the covariance update with the
 * rank-one term and the active rank-μ term (negative weights for the worst members).
 */

/** A ranked member as the update sees it: its evaluated unit point and whether mirroring moved it. */
export interface Ranked {
  readonly u: readonly number[];
  readonly mirrored: boolean;
}

/** Limits on σ, in unit-cube coordinates, so that no sequence of generations can overflow or underflow it. */
const sigmaMin = 1e-20;
const sigmaMax = 1e3;

/**
 * The step y = (x − m)/σ of a member in the Gaussian's own coordinates (undoing the margin's scaling A). A step
 * that mirroring changed is length-limited in the metric of C to √n + 2n/(n+2), as Hansen advises for repaired
 * or injected solutions, so a reflection cannot inject an implausibly long step into the paths or into C.
 */
function stepOf(run: RunState, eig: Eigen, member: Ranked): Float64Array {
  const n = run.mean.length;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = (member.u[i]! - run.mean[i]!) / (run.sigma * run.A[i]!);
  if (member.mirrored) {
    const limit = Math.sqrt(n) + (2 * n) / (n + 2);
    const length = norm(whiten(eig, y));
    if (length > limit) for (let i = 0; i < n; i++) y[i] = (y[i]! * limit) / length;
  }
  return y;
}

/**
 * Moves `run` one generation on. `ranked` holds the λ members best first (failed ones last); `eig` is the
 * decomposition of the covariance the members were drawn from. Mutates mean, σ, C and both paths.
 */
export function updateDistribution(run: RunState, ranked: readonly Ranked[], eig: Eigen, s: Strategy): void {
  const n = s.n;
  const ys = ranked.map((m) => stepOf(run, eig, m));
  const yw = new Float64Array(n);
  for (let k = 0; k < s.mu; k++) {
    const w = s.weights[k]!;
    const y = ys[k]!;
    for (let i = 0; i < n; i++) yw[i] = yw[i]! + w * y[i]!;
  }
  // Mean (c_m = 1): the positive weights sum to one, so the new mean is a convex combination of cube points.
  for (let i = 0; i < n; i++) run.mean[i] = run.mean[i]! + run.sigma * yw[i]!;

  const gen = run.generation + 1;
  const csFactor = Math.sqrt(s.cs * (2 - s.cs) * s.muEff);
  const white = whiten(eig, yw);
  for (let i = 0; i < n; i++) run.ps[i] = (1 - s.cs) * run.ps[i]! + csFactor * white[i]!;
  const psNorm = norm(run.ps);
  // h_σ stalls the rank-one path while ‖p_σ‖ is large, which prevents C from growing too fast after a jump.
  const hsig = psNorm / Math.sqrt(1 - (1 - s.cs) ** (2 * gen)) < (1.4 + 2 / (n + 1)) * s.chiN ? 1 : 0;
  const ccFactor = hsig * Math.sqrt(s.cc * (2 - s.cc) * s.muEff);
  for (let i = 0; i < n; i++) run.pc[i] = (1 - s.cc) * run.pc[i]! + ccFactor * yw[i]!;

  // Active rank-μ: negative weights are rescaled by n/‖C^(-1/2) y‖² so they cannot shrink C along a direction
  // faster than the positive ones grow it (tutorial eq. 46).
  const wc = s.weights.map((w, k) => {
    if (w >= 0) return w;
    const len2 = norm(whiten(eig, ys[k]!)) ** 2;
    return len2 > 0 ? (w * n) / len2 : 0;
  });
  let wsum = 0;
  for (const w of s.weights) wsum += w;
  const delta = (1 - hsig) * s.cc * (2 - s.cc);
  const keep = 1 + s.c1 * delta - s.c1 - s.cmu * wsum;
  for (let i = 0; i < n; i++) {
    const row = run.C[i]!;
    for (let j = 0; j <= i; j++) {
      let rankMu = 0;
      for (let k = 0; k < ys.length; k++) rankMu += wc[k]! * ys[k]![i]! * ys[k]![j]!;
      const v = keep * row[j]! + s.c1 * run.pc[i]! * run.pc[j]! + s.cmu * rankMu;
      row[j] = v;
      run.C[j]![i] = v;
    }
  }

  // Cumulative step-size adaptation; the exponent is capped at 1 so one generation at most multiplies σ by e.
  const change = Math.min(1, (s.cs / s.damps) * (psNorm / s.chiN - 1));
  run.sigma = Math.min(sigmaMax, Math.max(sigmaMin, run.sigma * Math.exp(change)));
  run.generation = gen;
}
