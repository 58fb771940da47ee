/**
 * What one multi-fidelity run leaves behind (its full-fidelity evaluations against the total budget spent) and the
 * regret-vs-budget curves built from it. A run is scored only by its budget-81 evaluations, as multifidelity.py asks.
 */
import { median } from '../search/stats.ts';

/** One evaluation at the full budget: the total budget spent by the whole run when it finished, and f there. */
export interface FullEval {
  readonly spent: number;
  readonly value: number;
}

/** Why a run ended: the budget cap, or the algorithm had nothing more to propose. */
export type RunEnd = 'budget' | 'exhausted';

/** One run of one method on one function with one seed. */
export interface RunTrace {
  readonly seed: number;
  /** Full-fidelity evaluations in the order they finished (`spent` non-decreasing). */
  readonly fullEvals: FullEval[];
  /** Total budget spent when the run ended (≤ the cap). */
  readonly spent: number;
  readonly trials: number;
  readonly end: RunEnd;
  /** Trials per budget they were stopped at or ran to (budget → count). */
  readonly reached: Record<number, number>;
}

/** The best regret a run has at total budget `b`: +Infinity before its first full-fidelity evaluation. */
export function regretAt(trace: RunTrace, optimum: number, b: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (const e of trace.fullEvals) {
    if (e.spent > b) break;
    if (e.value - optimum < best) best = e.value - optimum;
  }
  return best;
}

/** The budgets at which any of `traces` improves (where the median curve can change), ascending, plus `cap`. */
export function breakpoints(traces: readonly RunTrace[], cap: number): number[] {
  const all = new Set<number>([cap]);
  for (const t of traces) for (const e of t.fullEvals) if (e.spent <= cap) all.add(e.spent);
  return [...all].sort((a, b) => a - b);
}

/** One point of a median curve: total budget and the median over seeds of the best regret by then. */
export type CurvePoint = readonly [budget: number, regret: number];

/** The median (over runs) best-regret step curve, exact: evaluated at every budget where some run improves. */
export function medianRegretCurve(traces: readonly RunTrace[], optimum: number, cap: number): CurvePoint[] {
  return breakpoints(traces, cap).map((b) => [b, median(traces.map((t) => regretAt(t, optimum, b)))] as const);
}

/** The median curve at budget `b` (the value of the last point at or before `b`; +Infinity before the first). */
export function curveValueAt(curve: readonly CurvePoint[], b: number): number {
  let v = Number.POSITIVE_INFINITY;
  for (const [x, y] of curve) {
    if (x > b) break;
    v = y;
  }
  return v;
}

/** The smallest budget at which the median curve is at or below `target`; undefined when it never gets there. */
export function budgetToReach(curve: readonly CurvePoint[], target: number): number | undefined {
  return curve.find(([, y]) => y <= target)?.[0];
}

/** `count` budgets spaced evenly in log scale from `from` to `to` (both included, rounded to integers, unique). */
export function logGrid(from: number, to: number, count: number): number[] {
  const out = new Set<number>();
  for (let i = 0; i < count; i++) {
    const v = Math.round(from * (to / from) ** (i / Math.max(1, count - 1)));
    out.add(Math.min(to, Math.max(from, v)));
  }
  return [...out].sort((a, b) => a - b);
}
