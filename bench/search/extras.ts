/**
 * The long studies behind the cost targets: 1,000-trial TPE studies (the median wall of 3 seeds: one study's
 * wall on a shared machine varies by a third) and a 500-observation GP study on Hartmann6, timed per suggestion
 * with its memory sampled; and {@link timeLargeHistory}, a few GP suggestions on a history of thousands.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { builtinAlgorithms } from '../../src/search/index.ts';
import type { SearchAlgorithm, SuggestRequest } from '../../src/search/types.ts';
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
  /** Observations → MB of heap still in use after a full garbage collection right after that request. */
  readonly heapMb?: Readonly<Record<number, number>>;
  /** Observations → the process's resident set in MB at the same moments. */
  readonly rssMb?: Readonly<Record<number, number>>;
  /** A few suggestions on a much larger history (see {@link timeLargeHistory}). */
  readonly largeHistory?: LargeHistoryTiming;
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
  /** History sizes at which seed 0's study samples memory (see {@link memorySampler}). */
  readonly memoryAt?: readonly number[];
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
    const sampler = o.memoryAt === undefined ? undefined : memorySampler(o.memoryAt);
    const run = await runStudy({
      algorithm: factory(),
      fn,
      trials: o.trials,
      seed: 0,
      ...(sampler === undefined ? {} : { afterRequest: sampler.afterRequest }),
    });
    const walls = [run.wallS];
    for (let seed = 1; seed < (o.repeats ?? 1); seed++)
      walls.push((await runStudy({ algorithm: factory(), fn, trials: o.trials, seed })).wallS);
    const suggestS: Record<number, number> = {};
    for (const n of o.at) suggestS[n] = suggestTimeAt(run.requests, n);
    const maxSuggestS = Math.max(...run.requests.map((r) => r.seconds));
    const memory = sampler === undefined ? {} : { heapMb: sampler.heapMb, rssMb: sampler.rssMb };
    return { ...base, status: 'ok', wallS: median(walls), suggestS, maxSuggestS, ...memory };
  } catch (e) {
    return { ...base, status: 'error', error: e instanceof Error ? e.message : String(e) };
  }
}

/** A full garbage collection, through the `gc` global that `--expose-gc` provides to new contexts. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * Reads live heap and RSS after a forced full GC following the requests at `at` observations (between requests,
 * so no suggestion time includes a collection; the study's wall does, a few ms per sample).
 */
function memorySampler(at: readonly number[]): {
  afterRequest: (observations: number) => void;
  heapMb: Record<number, number>;
  rssMb: Record<number, number>;
} {
  const gc = collector();
  const heapMb: Record<number, number> = {};
  const rssMb: Record<number, number> = {};
  const mb = 1024 * 1024;
  const afterRequest = (observations: number): void => {
    if (!at.includes(observations)) return;
    gc();
    const m = process.memoryUsage();
    heapMb[observations] = m.heapUsed / mb;
    rssMb[observations] = m.rss / mb;
  };
  return { afterRequest, heapMb, rssMb };
}

/** What {@link timeLargeHistory} measured: seconds of each timed suggestion, and their median. */
export interface LargeHistoryTiming {
  readonly algorithm: string;
  readonly observations: number;
  readonly status: 'ok' | 'not available' | 'error';
  readonly error?: string;
  readonly suggestS?: readonly number[];
  readonly medianS?: number;
}

/**
 * Suggestion time of `algorithm` on a Hartmann6 history of `observations` random trials: the study runs random
 * search up to that size, then hands the requests to the algorithm for `timed` sequential suggestions (the first
 * with no stored state, so it fits from scratch, as after `hpo resume`).
 */
export async function timeLargeHistory(o: {
  readonly algorithm: string;
  readonly observations: number;
  readonly timed?: number;
  readonly registry?: Readonly<Record<string, () => SearchAlgorithm>>;
}): Promise<LargeHistoryTiming> {
  const base = { algorithm: o.algorithm, observations: o.observations };
  const registry = o.registry ?? builtinAlgorithms;
  const factory = Object.hasOwn(registry, o.algorithm) ? registry[o.algorithm] : undefined;
  const random = Object.hasOwn(registry, 'random') ? registry.random : undefined;
  const fn = testFunctions.hartmann6!;
  if (factory === undefined || random === undefined) return { ...base, status: 'not available' };
  const timed = o.timed ?? 3;
  const model = factory();
  const filler = random();
  let started = false;
  const switching: SearchAlgorithm = {
    name: `${model.name} after random`,
    validate: (settings, ctx) => model.validate(settings, ctx),
    suggest: (req: SuggestRequest) => {
      if (req.trials.length < o.observations) return filler.suggest(req);
      // The model's first request carries random search's state, not its own: it starts without one.
      const { state: _, ...fresh } = req;
      const own = started ? req : fresh;
      started = true;
      return model.suggest(own);
    },
  };
  try {
    const run = await runStudy({ algorithm: switching, fn, trials: o.observations + timed, seed: 0 });
    const suggestS = run.requests.filter((r) => r.observations >= o.observations).map((r) => r.seconds);
    return { ...base, status: 'ok', suggestS, medianS: median(suggestS) };
  } catch (e) {
    return { ...base, status: 'error', error: e instanceof Error ? e.message : String(e) };
  }
}
