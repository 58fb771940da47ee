/**
 * The bracket table of Hyperband (Li et al. 2018, Algorithm 1). With maximum resource R, minimum resource
 * r_min and halving rate η: s_max = ⌊log_η(R / r_min)⌋, and bracket s (s_max down to 0) starts
 * n = ⌈(s_max+1)/(s+1) · η^s⌉ configurations at budget R·η^-s; each rung keeps the best ⌊n_i/η⌋ and gives them
 * η times the budget. Katib computes the same n and r but with r_min fixed at 1.
 */

/** The numbers that define a schedule. */
export interface ScheduleParams {
  /** R, Katib's `r_l`: the budget of the last rung of every bracket. */
  readonly maxBudget: number;
  /** The smallest budget a bracket may start at (`r_min`). */
  readonly minBudget: number;
  /** The halving rate, an integer ≥ 2. */
  readonly eta: number;
}

/** One rung: how many trials run at which budget. */
export interface Rung {
  readonly size: number;
  readonly budget: number;
}

/** One bracket of successive halving: `s`, its rungs from the first (many trials, small budget) to the last. */
export interface Bracket {
  readonly s: number;
  readonly rungs: readonly Rung[];
}

// Budgets are products of floats (81 / 3^4 …); a relative tolerance keeps log_3(81) from coming out as 3.999….
const tolerance = 1e-9;

/** s_max: the largest s with r_min · η^s ≤ R (−1 when even r_min exceeds R: no bracket fits). */
export function maxBracket(p: ScheduleParams): number {
  if (!(p.minBudget > 0) || !(p.maxBudget > 0) || !(p.eta >= 2)) return -1;
  if (p.minBudget > p.maxBudget * (1 + tolerance)) return -1;
  let s = 0;
  while (p.minBudget * p.eta ** (s + 1) <= p.maxBudget * (1 + tolerance)) s++;
  return s;
}

/** ⌈a / b⌉ for non-negative safe integers, exactly (no float rounding of a / b). */
function ceilDiv(a: number, b: number): number {
  return Math.floor((a + b - 1) / b);
}

/** Bracket s of a schedule whose largest bracket is `sMax`. */
export function bracket(p: ScheduleParams, sMax: number, s: number): Bracket {
  const rungs: Rung[] = [];
  let size = ceilDiv((sMax + 1) * p.eta ** s, s + 1);
  for (let i = 0; i <= s; i++) {
    // Dividing by the exact integer η^(s−i) keeps 81 / 3^4 at exactly 1 (81 · 3^-4 need not be).
    rungs.push({ size, budget: p.maxBudget / p.eta ** (s - i) });
    size = Math.floor(size / p.eta);
  }
  return { s, rungs };
}

/** Every bracket of one Hyperband loop, in the order they run: s = s_max first (most exploratory), s = 0 last. */
export function brackets(p: ScheduleParams): Bracket[] {
  const sMax = maxBracket(p);
  const out: Bracket[] = [];
  for (let s = sMax; s >= 0; s--) out.push(bracket(p, sMax, s));
  return out;
}

/** The total budget of one loop (Σ size · budget over every rung), e.g. for comparing with full-budget search. */
export function loopBudget(p: ScheduleParams): number {
  let total = 0;
  for (const b of brackets(p)) for (const r of b.rungs) total += r.size * r.budget;
  return total;
}
