/**
 * `npm run bench:multiobjective` (issue #16): our multi-objective algorithms and Optuna 3.1's samplers on ZDT1,
 * ZDT2 and DTLZ2, hypervolume after each checkpoint's trials, median over seeds, both sides run at the same time
 * and measured by the same hypervolume code (src/search/multiobjective/hypervolume.ts).
 */
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createBayesianOptimization } from '../../src/search/gp/index.ts';
import { createNsga2 } from '../../src/search/nsga2/index.ts';
import { RandomSearch } from '../../src/search/random.ts';
import { createTpe } from '../../src/search/tpe/index.ts';
import type { SearchAlgorithm } from '../../src/search/types.ts';
import { type OptunaRuns, optunaSamplers, runOptuna } from './optuna.ts';
import { problems } from './problems.ts';
import { hypervolumeAt, runStudy } from './study.ts';

/** Our algorithms in the benchmark, with their default settings. */
export const ourAlgorithms: Readonly<Record<string, () => SearchAlgorithm>> = {
  nsga2: createNsga2,
  tpe: createTpe,
  random: () => new RandomSearch(),
  bayesianoptimization: createBayesianOptimization,
};

/**
 * Optuna 3.1's multi-objective TPE recomputes hypervolume contributions in Python for every trial: on this
 * 2-core machine one 300-trial ZDT1 study took 104 s and one 300-trial DTLZ2 study more than 10 minutes (the
 * machine shared with other work). To keep the whole run near 15 minutes it gets 3 seeds on ZDT1/ZDT2 and 3 seeds
 * of 100 trials on DTLZ2; the report counts the studies behind every cell.
 */
export const defaultOptunaLimits: readonly string[] = ['tpe=300x3', 'tpe@dtlz2=100x3'];

/**
 * Our algorithms' smaller budgets, `NAME[@PROBLEM]=TRIALSxSEEDS` like {@link defaultOptunaLimits}. The GP's cost
 * per suggestion grows with the history and, with three objectives, with the front (measured in CPU time, one
 * seed: ZDT1 median 141 ms per suggestion near trial 100; see the README), so by default it runs the 100 trials
 * its target is judged at; `--our-limits ''` runs it to the full budget.
 */
export const defaultOurLimits: readonly string[] = ['bayesianoptimization=100x10'];

/** The trials and seeds of `name` on `problem` under `limits` (the later entry wins; a problem's over the name's). */
export function budgetOf(
  limits: readonly string[],
  name: string,
  problem: string,
  whole: { trials: number; seeds: number },
): { trials: number; seeds: number } {
  let general: { trials: number; seeds: number } | undefined;
  let specific: { trials: number; seeds: number } | undefined;
  for (const entry of limits) {
    const match = /^([\w-]+)(?:@([\w-]+))?=(\d+)x(\d+)$/.exec(entry.trim());
    if (match === null) throw new Error(`bad limit ${JSON.stringify(entry)}: want NAME[@PROBLEM]=TRIALSxSEEDS`);
    const budget = { trials: Number(match[3]), seeds: Number(match[4]) };
    if (match[1] !== name) continue;
    if (match[2] === undefined) general = budget;
    else if (match[2] === problem) specific = budget;
  }
  const b = specific ?? general ?? whole;
  return { trials: Math.min(b.trials, whole.trials), seeds: Math.min(b.seeds, whole.seeds) };
}

/** What to run. */
export interface BenchOptions {
  readonly trials: number;
  readonly seeds: number;
  readonly checkpoints: readonly number[];
  readonly problems: readonly string[];
  readonly algorithms: readonly string[];
  readonly optuna: boolean;
  readonly optunaSamplers: readonly string[];
  /** Smaller budgets for slow Optuna samplers, `SAMPLER[@PROBLEM]=TRIALSxSEEDS` (see {@link defaultOptunaLimits}). */
  readonly optunaLimits: readonly string[];
  /** Smaller budgets for our slow algorithms, `NAME[@PROBLEM]=TRIALSxSEEDS` (see {@link defaultOurLimits}). */
  readonly ourLimits?: readonly string[];
  readonly python?: string;
  readonly log?: (line: string) => void;
}

/** Quartiles of one series' hypervolumes at one checkpoint. */
export interface Quartiles {
  readonly median: number;
  readonly q25: number;
  readonly q75: number;
}

