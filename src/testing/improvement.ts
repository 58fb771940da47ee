import { RandomSearch } from '../search/random.ts';
import type { SearchAlgorithm, Settings } from '../search/types.ts';
import { runAskTell } from './askTell.ts';
import { type Benchmark, branin } from './benchmarks.ts';

/** How {@link compareWithRandom} runs: benchmark, trials per run, seeds, batch size and the algorithm's settings. */
export interface ImprovementOptions {
  readonly benchmark?: Benchmark;
  readonly trials?: number;
  readonly seeds?: readonly number[];
  readonly batch?: number;
  readonly settings?: Settings;
}

/** Mean simple regret (best found minus the known minimum) of the algorithm and of random search on the same runs. */
export interface ImprovementReport {
  readonly algorithm: number;
  readonly random: number;
  readonly runs: number;
}

async function meanRegret(
  factory: () => SearchAlgorithm,
  benchmark: Benchmark,
  options: ImprovementOptions,
  settings: Settings,
): Promise<number> {
  const seeds = options.seeds ?? [1, 2, 3, 4, 5];
  let total = 0;
  for (const seed of seeds) {
    // Both directions: an algorithm that ignores `objective.type` does well on one and badly on the other.
    for (const type of ['minimize', 'maximize'] as const) {
      const sign = type === 'minimize' ? 1 : -1;
      const run = await runAskTell({
        algorithm: factory(),
        space: benchmark.space,
        evaluate: (p) => sign * benchmark.f(p),
        type,
        trials: options.trials ?? 40,
        batch: options.batch ?? 1,
        seed,
        settings,
      });
      total += run.best === undefined ? Number.POSITIVE_INFINITY : sign * run.best - benchmark.minimum;
    }
  }
  return total / (2 * seeds.length);
}

/**
 * Runs the algorithm and Katib's random search (the baseline, without settings) on a benchmark, minimising
 * and maximising (negated), over several seeds, and reports both mean regrets. Used by the conformance suite.
 */
export async function compareWithRandom(
  factory: () => SearchAlgorithm,
  options: ImprovementOptions = {},
): Promise<ImprovementReport> {
  const benchmark = options.benchmark ?? branin;
  const algorithm = await meanRegret(factory, benchmark, options, options.settings ?? {});
  const random = await meanRegret(() => new RandomSearch(), benchmark, options, {});
  return { algorithm, random, runs: 2 * (options.seeds ?? [1, 2, 3, 4, 5]).length };
}
