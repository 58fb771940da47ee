/**
 * The standard normal distribution function and its inverse, for the integer margin (CMA-ES with Margin needs
 * the probability of leaving a lattice cell and the quantile that puts a given mass beyond a cell edge).
 */
import { erfc } from '../erfc.ts';

/** Φ(x): the probability that a standard normal draw is at most `x`. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

// Acklam's rational approximation of the normal quantile (relative error below 1.2e-9).
const a = [
  -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
];
const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
const c = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
const tail = 0.02425;

function tailQuantile(p: number): number {
  const q = Math.sqrt(-2 * Math.log(p));
  const num = ((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!;
  const den = (((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1;
  return num / den;
}

/** Φ⁻¹(p) for p in (0, 1): the point below which a standard normal draw falls with probability `p`. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p <= 0 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (p < tail) return tailQuantile(p);
  if (p > 1 - tail) return -tailQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  const num = (((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q;
  const den = ((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1;
  return num / den;
}