/** One problem × sampler row. */
export interface BenchRow {
  readonly problem: string;
  /** `hpo-workbench <name>` or `optuna <name>`. */
  readonly sampler: string;
  readonly hypervolume: Readonly<Record<number, Quartiles>>;
  /** How many studies (seeds) reached each checkpoint. */
  readonly studiesAt: Readonly<Record<number, number>>;
  /** Trials per study (less than the benchmark's for a limited Optuna sampler). */
  readonly trials: number;
  /** Median wall time of one whole study, seconds (the optimiser's own cost: the objectives are instant). */
  readonly wallS: number;
}

/** One target of the issue and whether the run met it. */
export interface Target {
  readonly description: string;
  readonly status: 'pass' | 'fail' | 'n/a';
  readonly detail: string;
}

/** Everything the report shows. */
export interface BenchReport {
  readonly date: string;
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly node: string };
  readonly options: Omit<BenchOptions, 'log'>;
  readonly optuna: { readonly version?: string; readonly error?: string; readonly seconds?: number };
  readonly ours: { readonly seconds: number };
  readonly problems: Readonly<Record<string, { reference: readonly number[]; optimum: number }>>;
  readonly rows: readonly BenchRow[];
  readonly targets: readonly Target[];
}

/** Quartiles by linear interpolation (numpy's default). */
export function quartiles(values: readonly number[]): Quartiles {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => {
    if (s.length === 0) return Number.NaN;
    const pos = q * (s.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
  };
  return { median: at(0.5), q25: at(0.25), q75: at(0.75) };
}

function row(
  problem: string,
  sampler: string,
  studies: readonly { values: readonly number[][]; wallS: number }[],
  checkpoints: readonly number[],
): BenchRow {
  const p = problems[problem]!;
  const hypervolume: Record<number, Quartiles> = {};
  const studiesAt: Record<number, number> = {};
  for (const c of checkpoints) {
    // Only studies that reached the checkpoint count (Optuna's TPE may run a smaller budget, see defaultOptunaLimits).
    const reached = studies.filter((s) => s.values.length >= c);
    hypervolume[c] = quartiles(reached.map((s) => hypervolumeAt(s.values, c, p)));
    studiesAt[c] = reached.length;
  }
  const wallS = quartiles(studies.map((s) => s.wallS)).median;
  const trials = Math.max(0, ...studies.map((s) => s.values.length));
  return { problem, sampler, hypervolume, studiesAt, trials, wallS };
}

/** Runs both sides (Optuna in a child process while ours runs here) and compares them. */
export async function runMultiObjectiveBenchmark(o: BenchOptions): Promise<BenchReport> {
  const log = o.log ?? (() => {});
  for (const name of o.problems) if (!(name in problems)) throw new Error(`unknown problem ${name}`);
  for (const name of o.algorithms) if (!(name in ourAlgorithms)) throw new Error(`unknown algorithm ${name}`);
  const optunaStart = performance.now();
  const optunaDone = o.optuna
    ? runOptuna({
        trials: o.trials,
        seeds: o.seeds,
        problems: o.problems,
        samplers: o.optunaSamplers,
        limits: o.optunaLimits,
        ...pyOf(o),
      }).then((r) => ({ ...r, seconds: (performance.now() - optunaStart) / 1000 }))
    : Promise.resolve<OptunaRuns & { seconds?: number }>({ results: {}, error: 'not run (--no-optuna)' });
  const rows: BenchRow[] = [];
  const oursStart = performance.now();
  for (const problem of o.problems) {
    for (const name of o.algorithms) {
      const studies: { values: number[][]; wallS: number }[] = [];
      const budget = budgetOf(o.ourLimits ?? [], name, problem, { trials: o.trials, seeds: o.seeds });
      for (let seed = 0; seed < budget.seeds; seed++) {
        const start = performance.now();
        const values = await runStudy({
          algorithm: ourAlgorithms[name]!,
          problem: problems[problem]!,
          trials: budget.trials,
          seed,
        });
        studies.push({ values, wallS: (performance.now() - start) / 1000 });
      }
      rows.push(row(problem, `hpo-workbench ${name}`, studies, o.checkpoints));
      log(`${problem} ${name}: done`);
    }
  }
  const oursSeconds = (performance.now() - oursStart) / 1000;
  log('waiting for Optuna…');
  const optuna = await optunaDone;
  for (const problem of o.problems) {
    for (const [sampler, runs] of Object.entries(optuna.results[problem] ?? {})) {
      const studies = runs.map((r) => ({ values: r.values, wallS: r.wall_s }));
      rows.push(row(problem, `optuna ${sampler}`, studies, o.checkpoints));
    }
  }
  rows.sort((a, b) => o.problems.indexOf(a.problem) - o.problems.indexOf(b.problem));
  const { log: _log, ...options } = o;
  return {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version },
    options,
    optuna: {
      ...(optuna.version === undefined ? {} : { version: optuna.version }),
      ...(optuna.error === undefined ? {} : { error: optuna.error }),
      ...(optuna.seconds === undefined ? {} : { seconds: optuna.seconds }),
    },
    ours: { seconds: oursSeconds },
    problems: Object.fromEntries(
      o.problems.map((n) => [n, { reference: problems[n]!.reference, optimum: problems[n]!.optimum }]),
    ),
    rows,
    targets: targets(rows, o),
  };
}

