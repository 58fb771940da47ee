/**
 * The mixed-space benchmark of issue #18 as one function: our algorithms (through the same harness and study
 * loop as `bench:search`) and Optuna's samplers (through our driver `optuna_mixed.py`, concurrently, in its own
 * process) on the functions of `mixedFunctions.ts`; regret quartiles at 25/50/100 trials and the targets.
 * `mixed.ts` is its CLI.
 */
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { SearchAlgorithm } from '../../src/search/types.ts';
import { runOurSide, type Series } from './harness.ts';
import { mixedFunctions } from './mixedFunctions.ts';
import { type OptunaOutcome, runOptunaReference } from './optuna.ts';
import { checkpoints, optunaSeries, type SummaryRow, summarise } from './summary.ts';

/** Our samplers on the mixed set (every one of them takes ints with steps, lists and categoricals). */
export const mixedAlgorithms: readonly string[] = [
  'random',
  'tpe',
  'multivariate-tpe',
  'bayesianoptimization',
  'cmaes',
];
/** Optuna's samplers on the mixed set, as `optuna_mixed.py` names them. */
export const mixedOptunaSamplers: readonly string[] = ['random', 'tpe', 'tpe-multivariate', 'cmaes'];
/** Trial counts at which regret is reported. */
export const mixedCheckpoints: readonly number[] = checkpoints;

/** Options of {@link runMixedBenchmark}; every field has the default of `npm run bench:search:mixed`. */
export interface MixedOptions {
  readonly functions?: readonly string[];
  readonly algorithms?: readonly string[];
  readonly seeds?: number;
  readonly trials?: number;
  readonly optuna?: boolean;
  readonly optunaSamplers?: readonly string[];
  readonly python?: string;
  /** Algorithm name → factory; defaults to `builtinAlgorithms` (tests register stand-ins here). */
  readonly registry?: Readonly<Record<string, () => SearchAlgorithm>>;
  readonly log?: (line: string) => void;
}

/** One sampler on one function: the search benchmark's row (regret quartiles and geometric means, study wall). */
export type MixedRow = SummaryRow;

/** One PASS/FAIL line: one of ours against Optuna's better TPE at one budget on one function. */
export interface MixedTarget {
  readonly description: string;
  readonly status: 'pass' | 'fail' | 'n/a';
  readonly detail: string;
}

/** Everything the mixed benchmark found; `searchMixed.json` is this object without `series`. */
export interface MixedReport {
  readonly date: string;
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly node: string };
  readonly options: { trials: number; seeds: number; functions: string[]; algorithms: string[] };
  readonly optuna: { readonly version?: string; readonly error?: string; readonly seconds?: number };
  readonly notAvailable: string[];
  readonly errors: { readonly series: string; readonly error: string }[];
  readonly rows: MixedRow[];
  readonly targets: MixedTarget[];
  readonly series: Series[];
}

const here = fileURLToPath(new URL('.', import.meta.url));

/** Runs the mixed benchmark and returns the report; `mixed.ts` writes the files. */
export async function runMixedBenchmark(o: MixedOptions = {}): Promise<MixedReport> {
  const trials = o.trials ?? 100;
  const seeds = o.seeds ?? 10;
  const functions = [...(o.functions ?? Object.keys(mixedFunctions))];
  const algorithms = [...(o.algorithms ?? mixedAlgorithms)];
  const log = o.log ?? (() => {});
  for (const f of functions) if (!Object.hasOwn(mixedFunctions, f)) throw new Error(`unknown mixed function ${f}`);
  const optunaRun: Promise<OptunaOutcome | undefined> =
    o.optuna === false
      ? Promise.resolve(undefined)
      : runOptunaReference({
          sharedBench: here,
          script: `${here}optuna_mixed.py`,
          extraArgs: ['--evaluator', JSON.stringify([process.execPath, '--import', 'tsx', `${here}mixedEval.ts`])],
          trials,
          seeds,
          functions,
          samplers: o.optunaSamplers ?? mixedOptunaSamplers,
          ...(o.python === undefined ? {} : { python: o.python }),
        });
  const ours = await runOurSide({
    algorithms,
    functions,
    seeds,
    trials,
    parallel: [1],
    resolve: (name) => (Object.hasOwn(mixedFunctions, name) ? mixedFunctions[name] : undefined),
    log,
    ...(o.registry === undefined ? {} : { registry: o.registry }),
  });
  if (o.optuna !== false) log('optuna: waiting for optuna_mixed.py');
  const optuna = await optunaRun;
  if (optuna)
    log(optuna.error ? `optuna: ${optuna.error}` : `optuna ${optuna.version}: done in ${optuna.seconds.toFixed(0)} s`);
  const series = [...ours, ...(optuna ? optunaSeries(optuna) : [])];
  const rows = mixedRows(series, functions, trials);
  return {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', node: process.version },
    options: { trials, seeds, functions, algorithms },
    optuna: optuna
      ? {
          ...(optuna.version ? { version: optuna.version } : {}),
          ...(optuna.error ? { error: optuna.error } : {}),
          seconds: optuna.seconds,
        }
      : { error: 'not run (--no-optuna)' },
    notAvailable: ours.filter((s) => s.status === 'not available').map((s) => s.algorithm ?? s.id),
    errors: series.flatMap((s) => (s.status === 'error' ? [{ series: s.label, error: s.error ?? '' }] : [])),
    rows,
    targets: mixedTargets(rows, functions),
    series,
  };
}

/** The rows of every `ok` series on each function, regret against the function's exact optimum. */
export function mixedRows(series: readonly Series[], functions: readonly string[], trials: number): MixedRow[] {
  return summarise(series, functions, trials, (fn) => mixedFunctions[fn]!.optimum);
}

/**
 * The targets: on each function, our GP-BO and our TPE at or below the better of Optuna's two TPEs
 * (univariate, multivariate) in median regret, at 100 and at 50 trials; n/a when a side did not run.
 */
export function mixedTargets(rows: readonly MixedRow[], functions: readonly string[]): MixedTarget[] {
  const out: MixedTarget[] = [];
  const g = (v: number): string => Number(v.toPrecision(3)).toString();
  for (const fn of functions) {
    for (const budget of [100, 50]) {
      const optuna = rows
        .filter((r) => r.fn === fn && (r.seriesId === 'optuna-tpe' || r.seriesId === 'optuna-tpe-multivariate'))
        .map((r) => ({ label: r.sampler, v: r.regret[budget]?.median }))
        .filter((r): r is { label: string; v: number } => r.v !== undefined)
        .sort((a, b) => a.v - b.v)[0];
      for (const ours of ['bayesianoptimization', 'tpe']) {
        const description = `${fn}: hpo ${ours} regret@${budget} ≤ Optuna's best TPE`;
        const row = rows.find((r) => r.fn === fn && r.seriesId === ours);
        const v = row?.regret[budget]?.median;
        if (v === undefined || optuna === undefined) {
          const why = row === undefined ? `hpo ${ours} not run` : v === undefined ? 'fewer trials' : 'no Optuna TPE';
          out.push({ description, status: 'n/a', detail: why });
          continue;
        }
        out.push({
          description,
          status: v <= optuna.v ? 'pass' : 'fail',
          detail: `${g(v)} vs ${g(optuna.v)} (${optuna.label})`,
        });
      }
    }
  }
  return out;
}
