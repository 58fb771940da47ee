import type { ObjectiveSpec, TrialView } from '../types.ts';

/**
 * Reading learning curves (a trial's `intermediate` objective history) for early-stopping rules.
 * Steps are what the controller recorded: 1-based report indices unless the trial reported its own.
 */

/** One report of the objective metric. */
export interface CurvePoint {
  readonly step: number;
  readonly value: number;
}

/** The trial's reports with a finite step and value, in report order (NaN or ±Infinity reports say nothing). */
export function curveOf(trial: TrialView): CurvePoint[] {
  return (trial.intermediate ?? []).filter((p) => Number.isFinite(p.step) && Number.isFinite(p.value));
}

/** True when `a` is strictly better than `b` in the objective's direction. */
export function isBetter(type: ObjectiveSpec['type'], a: number, b: number): boolean {
  return type === 'minimize' ? a < b : a > b;
}

/** The best value among the reports at steps ≤ `step`; undefined when there is none. */
export function bestUpTo(curve: readonly CurvePoint[], step: number, type: ObjectiveSpec['type']): number | undefined {
  let best: number | undefined;
  for (const p of curve) if (p.step <= step && (best === undefined || isBetter(type, p.value, best))) best = p.value;
  return best;
}

/** The latest step the curve has reached (its largest step); undefined for an empty curve. */
export function lastStep(curve: readonly CurvePoint[]): number | undefined {
  let last: number | undefined;
  for (const p of curve) if (last === undefined || p.step > last) last = p.step;
  return last;
}

/** The median of a non-empty list (mean of the two middle values for an even count). */
// Not simple-statistics' median: it interpolates a + ½(b − a), which differs from (a + b)/2 in the last bit for
// about 6% of random even-sized lists and is NaN when both middles are −∞ (test/search/earlyStopping/curve.test.ts).
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length % 2 === 1) return sorted[mid] as number;
  return ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
