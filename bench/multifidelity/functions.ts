/**
 * The multi-fidelity objectives of issue #4, the same as `shared/bench/multifidelity.py`: budget b in 1..81 (the
 * cost of a call is b), and at b = 81 each equals its full-fidelity original (Branin, Hartmann6). Minimised.
 */

import type { TestFunction } from '../search/functions.ts';
import { hartmann6With, testFunctions } from '../search/functions.ts';

/** The largest budget (R in multifidelity.py): the full fidelity. */
export const maxBudget = 81;

/**
 * A multi-fidelity objective. As a {@link TestFunction} (so `spaceOf`/`pointOf` of the search bench apply) `f`
 * is the full-fidelity function; `at(budget, x)` is the biased cheap version.
 */
export interface MfFunction extends TestFunction {
  readonly at: (budget: number, x: readonly number[]) => number;
}

function coord(x: readonly number[], i: number): number {
  const v = x[i];
  if (v === undefined) throw new RangeError(`point has ${x.length} coordinates, needs at least ${i + 1}`);
  return v;
}

function checkBudget(budget: number): number {
  if (!(budget >= 1 && budget <= maxBudget)) throw new RangeError(`budget must be in [1, ${maxBudget}], got ${budget}`);
  return budget / maxBudget;
}

/** Branin with the Kandasamy et al. (2017) fidelity bias on b, c and t; exact Branin at budget 81. */
export function braninMf(budget: number, x: readonly number[]): number {
  const s = checkBudget(budget);
  const x1 = coord(x, 0);
  const x2 = coord(x, 1);
  const b = 5.1 / (4 * Math.PI ** 2) - 0.01 * (1 - s);
  const c = 5 / Math.PI - 0.1 * (1 - s);
  const t = 1 / (8 * Math.PI) + 0.05 * (1 - s);
  return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
}

/** The augmented Hartmann6: the first term's weight drops to 0.9 at the lowest fidelity; exact Hartmann6 at 81. */
export function hartmann6Mf(budget: number, x: readonly number[]): number {
  const s = checkBudget(budget);
  return hartmann6With([1.0 - 0.1 * (1 - s), 1.2, 3.0, 3.2], x);
}

function mf(name: string, base: TestFunction, at: (budget: number, x: readonly number[]) => number): MfFunction {
  return { name, bounds: base.bounds, optimum: base.optimum, f: (x) => at(maxBudget, x), at };
}

/** The functions by the names `multifidelity.py` uses (bounds and optimum as it lists them). */
export const mfFunctions: Readonly<Record<string, MfFunction>> = {
  branin_mf: mf('branin_mf', testFunctions.branin!, braninMf),
  hartmann6_mf: mf('hartmann6_mf', testFunctions.hartmann6!, hartmann6Mf),
};
