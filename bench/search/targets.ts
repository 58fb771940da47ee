/**
 * Issue #3's targets, evaluated from the run: regret against the fixed anchors (Optuna 4.9 GPSampler and CMA-ES,
 * Optuna 5.0-dev TPE), TPE and GP cost, and the parallel-4 mode. A target whose inputs are missing is `n/a`.
 */
import { type Anchors, anchorCost, anchorRow, anchorSamplers } from './anchors.ts';
import type { LongStudy } from './extras.ts';
import { ourSeriesId } from './harness.ts';
import type { Schedule } from './study.ts';
import type { SummaryRow } from './summary.ts';
import { issue18Targets } from './targets18.ts';
import { readHeldOutReference, tpeTargets } from './targetsTpe.ts';

/** One evaluated target. */
export interface Target {
  readonly id: string;
  readonly description: string;
  readonly status: 'pass' | 'fail' | 'n/a';
  readonly detail: string;
}

/** What the targets are evaluated from. */
export interface TargetInputs {
  readonly rows: readonly SummaryRow[];
  readonly anchors: Anchors;
  readonly functions: readonly string[];
  /** Which of our algorithms were registered (the others are `not available`). */
  readonly available: readonly string[];
  readonly long: readonly LongStudy[];
  /** The parallel mode compared with sequential, when it was run. */
  readonly parallel?: number;
  /** The schedules the parallel mode ran under (default: synchronous batches only). */
  readonly schedules?: readonly Schedule[];
  /**
   * Our rows over more seeds than the protocol's 10 (seeds 0…n−1, the protocol's included), for the robustness
   * check of the parallel comparison: a median over 10 heavy-tailed runs moves by ±30% from seed set to seed set.
   */
  readonly parity?: { readonly seeds: number; readonly rows: readonly SummaryRow[] };
}

const g = (v: number): string => (Number.isFinite(v) ? Number(v.toPrecision(3)).toString() : String(v));

function medianAt(rows: readonly SummaryRow[], seriesId: string, fn: string, at: number): number | undefined {
  return rows.find((r) => r.seriesId === seriesId && r.fn === fn)?.regret[at]?.median;
}

/** "Ours meets `ok(ours, ref)` against the anchor on at least `need` of the comparable functions." */
function versusAnchor(
  x: TargetInputs,
  t: { id: string; description: string; algorithm: string; anchor: RegExp; at: number; fraction: number },
  ok: (ours: number, ref: number) => boolean,
): Target {
  const base = { id: t.id, description: t.description };
  if (!x.available.includes(t.algorithm)) return { ...base, status: 'n/a', detail: `${t.algorithm} not available` };
  const parts: string[] = [];
  let met = 0;
  let compared = 0;
  for (const fn of x.functions) {
    const ours = medianAt(x.rows, t.algorithm, fn, t.at);
    const ref = anchorRow(x.anchors, fn, t.anchor)?.regret[t.at];
    if (ours === undefined || ref === undefined || Number.isNaN(ref)) continue;
    compared++;
    const pass = ok(ours, ref);
    if (pass) met++;
    parts.push(`${fn} ${g(ours)} vs ${g(ref)} ${pass ? '✓' : '✗'}`);
  }
  if (compared === 0) return { ...base, status: 'n/a', detail: `no regret@${t.at} to compare` };
  const need = Math.ceil(t.fraction * compared);
  return {
    ...base,
    status: met >= need ? 'pass' : 'fail',
    detail: `${met}/${compared} (need ${need}): ${parts.join('; ')}`,
  };
}

