import { erfcPoly } from '../erfc.ts';
import type { Rng } from '../rng.ts';

/**
 * Normal-distribution arithmetic for truncated Parzen kernels, in log space so that kernels far from a point
 * give a finite (very negative) log density instead of an underflowed zero.
 */

/** log √(2π), the normal density's normalising constant. */
export const logSqrt2Pi: number = 0.5 * Math.log(2 * Math.PI);

/**
 * log Q(z) = log P(Z > z) for z ≥ 0, from the Chebyshev fit of erfc in Numerical Recipes (relative error below
 * 1.2e-7), whose exp(-x² + poly) form keeps the log finite however far into the tail z lies.
 */
function logUpperTail(z: number): number {
  const x = z / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  return Math.log(t) - x * x + erfcPoly(t) - Math.LN2;
}

/** Q(z) = P(Z > z) for z ≥ 0, the same fit without the log. */
function upperTail(z: number): number {
  const x = z / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  return 0.5 * t * Math.exp(erfcPoly(t) - x * x);
}

/** log(exp(a) - exp(b)) for a ≥ b. */
function logDiffExp(a: number, b: number): number {
  const d = b - a;
  return d > -Math.LN2 ? a + Math.log(-Math.expm1(d)) : a + Math.log1p(-Math.exp(d));
}

/** Below this width (in standard deviations) an interval's mass comes from Simpson's rule, which stays exact where two tail values would cancel. */
const narrow = 0.05;

/** log P(a < Z < b) for a standard normal Z and a < b; finite for any finite a < b. */
export function logNormalMass(a: number, b: number): number {
  if (b - a < narrow) {
    const m = 0.5 * (a + b);
    const la = -0.5 * a * a;
    const lm = -0.5 * m * m;
    const lb = -0.5 * b * b;
    return lm - logSqrt2Pi + Math.log(((b - a) / 6) * (Math.exp(la - lm) + 4 + Math.exp(lb - lm)));
  }
  if (a >= 0) return logDiffExp(logUpperTail(a), logUpperTail(b));
  if (b <= 0) return logDiffExp(logUpperTail(-b), logUpperTail(-a));
  // The interval holds 0: one minus the two tails, both at most one half.
  return Math.log1p(-(Math.exp(logUpperTail(-a)) + Math.exp(logUpperTail(b))));
}

/** Beyond this many widths a normal tail (below 6.2e-16) cannot change a mass near 1. */
const farTail = 8;

/**
 * log Z_k for kernels N(mus[k], sigmas[k]²) with centres in [0, 1]: the log of the mass each keeps inside
 * [0, 1], into `out`. Most kernels lie well inside and get exactly 0 without any exp.
 */
export function logInsideMasses(mus: Float64Array, sigmas: Float64Array, out: Float64Array): void {
  for (let k = 0; k < mus.length; k++) {
    const s = sigmas[k]!;
    const below = mus[k]! / s; // distance to 0 in widths
    const above = (1 - mus[k]!) / s;
    if (below > farTail && above > farTail) out[k] = 0;
    else if (below >= 0 && above >= 0) {
      // Z = 1 − Q(below) − Q(above), both tails at most one half.
      out[k] = Math.log1p(-((below > farTail ? 0 : upperTail(below)) + (above > farTail ? 0 : upperTail(above))));
    } else out[k] = logNormalMass(-below, above);
  }
}

/**
 * Adds, for every component k, log P(a < N(mus[k], 1/inv[k]²) < b) − lnNorm[k] to terms[k]: the log
 * probability of the grid point whose slice of [0, 1] is [a, b].
 */
export function addSliceMasses(
  kernels: { readonly mus: Float64Array; readonly inv: Float64Array; readonly lnNorm: Float64Array },
  slice: { readonly a: number; readonly b: number },
  terms: Float64Array,
): void {
  const { mus, inv, lnNorm } = kernels;
  for (let k = 0; k < mus.length; k++) {
    terms[k]! += logNormalMass((slice.a - mus[k]!) * inv[k]!, (slice.b - mus[k]!) * inv[k]!) - lnNorm[k]!;
  }
}

/**
 * A draw from N(mu, sigma²) truncated to [0, 1], by rejection. Kernels are centred inside [0, 1] with
 * sigma ≤ 1, so at least a third of the mass lies inside and the loop is short; clamping ends a freak run.
 */
export function truncatedNormalDraw(mu: number, sigma: number, rng: Rng): number {
  let x = mu + sigma * rng.normal();
  for (let i = 0; i < 64 && (x < 0 || x > 1); i++) x = mu + sigma * rng.normal();
  return Math.min(1, Math.max(0, x));
}
