/**
 * The long studies behind the cost targets: 1,000-trial TPE studies (the median wall of 3 seeds: one study's
 * wall on a shared machine varies by a third) and a 500-observation GP study on Hartmann6, timed per suggestion.
 */
import { builtinAlgorithms } from '../../src/search/index.ts';
import type { SearchAlgorithm } from '../../src/search/types.ts';
import { testFunctions } from './functions.ts';
import { median } from './stats.ts';
import { type RequestTiming, runStudy } from './study.ts';

/** One long study: its wall time and the median suggestion time near some history sizes. */
export interface LongStudy {
  readonly algorithm: string;
  readonly fn: string;
  readonly trials: number;
  readonly status: 'ok' | 'not available' | 'error';
  readonly error?: string;
  readonly wallS?: number;
  /** History size → median seconds of the (up to 10) suggestions made with at most that many observations, nearest first. */
  readonly suggestS?: Readonly<Record<number, number>>;
  /** The slowest suggestion of the study. */
  readonly maxSuggestS?: number;
}

/** What {@link runLongStudy} runs. */
export interface LongStudyOptions {
  readonly algorithm: string;
  readonly trials: number;
  /** History sizes to report the suggestion time at. */
  readonly at: readonly number[];
  readonly fn?: string;
  /** Studies to run (seeds 0, 1, …): the wall time is their median, the suggestion times are seed 0's. */
  readonly repeats?: number;
  readonly registry?: Readonly<Record<string, () => SearchAlgorithm>>;
}

/** Median time of the ten suggestions made with the history closest to (and not above) `n` observations. */
export function suggestTimeAt(requests: readonly RequestTiming[], n: number): number {
  const near = requests.filter((r) => r.observations <= n && r.observations > n - 10);
  return median(near.map((r) => r.seconds / Math.max(1, r.count)));
}

/** Runs `repeats` sequential studies of `trials` trials on Hartmann6 (seed 0 first); never throws. */
export async function runLongStudy(o: LongStudyOptions): Promise<LongStudy> {
  const fnName = o.fn ?? 'hartmann6';
  const base = { algorithm: o.algorithm, fn: fnName, trials: o.trials };
  const registry = o.registry ?? builtinAlgorithms;
  const factory = Object.hasOwn(registry, o.algorithm) ? registry[o.algorithm] : undefined;
  const fn = testFunctions[fnName];
  if (factory === undefined || fn === undefined) return { ...base, status: 'not available' };
  try {
    const run = await runStudy({ algorithm: factory(), fn, trials: o.trials, seed: 0 });
    const walls = [run.wallS];
    for (let seed = 1; seed < (o.repeats ?? 1); seed++)
      walls.push((await runStudy({ algorithm: factory(), fn, trials: o.trials, seed })).wallS);
    const suggestS: Record<number, number> = {};
    for (const n of o.at) suggestS[n] = suggestTimeAt(run.requests, n);
    const maxSuggestS = Math.max(...run.requests.map((r) => r.seconds));
    return { ...base, status: 'ok', wallS: median(walls), suggestS, maxSuggestS };
  } catch (e) {
    return { ...base, status: 'error', error: e instanceof Error ? e.message : String(e) };
  }
}
