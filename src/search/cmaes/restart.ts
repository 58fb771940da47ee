import type { Rng } from '../rng.ts';
import { condition, type Eigen } from './eigen.ts';
import type { Budget, Regime, RunState } from './state.ts';

/**
 * When a run has converged or broken down, and what the next run looks like: IPOP-CMA-ES (Auger & Hansen 2005:
 * double λ at every restart) or BIPOP-CMA-ES (Hansen 2009: alternate a large-population regime, λ doubling, with
 * a small-population regime of random smaller λ and σ, giving each regime about the same number of trials).
 */

/** Katib's `restart_strategy` values. */
export type RestartStrategy = 'none' | 'ipop' | 'bipop';

/** Thresholds of the stopping tests, in unit-cube coordinates. */
const tolX = 1e-10;
const tolFun = 1e-12;
const maxCondition = 1e14;
const tolXUp = 1e3;

/** How many generation bests TolFun looks back over: 10 + ⌈30n/λ⌉ (Hansen's default). */
export function tolFunWindow(n: number, lambda: number): number {
  return 10 + Math.ceil((30 * n) / lambda);
}

/**
 * The first stopping test a run fails, or undefined. `values` are the finite values of the generation just
 * ranked; `eig` decomposes the updated covariance. Run after {@link updateDistribution} and the margin.
 */
export function stopReason(run: RunState, values: readonly number[], eig: Eigen | undefined): string | undefined {
  const n = run.mean.length;
  const window = tolFunWindow(n, run.lambda);
  if (run.best.length >= window && values.length > 0) {
    const all = [...run.best, ...values];
    const scale = Math.max(1, Math.abs(Math.min(...all)));
    // Flat for a whole window: every draw decodes to equally good points (e.g. a converged lattice search).
    if (Math.max(...all) - Math.min(...all) <= tolFun * scale) return 'tolfun';
  }
  if (n === 0 || !eig) return undefined;
  let small = true;
  for (let i = 0; i < n; i++) {
    const spread = run.sigma * Math.max(Math.abs(run.pc[i]!), Math.sqrt(run.C[i]![i]!));
    if (spread >= tolX) small = false;
  }
  if (small) return 'tolx';
  if (condition(eig) > maxCondition) return 'conditioncov';
  let widest = 0;
  for (const d of eig.D) widest = Math.max(widest, d);
  if (run.sigma * widest > tolXUp) return 'tolxup';
  return undefined;
}

/** The shape of the next run: its regime, population size and initial step size. */
export interface NextRun {
  readonly regime: Regime;
  readonly lambda: number;
  readonly sigma0: number;
}

/**
 * Plans the run after `finished` under `strategy` (not `none`), given the default λ and σ0 of the experiment.
 * Charges the finished run's trials to its regime in `budget` (mutated).
 */
export function planRestart(args: {
  readonly strategy: Exclude<RestartStrategy, 'none'>;
  readonly finished: RunState;
  readonly budget: Budget;
  readonly lambda0: number;
  readonly sigma0: number;
  readonly rng: Rng;
}): NextRun {
  const { finished, budget, lambda0, sigma0 } = args;
  if (finished.regime === 'small') budget.small += finished.evaluations;
  else if (finished.regime === 'large') budget.large += finished.evaluations;
  if (args.strategy === 'ipop') return { regime: 'large', lambda: finished.lambda * 2, sigma0 };
  // BIPOP: the first (default) run counts for neither regime, so the first restart is a large one.
  if (budget.small < budget.large) {
    const u = args.rng.next();
    const largest = lambda0 * 2 ** budget.largeRuns;
    const lambda = Math.max(lambda0, Math.floor(lambda0 * (largest / (2 * lambda0)) ** (u * u)));
    return { regime: 'small', lambda, sigma0: sigma0 * 10 ** (-2 * args.rng.next()) };
  }
  budget.largeRuns += 1;
  return { regime: 'large', lambda: lambda0 * 2 ** budget.largeRuns, sigma0 };
}
