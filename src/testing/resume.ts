import { expect } from 'vitest';
import type { NasSpace } from '../search/nas/space.ts';
import type { Assignment, SearchSpace } from '../search/space.ts';
import type { SearchAlgorithm, Settings } from '../search/types.ts';
import { runAskTell } from './askTell.ts';
import { mixedObjective } from './benchmarks.ts';

/**
 * Asserts that an algorithm resumes exactly: one uninterrupted ask/tell run of 12 trials (batches of 2) against a
 * run stopped after 6 and continued by a fresh instance that has only the stored state (cloned, as a store gives
 * it back) and the full history. A restarted controller or suggestion worker must not change what comes next, so
 * anything an algorithm needs to continue belongs in `state` or must be rebuilt from the history.
 * Used by describeSearchAlgorithm; exported to check one algorithm on its own.
 */
export async function expectExactResume(
  factory: () => SearchAlgorithm,
  options: {
    readonly space: SearchSpace;
    readonly settings?: Settings;
    readonly seed?: number;
    /** A NAS search's architecture space, with `evaluate` for its trials. */
    readonly nas?: NasSpace;
    readonly evaluate?: (params: Assignment) => number;
  },
): Promise<void> {
  const common = {
    space: options.space,
    evaluate: options.evaluate ?? mixedObjective,
    ...(options.nas === undefined ? {} : { nas: options.nas }),
    batch: 2,
    seed: options.seed ?? 3,
    settings: options.settings ?? {},
  };
  const whole = await runAskTell({ ...common, algorithm: factory(), trials: 12 });
  const first = await runAskTell({ ...common, algorithm: factory(), trials: 6 });
  const stored = first.results.at(-1)?.state;
  const resumed = await runAskTell({
    ...common,
    algorithm: factory(),
    trials: 12,
    history: first.trials,
    ...(stored === undefined ? {} : { state: structuredClone(stored) }),
  });
  expect(resumed.trials, 'the trials of a resumed run').toEqual(whole.trials);
  expect(resumed.results, 'the answers of a resumed run').toEqual(whole.results.slice(first.results.length));
}
