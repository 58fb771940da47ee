/**
 * Arithmetic of stepped ranges `min, min+step, …, ≤ max`. Grid points are rounded to the decimal precision of
 * `min` and `step`, so `0.1 + 2 * 0.1` is `0.3` and not `0.30000000000000004` (Katib's `np.arange` keeps
 * the noise and may drop the last point because of it; we do not).
 */

/** Number of digits after the decimal point in the shortest text form of `x` (`0.05` → 2, `1.5e-7` → 8). */
export function decimals(x: number): number {
  if (!Number.isFinite(x)) return 0;
  const text = Math.abs(x).toString();
  const [mantissa = '', exponent] = text.split('e');
  const fraction = mantissa.split('.')[1]?.length ?? 0;
  return Math.max(0, fraction - (exponent === undefined ? 0 : Number(exponent)));
}

/** Rounds `x` to `digits` decimals; precisions beyond what `toFixed` supports are left alone. */
function roundTo(x: number, digits: number): number {
  return digits > 100 ? x : Number(x.toFixed(digits));
}

/** The k-th point of the stepped range, rounded to the precision of `min` and `step`. */
export function stepPoint(min: number, step: number, k: number): number {
  return roundTo(min + k * step, Math.max(decimals(min), decimals(step)));
}

/**
 * How many points `min + k*step` (rounded as {@link stepPoint}) lie in [min, max]; at least 1 when min ≤ max.
 * Counted, never enumerated: exact up to 2^53 points; beyond that (where neighbouring k cannot be told apart)
 * an estimate above `Number.MAX_SAFE_INTEGER`, or Infinity when max − min overflows. Callers treat a count
 * that is not a safe integer as "too many to index" (spec validation refuses such ranges).
 */
export function stepCount(min: number, max: number, step: number): number {
  if (!(max >= min) || !(step > 0)) return max === min ? 1 : 0;
  const estimate = Math.floor((max - min) / step) + 1;
  if (!Number.isSafeInteger(estimate)) return estimate;
  // The division can be off by one either way in floating point; settle it on the rounded points themselves.
  // A few tries suffice; the bound keeps ranges where min + k*step stops moving (k beyond what the step can
  // change at this magnitude) from spinning here: `n++` then changed nothing, forever.
  let n = estimate;
  for (let i = 0; i < 4 && stepPoint(min, step, n) <= max; i++) n++;
  for (let i = 0; i < 4 && n > 1 && stepPoint(min, step, n - 1) > max; i++) n--;
  return n;
}

/** The grid point nearest to `x`, clamped to the first `count` points. */
export function snapToStep(min: number, step: number, count: number, x: number): number {
  const k = Math.round((x - min) / step);
  return stepPoint(min, step, Math.min(count - 1, Math.max(0, k)));
}

/** True when `x` is (up to floating-point noise) one of the points `min + k*step`. */
export function onStep(min: number, step: number, x: number): boolean {
  const k = (x - min) / step;
  // x − min carries the rounding of both operands (a few ulps of the larger), which counts in steps as well.
  const noise = (4 * Number.EPSILON * Math.max(Math.abs(x), Math.abs(min))) / step;
  return Math.abs(k - Math.round(k)) <= 1e-9 * Math.max(1, Math.abs(k)) + noise;
}
