/**
 * The multi-fidelity objectives of issue #4, the same as `shared/bench/multifidelity.py`: budget b in 1..81 (the
 * cost of a call is b), and at b = 81 each equals its full-fidelity original (Branin, Hartmann6). Minimised.
 */

import type { TestFunction } from '../search/functions.ts';
import { testFunctions } from '../search/functions.ts';

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

const h6A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const h6P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
];

/** The augmented Hartmann6: the first term's weight drops to 0.9 at the lowest fidelity; exact Hartmann6 at 81. */
export function hartmann6Mf(budget: number, x: readonly number[]): number {
  const s = checkBudget(budget);
  const alpha = [1.0 - 0.1 * (1 - s), 1.2, 3.0, 3.2];
  let total = 0;
  for (let i = 0; i < 4; i++) {
    let inner = 0;
    for (let j = 0; j < 6; j++) inner += h6A[i]![j]! * (coord(x, j) - h6P[i]![j]! * 1e-4) ** 2;
    total -= alpha[i]! * Math.exp(-inner);
  }
  return total;
}

function mf(name: string, base: TestFunction, at: (budget: number, x: readonly number[]) => number): MfFunction {
  return { name, bounds: base.bounds, optimum: base.optimum, f: (x) => at(maxBudget, x), at };
}

/** The functions by the names `multifidelity.py` uses (bounds and optimum as it lists them). */
export const mfFunctions: Readonly<Record<string, MfFunction>> = {
  branin_mf: mf('branin_mf', testFunctions.branin!, braninMf),
  hartmann6_mf: mf('hartmann6_mf', testFunctions.hartmann6!, hartmann6Mf),
};
