/**
 * The search benchmark of issue #3 as one function: our algorithms and Optuna's (run concurrently), the fixed
 * anchors, the long cost studies, the summary rows, the median curves and the targets. `run.ts` is its CLI.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { SearchAlgorithm } from '../../src/search/types.ts';
import { type Anchors, parseAnchors } from './anchors.ts';
import { type LongStudy, runLongStudy, timeLargeHistory } from './extras.ts';
import { benchmarkFunction, testFunctions } from './functions.ts';
import { candidateAlgorithms, runOurSide, type Series } from './harness.ts';
import { type OptunaOutcome, optunaSamplers, runOptunaReference } from './optuna.ts';
import type { Schedule } from './study.ts';
import { anchorRows, medianRegretCurves, optunaSeries, type SummaryRow, summarise } from './summary.ts';
import { evaluateTargets, type Target } from './targets.ts';

/** Options of {@link runSearchBenchmark}; every field has the default of `npm run bench:search`. */
export interface BenchOptions {
  readonly algorithms?: readonly string[];
  readonly functions?: readonly string[];
  readonly seeds?: number;
  /**
   * Seeds (0…n−1) our sequential and parallel series also run for the robustness check of the parallel
   * comparison (default 30; at most `seeds` turns it off). The table, plot and every other target use the
   * first `seeds` only, as the protocol says.
   */
  readonly paritySeeds?: number;
  readonly trials?: number;
  /** The parallel mode run besides sequential; 1 runs sequential only. */
  readonly parallel?: number;
  /**
   * How the parallel mode schedules its trials: synchronous batches, one-at-a-time refills, or (the default)
   * both, each compared with sequential.
   */
  readonly schedules?: readonly Schedule[];
  /** Run Optuna's reference script (default true). */
  readonly optuna?: boolean;
  readonly optunaSamplers?: readonly string[];
  /** Run the 1,000-trial TPE and 500-observation GP studies (default true). */
  readonly long?: boolean;
  /** The folder holding `functions.py`, `optuna_reference.py` and `ANCHORS.md`. */
  readonly sharedBench?: string;
  readonly python?: string;
  /** Algorithm name → factory; defaults to `builtinAlgorithms` (tests register stand-ins here). */
  readonly registry?: Readonly<Record<string, () => SearchAlgorithm>>;
  readonly log?: (line: string) => void;
}

/** Everything the benchmark found; `search.json` is this object. */
export interface BenchReport {
  readonly date: string;
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly node: string };
  readonly options: {
    trials: number;
    seeds: number;
    /** Seeds behind the robustness check of the parallel comparison (= seeds when it was not run). */
    paritySeeds: number;
    functions: string[];
    algorithms: string[];
    parallel: number;
    schedules: Schedule[];
  };
  readonly optuna: { readonly version?: string; readonly error?: string; readonly seconds?: number };
  readonly notAvailable: string[];
  readonly errors: { readonly series: string; readonly error: string }[];
  readonly rows: SummaryRow[];
  /** Our rows over `options.paritySeeds` seeds, when more than `seeds` were run. */
  readonly parity?: { readonly seeds: number; readonly rows: readonly SummaryRow[] };
  /** Function → sampler label → median regret after each trial (anchors: their checkpoints). */
  readonly curves: Record<string, Record<string, number[]>>;
  readonly anchorCurves: Record<string, Record<string, [number, number][]>>;
  readonly long: LongStudy[];
  readonly targets: Target[];
  /** The raw series (every study's curve), for the tests and further analysis; left out of the JSON file. */
  readonly series: Series[];
}

/** `shared/bench/` next to the repository (the repository is /work/main, shared is /work/shared). */
export const defaultSharedBench: string = fileURLToPath(new URL('../../../shared/bench/', import.meta.url));

/** Where the GP's 501-trial study samples live heap (after a forced GC) and RSS. */
const gpMemoryAt = [100, 200, 300, 400, 500];
/** The history size of the GP's large-history timing: well past the few thousand observations the issue names. */
export const gpLargeHistory = 10_000;

