/**
 * The methods of the multi-fidelity benchmark and how each one is run. Algorithms are looked up by name in a
 * registry (`builtinAlgorithms` by default), so Hyperband and BOHB join as soon as they are registered; until
 * then they are reported as not available.
 */
import { AshaStopper } from '../../src/search/asha/index.ts';
import type { SearchAlgorithm } from '../../src/search/types.ts';
import { runAsha, rungSteps } from './asha.ts';
import { type MfFunction, maxBudget } from './functions.ts';
import { runSequential } from './sequential.ts';
import type { RunTrace } from './trace.ts';

/** The methods in report order; `random` is the full-budget baseline the others are measured against. */
export const methodNames: readonly string[] = ['random', 'hyperband', 'bohb', 'asha'];

/** The reduction factor and the smallest budget every multi-fidelity method uses. */
export const eta = 3;
/** The smallest budget of the schedules and rungs (ASHA's `min_resource`, Hyperband's default `r_min`). */
export const minBudget = 1;
/** Trials in flight in the ASHA simulation (the controller's `parallelTrialCount`). */
export const ashaParallel = 4;

/** One run: method × function × seed, under a total budget cap. */
export interface MethodRun {
  readonly method: string;
  readonly fn: MfFunction;
  readonly seed: number;
  readonly cap: number;
  readonly registry: Readonly<Record<string, () => SearchAlgorithm>>;
}

/** A registered factory by name, or undefined (an own property only, so `toString` is not an algorithm). */
export function lookup(
  registry: Readonly<Record<string, () => SearchAlgorithm>>,
  name: string,
): (() => SearchAlgorithm) | undefined {
  return Object.hasOwn(registry, name) ? registry[name] : undefined;
}

/** Whether a method can run with `registry` (ASHA needs the `asha` proposer; its stopper is imported directly). */
export function isAvailable(registry: Readonly<Record<string, () => SearchAlgorithm>>, method: string): boolean {
  return lookup(registry, method) !== undefined;
}

/** Runs one method once. Throws for an unknown or unregistered method. */
export async function runMethod(r: MethodRun): Promise<RunTrace> {
  const factory = lookup(r.registry, r.method);
  if (factory === undefined || !methodNames.includes(r.method)) throw new Error(`method ${r.method} is not available`);
  const seed = String(r.seed);
  if (r.method === 'random') {
    return runSequential({
      algorithm: factory(),
      fn: r.fn,
      seed: r.seed,
      cap: r.cap,
      settings: { random_state: seed },
      withResource: false,
    });
  }
  if (r.method === 'asha') {
    const settings = {
      eta: String(eta),
      min_resource: String(minBudget),
      max_resource: String(maxBudget),
      random_state: seed,
    };
    return runAsha({
      search: factory(),
      stopper: new AshaStopper(),
      fn: r.fn,
      seed: r.seed,
      cap: r.cap,
      parallel: ashaParallel,
      settings,
      steps: rungSteps(eta, minBudget),
    });
  }
  // Hyperband and BOHB: enough loops of the schedule that the cap, not the schedule, ends the run (a loop costs
  // far more than one full-budget trial, so cap / 81 loops is always enough).
  const settings = {
    resource_name: 'budget',
    r_l: String(maxBudget),
    eta: String(eta),
    loops: String(Math.max(1, Math.ceil(r.cap / maxBudget))),
    random_state: seed,
  };
  return runSequential({ algorithm: factory(), fn: r.fn, seed: r.seed, cap: r.cap, settings, withResource: true });
}