/** Evaluates every target; the list is the same whatever ran, with `n/a` where inputs are missing. */
export function evaluateTargets(x: TargetInputs): Target[] {
  const out: Target[] = [];
  out.push(
    versusAnchor(
      x,
      {
        id: 'gp-regret50',
        description: 'bayesianoptimization regret@50 ≤ max(1.25 × Optuna 4.9 GPSampler@50, 0.001) on ≥ 3/4 functions',
        algorithm: 'bayesianoptimization',
        anchor: anchorSamplers.gp,
        at: 50,
        fraction: 0.75,
      },
      (ours, ref) => ours <= Math.max(1.25 * ref, 0.001),
    ),
  );
  const hard = x.functions.filter((f) => f === 'rosenbrock4' || f === 'ackley5');
  out.push(
    versusAnchor(
      { ...x, functions: hard },
      {
        id: 'gp-beats-gpsampler100',
        description: 'bayesianoptimization regret@100 < Optuna 4.9 GPSampler@100 on rosenbrock4 or ackley5',
        algorithm: 'bayesianoptimization',
        anchor: anchorSamplers.gp,
        at: 100,
        fraction: 1 / Math.max(2, hard.length),
      },
      (ours, ref) => ours < ref,
    ),
  );
  out.push(...issue18Targets(x));
  for (const algorithm of ['tpe', 'multivariate-tpe']) {
    out.push(
      versusAnchor(
        x,
        {
          id: `${algorithm}-regret100`,
          description: `${algorithm} regret@100 ≤ Optuna 5.0-dev TPE@100 on ≥ 3/4 functions`,
          algorithm,
          anchor: anchorSamplers.tpe,
          at: 100,
          fraction: 0.75,
        },
        (ours, ref) => ours <= ref,
      ),
    );
  }
  out.push(
    versusAnchor(
      x,
      {
        id: 'cmaes-regret100',
        description: 'cmaes regret@100 ≤ Optuna 4.9 CMA-ES@100 on ≥ 3/4 functions',
        algorithm: 'cmaes',
        anchor: anchorSamplers.cmaes,
        at: 100,
        fraction: 0.75,
      },
      (ours, ref) => ours <= ref,
    ),
  );
  for (const algorithm of ['tpe', 'multivariate-tpe']) out.push(...tpeCost(x, algorithm));
  out.push(gpCost(x), gpMemory(x), gpLargeHistoryCost(x));
  for (const algorithm of ['tpe', 'multivariate-tpe', 'bayesianoptimization', 'cmaes'])
    out.push(...parallelTargets(x, algorithm));
  out.push(...tpeTargets(x, readHeldOutReference()));
  return out;
}

/** TPE's 100-trial study wall (every function) and its 1,000-trial Hartmann6 study, each ≥ 10× cheaper than Optuna 5.0-dev TPE. */
function tpeCost(x: TargetInputs, algorithm: string): Target[] {
  const wall100 = {
    id: `${algorithm}-wall100`,
    description: `${algorithm} median 100-trial study wall ≥ 10× cheaper than Optuna 5.0-dev TPE (ANCHORS study wall) on every function`,
  };
  const wall1000 = {
    id: `${algorithm}-wall1000`,
    description: `${algorithm} 1,000-trial Hartmann6 study (median of 3 seeds) ≥ 10× cheaper than Optuna 5.0-dev TPE's`,
  };
  if (!x.available.includes(algorithm)) {
    return [wall100, wall1000].map((t) => ({ ...t, status: 'n/a' as const, detail: `${algorithm} not available` }));
  }
  const parts: string[] = [];
  let met = 0;
  for (const fn of x.functions) {
    const ours = x.rows.find((r) => r.seriesId === algorithm && r.fn === fn)?.wallS;
    const ref = anchorRow(x.anchors, fn, anchorSamplers.tpe)?.wallS;
    if (ours === undefined || ref === undefined || Number.isNaN(ref)) continue;
    const pass = ours * 10 <= ref;
    if (pass) met++;
    parts.push(`${fn} ${g(ours)} s vs ${g(ref)} s ${pass ? '✓' : '✗'}`);
  }
  const first: Target =
    parts.length === 0
      ? { ...wall100, status: 'n/a', detail: 'no study walls to compare' }
      : { ...wall100, status: met === parts.length ? 'pass' : 'fail', detail: parts.join('; ') };
  const long = x.long.find((l) => l.algorithm === algorithm && l.trials === 1000);
  const ref = anchorCost(x.anchors, anchorSamplers.tpe);
  let second: Target;
  if (long?.wallS === undefined || ref?.studyS === undefined) {
    second = {
      ...wall1000,
      status: 'n/a',
      detail: long?.error ?? (ref ? '1,000-trial study not run' : 'no anchor cost'),
    };
  } else {
    const pass = long.wallS * 10 <= ref.studyS;
    second = {
      ...wall1000,
      status: pass ? 'pass' : 'fail',
      detail: `${g(long.wallS)} s vs ${g(ref.studyS)} s for ${ref.studyTrials} trials`,
    };
  }
  return [first, second];
}