/** Runs the benchmark and returns the report; it only reads files, `run.ts` writes the results. */
export async function runSearchBenchmark(o: BenchOptions = {}): Promise<BenchReport> {
  const trials = o.trials ?? 100;
  const seeds = o.seeds ?? 10;
  const paritySeeds = o.parallel === 1 ? 0 : (o.paritySeeds ?? 30);
  const extraSeeds = Math.max(paritySeeds, seeds);
  const functions = [...(o.functions ?? Object.keys(testFunctions))];
  const algorithms = [...(o.algorithms ?? candidateAlgorithms)];
  const parallel = o.parallel ?? 4;
  const schedules = [...new Set(o.schedules ?? (['sync', 'async'] as const))];
  const shared = (o.sharedBench ?? defaultSharedBench).replace(/\/$/, '');
  const log = o.log ?? (() => {});
  for (const f of functions) {
    if (benchmarkFunction(f) === undefined) throw new Error(`unknown function ${f}`);
    // The held-out functions are ours alone: functions.py, which the Optuna side runs, does not define them.
    if (!(f in testFunctions) && o.optuna !== false) {
      throw new Error(`function ${f} is held out (no Optuna reference): add --no-optuna to run it`);
    }
  }
  const anchors = readAnchors(`${shared}/ANCHORS.md`, log);
  // Optuna runs in its own process while ours runs here: one core each.
  const optunaRun: Promise<OptunaOutcome | undefined> =
    o.optuna === false
      ? Promise.resolve(undefined)
      : runOptunaReference({
          sharedBench: shared,
          trials,
          seeds,
          functions,
          samplers: o.optunaSamplers ?? optunaSamplers,
          ...(o.python === undefined ? {} : { python: o.python }),
        });
  if (o.optuna !== false) log('optuna: reference run started');
  const registry = o.registry === undefined ? {} : { registry: o.registry };
  const side = { algorithms, functions, seeds: extraSeeds, trials, log, ...registry };
  const all = await runOurSide({ ...side, parallel: [1] });
  // Each schedule of the parallel mode is its own series (`name@p`, `name@p-async`), judged against sequential.
  for (const schedule of parallel > 1 ? schedules : [])
    all.push(...(await runOurSide({ ...side, parallel: [parallel], schedule })));
  const ours = all.map((s) => firstSeeds(s, seeds));
  const available = [...new Set(ours.filter((s) => s.status !== 'not available').map((s) => s.algorithm ?? ''))];
  const long: LongStudy[] = [];
  if (o.long !== false) {
    for (const algorithm of ['tpe', 'multivariate-tpe', 'bayesianoptimization'].filter((a) => available.includes(a))) {
      const gp = algorithm === 'bayesianoptimization';
      log(`long study: ${algorithm} on hartmann6, ${gp ? 501 : 1000} trials`);
      const r = await runLongStudy({
        algorithm,
        trials: gp ? 501 : 1000,
        at: gp ? [50, 100, 500] : [50, 100, 500, 1000],
        repeats: gp ? 1 : 3,
        ...(gp ? { memoryAt: gpMemoryAt } : {}),
        ...registry,
      });
      log(`long study: ${algorithm}: ${r.status}${r.wallS === undefined ? '' : `, ${r.wallS.toFixed(2)} s`}`);
      if (gp && r.status === 'ok') {
        log(`long study: ${algorithm} on a history of ${gpLargeHistory} random trials`);
        long.push({
          ...r,
          largeHistory: await timeLargeHistory({ algorithm, observations: gpLargeHistory, ...registry }),
        });
      } else {
        long.push(r);
      }
    }
  }
  if (o.optuna !== false) log('optuna: waiting for the reference run to finish');
  const optuna = await optunaRun;
  if (optuna)
    log(optuna.error ? `optuna: ${optuna.error}` : `optuna ${optuna.version}: done in ${optuna.seconds.toFixed(0)} s`);
  const live = optuna ? optunaSeries(optuna) : [];
  const series = [...ours, ...live];
  const liveSamplers = new Set(live.map((s) => s.id.replace(/^optuna-/, 'live:')));
  // Optuna 3.1 figures come from the live run when it worked; the file's copies are shown only otherwise.
  const rows = [
    ...summarise(series, functions, trials),
    ...anchorRows(anchors, functions, (a) => liveSamplers.has(a.sampler.replace(/^Optuna 3\.1\s+/, 'live:'))),
  ].sort((a, b) => functions.indexOf(a.fn) - functions.indexOf(b.fn));
  const anchorCurves: Record<string, Record<string, [number, number][]>> = {};
  for (const fn of functions) anchorCurves[fn] = {};
  for (const r of rows.filter((row) => row.source === 'anchor')) {
    anchorCurves[r.fn]![r.sampler] = Object.entries(r.regret).map(([c, q]) => [Number(c), q.median]);
  }
  const parity = extraSeeds > seeds ? { seeds: extraSeeds, rows: summarise(all, functions, trials) } : undefined;
  const targets = evaluateTargets({
    rows,
    anchors,
    functions,
    available,
    long,
    ...(parallel > 1 ? { parallel, schedules } : {}),
    ...(parity ? { parity } : {}),
  });
  return {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', node: process.version },
    options: {
      trials,
      seeds,
      paritySeeds: extraSeeds,
      functions,
      algorithms,
      parallel,
      schedules,
    },
    ...(parity ? { parity } : {}),
    optuna: optuna
      ? {
          ...(optuna.version ? { version: optuna.version } : {}),
          ...(optuna.error ? { error: optuna.error } : {}),
          seconds: optuna.seconds,
        }
      : { error: 'not run (--no-optuna)' },
    notAvailable: algorithms.filter((a) => !available.includes(a)),
    errors: series.flatMap((s) => (s.status === 'error' ? [{ series: s.label, error: s.error ?? '' }] : [])),
    rows,
    curves: medianRegretCurves(series, functions),
    anchorCurves,
    long,
    targets,
    series,
  };
}

/** A series cut to its studies of seeds 0…n−1 (the protocol's seeds). */
function firstSeeds(s: Series, n: number): Series {
  const studies: Series['studies'] = {};
  for (const [fn, list] of Object.entries(s.studies)) studies[fn] = list.filter((st) => st.seed < n);
  return { ...s, studies };
}

function readAnchors(path: string, log: (line: string) => void): Anchors {
  try {
    return parseAnchors(readFileSync(path, 'utf8'));
  } catch (e) {
    log(`anchors: cannot read ${path}: ${String(e)}`);
    return { rows: [], costs: [] };
  }
}