function pyOf(o: BenchOptions): { python?: string } {
  return o.python === undefined ? {} : { python: o.python };
}

/** The checkpoint of the `bayesianoptimization` target (issue #16: "at 100 trials"). */
export const gpTargetTrials = 100;

/**
 * Issue #16's targets: `nsga2` at least Optuna's NSGA-II, `tpe` at least Optuna's TPE (median hypervolume), and
 * `bayesianoptimization` closing at least half of the gap the best Optuna sampler (by median) leaves to the true
 * front's hypervolume at {@link gpTargetTrials} trials.
 */
export function targets(rows: readonly BenchRow[], o: Pick<BenchOptions, 'problems' | 'checkpoints'>): Target[] {
  const out: Target[] = [];
  for (const [ours, theirs] of [
    ['nsga2', 'nsga2'],
    ['tpe', 'tpe'],
  ] as const) {
    for (const problem of o.problems) {
      const rowOf = (name: string, side: string) =>
        rows.find((r) => r.problem === problem && r.sampler === `${side} ${name}`);
      for (const c of o.checkpoints) {
        const a = rowOf(ours, 'hpo-workbench')?.hypervolume[c];
        const b = rowOf(theirs, 'optuna')?.hypervolume[c];
        const description = `${ours} ≥ Optuna ${theirs === 'nsga2' ? 'NSGAIISampler' : 'TPESampler'} on ${problem} @${c}`;
        if (a === undefined || b === undefined || Number.isNaN(a.median) || Number.isNaN(b.median)) {
          out.push({ description, status: 'n/a', detail: 'not run (to this many trials)' });
          continue;
        }
        const status = a.median >= b.median ? 'pass' : 'fail';
        const seeds = `${rowOf(ours, 'hpo-workbench')?.studiesAt[c]} vs ${rowOf(theirs, 'optuna')?.studiesAt[c]} seeds`;
        out.push({
          description,
          status,
          detail: `median hypervolume ${a.median.toFixed(4)} vs ${b.median.toFixed(4)} (${seeds})`,
        });
      }
    }
  }
  for (const problem of o.problems) out.push(gpTarget(rows, problem));
  return out;
}

/** The `bayesianoptimization` target on one problem (see {@link targets}). */
function gpTarget(rows: readonly BenchRow[], problem: string): Target {
  const c = gpTargetTrials;
  const description = `bayesianoptimization closes ≥ half the gap the best Optuna sampler leaves on ${problem} @${c}`;
  const ours = rows.find((r) => r.problem === problem && r.sampler === 'hpo-workbench bayesianoptimization');
  const theirs = rows
    .filter(
      (r) => r.problem === problem && r.sampler.startsWith('optuna ') && Number.isFinite(r.hypervolume[c]?.median),
    )
    .sort((a, b) => b.hypervolume[c]!.median - a.hypervolume[c]!.median)[0];
  const a = ours?.hypervolume[c]?.median;
  if (a === undefined || Number.isNaN(a) || theirs === undefined) {
    return { description, status: 'n/a', detail: 'not run (to this many trials)' };
  }
  const best = theirs.hypervolume[c]!.median;
  const optimum = problems[problem]!.optimum;
  const needed = best + 0.5 * (optimum - best);
  const closed = optimum > best ? (a - best) / (optimum - best) : Number.NaN;
  return {
    description,
    status: a >= needed ? 'pass' : 'fail',
    detail:
      `median hypervolume ${a.toFixed(4)}, needed ${needed.toFixed(4)} (best: ${theirs.sampler} ${best.toFixed(4)}, ` +
      `true front ${optimum.toFixed(4)}; ${Number.isFinite(closed) ? `${(100 * closed).toFixed(0)}%` : '—'} of the gap closed, ` +
      `${ours?.studiesAt[c]} vs ${theirs.studiesAt[c]} seeds)`,
  };
}

export { optunaSamplers };