/** GP-BO's suggestion time with 500 observations, under 250 ms. */
function gpCost(x: TargetInputs): Target {
  const base = {
    id: 'gp-suggest500',
    description: 'bayesianoptimization per-suggestion time at 500 observations (Hartmann6) < 250 ms',
  };
  if (!x.available.includes('bayesianoptimization'))
    return { ...base, status: 'n/a', detail: 'bayesianoptimization not available' };
  const long = x.long.find((l) => l.algorithm === 'bayesianoptimization');
  const at = long?.suggestS?.[500];
  if (at === undefined || Number.isNaN(at))
    return { ...base, status: 'n/a', detail: long?.error ?? '500-observation study not run' };
  const max =
    long?.maxSuggestS === undefined ? '' : `, slowest suggestion of the study ${g(long.maxSuggestS * 1000)} ms`;
  return {
    ...base,
    status: at < 0.25 ? 'pass' : 'fail',
    detail: `median ${g(at * 1000)} ms over observations 491–500${max}`,
  };
}

/**
 * The issue's parallel margin for one function: the parallel regret is under 1.25 × the sequential one. There is
 * no absolute floor: near the optimum the last digits are what a parallel search refines less (a floor of 0.001
 * once hid ×1.57 on Branin), and the benchmark functions' regrets are exact to far below that.
 */
export function parallelWithinMargin(par: number, seq: number): boolean {
  return par < 1.25 * seq;
}

/** Live heap growth (MB, after a forced GC) from 100 to 500 observations that still counts as flat. */
export const gpHeapGrowthLimitMb = 10;

/**
 * GP-BO's memory stays flat: the live heap after a full GC grows by less than {@link gpHeapGrowthLimitMb} from
 * 100 to 500 observations (the history itself is a few hundred kB; a model kept per observation would not be).
 */
function gpMemory(x: TargetInputs): Target {
  const base = {
    id: 'gp-memory',
    description: `bayesianoptimization memory flat: live heap after GC grows < ${gpHeapGrowthLimitMb} MB from 100 to 500 observations (Hartmann6)`,
  };
  if (!x.available.includes('bayesianoptimization'))
    return { ...base, status: 'n/a', detail: 'bayesianoptimization not available' };
  const long = x.long.find((l) => l.algorithm === 'bayesianoptimization');
  const heap = long?.heapMb;
  const first = heap?.[100];
  const last = heap?.[500];
  if (heap === undefined || first === undefined || last === undefined)
    return { ...base, status: 'n/a', detail: long?.error ?? 'memory not sampled' };
  const series = (m: Readonly<Record<number, number>>) =>
    Object.entries(m)
      .map(([n, v]) => `${n}: ${g(v)}`)
      .join(', ');
  const rss = long?.rssMb === undefined ? '' : `; RSS MB ${series(long.rssMb)}`;
  return {
    ...base,
    status: last - first < gpHeapGrowthLimitMb ? 'pass' : 'fail',
    detail: `live heap MB by observations ${series(heap)} (+${g(last - first)})${rss}`,
  };
}

/** Per-suggestion time that keeps the GP's cost "in hand" on a history of many thousands: twice the 500 target. */
export const gpLargeHistoryLimitS = 0.5;

/** GP-BO on a history far past a few thousand observations: the median of a few suggestions under the limit. */
function gpLargeHistoryCost(x: TargetInputs): Target {
  const large = x.long.find((l) => l.algorithm === 'bayesianoptimization')?.largeHistory;
  const n = large?.observations;
  const base = {
    id: 'gp-large-history',
    description: `bayesianoptimization per-suggestion time on a ${n === undefined ? 'large' : n.toLocaleString('en-US')}-trial history < ${gpLargeHistoryLimitS * 1000} ms (median of 3, the first fitted from scratch)`,
  };
  if (!x.available.includes('bayesianoptimization'))
    return { ...base, status: 'n/a', detail: 'bayesianoptimization not available' };
  if (large?.medianS === undefined || large.suggestS === undefined)
    return { ...base, status: 'n/a', detail: large?.error ?? 'large-history timing not run' };
  return {
    ...base,
    status: large.medianS < gpLargeHistoryLimitS ? 'pass' : 'fail',
    detail: `median ${g(large.medianS * 1000)} ms (${large.suggestS.map((v) => g(v * 1000)).join(', ')} ms) on ${large.observations} random Hartmann6 trials`,
  };
}

