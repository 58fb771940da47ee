/** Order statistics for the benchmark report (numpy's default linear interpolation, as the Python side would use). */

/** The q-quantile (0 ≤ q ≤ 1) of `values` by linear interpolation between order statistics; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  // Written this way so that equal neighbours (including infinities) give that value, not NaN.
  return a === b ? a : a + (b - a) * (pos - lo);
}

/** The median of `values`; NaN when empty. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Lower quartile, median and upper quartile. */
export interface Quartiles {
  readonly q25: number;
  readonly median: number;
  readonly q75: number;
}

/** The quartiles of `values`. */
export function quartiles(values: readonly number[]): Quartiles {
  return { q25: quantile(values, 0.25), median: median(values), q75: quantile(values, 0.75) };
}

/** The value after trial `n` (1-based) of a best-so-far curve; the last value when the study stopped early. */
export function curveAt(curve: readonly number[], n: number): number {
  if (curve.length === 0) return Number.POSITIVE_INFINITY;
  return curve[Math.min(n, curve.length) - 1]!;
}

/** The per-trial median over several curves of the same length (shorter ones are held at their last value). */
export function medianCurve(curves: readonly (readonly number[])[]): number[] {
  const length = Math.max(0, ...curves.map((c) => c.length));
  return Array.from({ length }, (_, i) => median(curves.map((c) => curveAt(c, i + 1))));
}

/** Regrets below this count as this much in geometric means (a rounded optimum or float noise must not dominate). */
export const geometricFloor = 1e-9;

/** The geometric mean of `values`, each floored at {@link geometricFloor}; NaN when empty. */
export function geometricMean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return Math.exp(values.reduce((a, b) => a + Math.log(Math.max(b, geometricFloor)), 0) / values.length);
}
