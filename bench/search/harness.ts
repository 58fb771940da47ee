/**
 * Our side of the search benchmark: every selected algorithm × function × seed through {@link runStudy}, with
 * algorithms looked up in `builtinAlgorithms` so ones registered later join without changes here.
 */
import { performance } from 'node:perf_hooks';
import { builtinAlgorithms } from '../../src/search/index.ts';
import type { SearchAlgorithm, Settings } from '../../src/search/types.ts';
import { benchmarkFunction } from './functions.ts';
import { median } from './stats.ts';
import { runStudy, type Schedule, type StudyObjective } from './study.ts';

/** The continuous-space samplers the benchmark runs by default, those not registered yet reported as such. */
export const candidateAlgorithms: readonly string[] = [
  'random',
  'sobol',
  'tpe',
  'multivariate-tpe',
  'bayesianoptimization',
  'cmaes',
];

/** One study reduced to what the report needs. */
export interface StudyRecord {
  readonly seed: number;
  readonly wallS: number;
  readonly curve: readonly number[];
  readonly coincidences: number;
}

/** One sampler (ours, Optuna's live run, or a fixed anchor) on every function. */
export interface Series {
  readonly id: string;
  readonly label: string;
  readonly source: 'hpo' | 'optuna' | 'anchor';
  readonly algorithm?: string;
  readonly parallel?: number;
  /** How a parallel series scheduled its trials (ours only). */
  readonly schedule?: Schedule;
  status: 'ok' | 'not available' | 'error';
  error?: string;
  /** Function name → its studies (empty for anchors, which carry only medians). */
  readonly studies: Record<string, StudyRecord[]>;
}

/** What {@link runOurSide} runs. */
export interface HarnessOptions {
  readonly algorithms: readonly string[];
  readonly functions: readonly string[];
  readonly seeds: number;
  readonly trials: number;
  /** The parallel modes to run, e.g. `[1, 4]`; 1 is sequential. */
  readonly parallel: readonly number[];
  readonly schedule?: Schedule;
  /** Algorithm name → factory; defaults to `builtinAlgorithms`. */
  readonly registry?: Readonly<Record<string, () => SearchAlgorithm>>;
  readonly settings?: Readonly<Record<string, Settings>>;
  /** Function name → objective; defaults to the continuous set (`benchmarkFunction`). */
  readonly resolve?: (name: string) => StudyObjective | undefined;
  readonly log?: (line: string) => void;
}

/** Seeds of the untimed warm-up studies of every series (far from the seeds the report uses), and their number. */
const warmUpSeed = 1_000_003;
const warmUpStudies = 10;

/**
 * The id of one of our series: the algorithm's name sequentially, `name@p` for synchronous batches of p and
 * `name@p-async` when a slot is refilled as soon as a trial ends.
 */
export function ourSeriesId(algorithm: string, parallel: number, schedule: Schedule = 'sync'): string {
  if (parallel === 1) return algorithm;
  return schedule === 'sync' ? `${algorithm}@${parallel}` : `${algorithm}@${parallel}-async`;
}

/** The label of one of our series in tables and plots. */
export function ourLabel(algorithm: string, parallel: number, schedule: Schedule = 'sync'): string {
  return parallel === 1 ? `hpo ${algorithm}` : `hpo ${algorithm} (parallel ${parallel}, ${schedule})`;
}

/** Runs our algorithms; an algorithm that is not registered is `not available`, one that throws is `error`. */
export async function runOurSide(o: HarnessOptions): Promise<Series[]> {
  const registry = o.registry ?? builtinAlgorithms;
  const schedule = o.schedule ?? 'sync';
  const resolve = o.resolve ?? benchmarkFunction;
  const out: Series[] = [];
  const started = performance.now();
  for (const parallel of o.parallel) {
    for (const algorithm of o.algorithms) {
      const series: Series = {
        id: ourSeriesId(algorithm, parallel, schedule),
        label: ourLabel(algorithm, parallel, schedule),
        source: 'hpo',
        algorithm,
        parallel,
        ...(parallel > 1 ? { schedule } : {}),
        status: 'ok',
        studies: {},
      };
      out.push(series);
      const factory = Object.hasOwn(registry, algorithm) ? registry[algorithm] : undefined;
      if (factory === undefined) {
        series.status = 'not available';
        continue;
      }
      const settings = o.settings?.[algorithm];
      const study = (fn: StudyObjective, seed: number) =>
        runStudy({
          algorithm: factory(),
          fn,
          trials: o.trials,
          seed,
          parallel,
          schedule,
          ...(settings === undefined ? {} : { settings }),
        });
      // Untimed studies first (up to 10, or 1 s of them), so that timed studies measure the algorithm in a
      // warm process, as a controller's suggestion worker runs it, not V8 compiling and tiering up its code:
      // the first ten 100-trial TPE studies of a fresh process take a median 15 ms, later ones 7 ms.
      const first = o.functions[0] === undefined ? undefined : resolve(o.functions[0]);
      const warmStart = performance.now();
      for (let w = 0; first !== undefined && w < warmUpStudies && performance.now() - warmStart < 1000; w++) {
        try {
          await study(first, warmUpSeed + w);
        } catch {
          break; // the timed studies report the error
        }
      }
      for (const name of o.functions) {
        const fn = resolve(name);
        if (fn === undefined) throw new Error(`unknown function ${name}`);
        const studies: StudyRecord[] = [];
        try {
          for (let seed = 0; seed < o.seeds; seed++) {
            const run = await study(fn, seed);
            studies.push({ seed, wallS: run.wallS, curve: run.curve, coincidences: run.coincidences });
            // Let the event loop drain the Optuna child's output (and anything else pending) between studies.
            await new Promise((resolve) => setImmediate(resolve));
          }
        } catch (e) {
          series.status = 'error';
          series.error = `${name}: ${e instanceof Error ? e.message : String(e)}`;
          o.log?.(`${series.label} / ${name}: error: ${series.error}`);
          break;
        }
        series.studies[name] = studies;
        const wall = median(studies.map((s) => s.wallS));
        const elapsed = ((performance.now() - started) / 1000).toFixed(0);
        o.log?.(
          `${series.label} / ${name}: ${studies.length} studies, median wall ${wall.toFixed(3)} s [${elapsed} s]`,
        );
      }
    }
  }
  return out;
}