/** Parallel regret@100 against sequential over `rows`: within the margin on every function (also in geometric mean with `geo`). */
function parallelRegret(
  rows: readonly SummaryRow[],
  functions: readonly string[],
  ids: { seq: string; par: string },
  base: { id: string; description: string },
  geo: boolean,
): Target {
  const parts: string[] = [];
  let met = 0;
  for (const fn of functions) {
    const par = medianAt(rows, ids.par, fn, 100);
    const seq = medianAt(rows, ids.seq, fn, 100);
    if (par === undefined || seq === undefined) continue;
    const gPar = rows.find((r) => r.seriesId === ids.par && r.fn === fn)?.geoMean?.[100];
    const gSeq = rows.find((r) => r.seriesId === ids.seq && r.fn === fn)?.geoMean?.[100];
    const geoRatio = gPar === undefined || gSeq === undefined ? undefined : gPar / gSeq;
    const pass = parallelWithinMargin(par, seq) && (!geo || geoRatio === undefined || geoRatio < 1.25);
    if (pass) met++;
    const geoText = geoRatio === undefined ? '' : `, geo-mean ×${geoRatio.toFixed(2)}`;
    parts.push(`${fn} ${g(par)} vs ${g(seq)} (×${(par / seq).toFixed(2)}${geoText}) ${pass ? '✓' : '✗'}`);
  }
  if (parts.length === 0) return { ...base, status: 'n/a', detail: 'no regret@100 to compare' };
  return { ...base, status: met === parts.length ? 'pass' : 'fail', detail: parts.join('; ') };
}

/** The words for a schedule in target descriptions. */
const scheduleWords: Record<Schedule, string> = { sync: 'synchronous batches', async: 'one-at-a-time refills' };

/**
 * Parallel mode against sequential, once per schedule: regret@100 within the margin on every function (over the
 * protocol's seeds, and over the robustness seeds in median and geometric mean), and no coincident proposals.
 */
function parallelTargets(x: TargetInputs, algorithm: string): Target[] {
  return (x.schedules ?? ['sync']).flatMap((schedule) => scheduleTargets(x, algorithm, schedule));
}

function scheduleTargets(x: TargetInputs, algorithm: string, schedule: Schedule): Target[] {
  const p = x.parallel ?? 4;
  const tag = schedule === 'sync' ? `parallel${p}` : `parallel${p}-${schedule}`;
  const mode = `parallel-${p} (${scheduleWords[schedule]})`;
  const robust =
    x.parity === undefined
      ? []
      : [
          {
            id: `${algorithm}-${tag}-regret100-${x.parity.seeds}seeds`,
            description: `${algorithm} ${mode} regret@100 < 1.25 × sequential on every function, in median and in geometric mean over ${x.parity.seeds} seeds (robustness check beside the 10-seed protocol)`,
          },
        ];
  const regret = {
    id: `${algorithm}-${tag}-regret100`,
    description: `${algorithm} ${mode} median regret@100 < 1.25 × sequential on every function`,
  };
  const coincide = {
    id: `${algorithm}-${tag}-coincidences`,
    description: `${algorithm} ${mode}: no two trials in flight together coincide`,
  };
  const none = (detail: string): Target[] =>
    [regret, ...robust, coincide].map((t) => ({ ...t, status: 'n/a' as const, detail }));
  if (!x.available.includes(algorithm)) return none(`${algorithm} not available`);
  if (x.parallel === undefined) return none('parallel mode not run');
  const ids = { seq: algorithm, par: ourSeriesId(algorithm, p, schedule) };
  let pairs = 0;
  let seen = 0;
  for (const fn of x.functions) {
    const row = x.rows.find((r) => r.seriesId === ids.par && r.fn === fn);
    if (row?.coincidences !== undefined) {
      pairs += row.coincidences;
      seen++;
    }
  }
  return [
    parallelRegret(x.rows, x.functions, ids, regret, false),
    ...robust.map((t) => parallelRegret(x.parity?.rows ?? [], x.functions, ids, t, true)),
    seen === 0
      ? { ...coincide, status: 'n/a', detail: 'no parallel studies' }
      : {
          ...coincide,
          status: pairs === 0 ? 'pass' : 'fail',
          detail: `${pairs} coincident pairs over ${seen} functions`,
        },
  ];
}
