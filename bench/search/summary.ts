/** Reduces series of studies to the report's rows: regret quartiles at the checkpoints and the median study wall. */
import type { AnchorRow, Anchors } from './anchors.ts';
import { benchmarkFunction } from './functions.ts';
import type { Series } from './harness.ts';
import type { OptunaOutcome } from './optuna.ts';
import { curveAt, geometricMean, medianCurve, type Quartiles, quartiles } from './stats.ts';

/** Trial counts at which regret is reported. */
export const checkpoints: readonly number[] = [25, 50, 100];

/** One row of the report: one sampler on one function. */
export interface SummaryRow {
  readonly fn: string;
  readonly seriesId: string;
  readonly sampler: string;
  readonly source: Series['source'];
  /** Checkpoint → regret quartiles over seeds (anchors: median only, quartiles NaN); absent past the budget. */
  readonly regret: Readonly<Record<number, Quartiles>>;
  /**
   * Checkpoint → geometric mean of the regrets over seeds (each floored at {@link geometricMean}'s floor); less
   * sensitive than the median to where a bimodal distribution splits. Absent for anchors.
   */
  readonly geoMean?: Readonly<Record<number, number>>;
  readonly wallS: number;
  readonly studies: number;
  /** Coincident in-flight pairs over all studies (parallel modes only). */
  readonly coincidences?: number;
}

/** The optimum `functions.py` or the held-out set lists for a function of `functions.ts`. */
export function optimumOf(fn: string): number {
  const f = benchmarkFunction(fn);
  if (f === undefined) throw new Error(`unknown function ${fn}`);
  return f.optimum;
}

/** The regret of a best-so-far value on a function (against {@link optimumOf}). */
export function regretOf(fn: string, best: number): number {
  return best - optimumOf(fn);
}

/** The live Optuna run as series, labelled with the version it reports. */
export function optunaSeries(outcome: OptunaOutcome): Series[] {
  const bySampler = new Map<string, Series>();
  for (const [fn, samplers] of Object.entries(outcome.results)) {
    for (const [sampler, studies] of Object.entries(samplers)) {
      let s = bySampler.get(sampler);
      if (s === undefined) {
        s = {
          id: `optuna-${sampler}`,
          label: `Optuna ${outcome.version ?? '?'} ${sampler}`,
          source: 'optuna',
          status: 'ok',
          studies: {},
        };
        bySampler.set(sampler, s);
      }
      s.studies[fn] = studies.map((r) => ({ seed: r.seed, wallS: r.wall_s, curve: r.best_curve, coincidences: 0 }));
    }
  }
  return [...bySampler.values()];
}

/**
 * Rows for the studies of every `ok` series on the given functions, in function-then-series order; regret against
 * `optimum(fn)` (default {@link optimumOf}; the mixed-space benchmark passes its functions' exact optima).
 */
export function summarise(
  series: readonly Series[],
  functions: readonly string[],
  trials: number,
  optimum: (fn: string) => number = optimumOf,
): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const fn of functions) {
    const best = optimum(fn);
    for (const s of series) {
      const studies = s.studies[fn];
      if (s.status !== 'ok' || studies === undefined || studies.length === 0) continue;
      const regret: Record<number, Quartiles> = {};
      const geoMean: Record<number, number> = {};
      for (const c of checkpoints) {
        if (c > trials) continue;
        const values = studies.map((st) => curveAt(st.curve, c) - best);
        regret[c] = quartiles(values);
        geoMean[c] = geometricMean(values);
      }
      const wallS = quartiles(studies.map((st) => st.wallS)).median;
      const coincidences = studies.reduce((n, st) => n + st.coincidences, 0);
      rows.push({
        fn,
        seriesId: s.id,
        sampler: s.label,
        source: s.source,
        regret,
        geoMean,
        wallS,
        studies: studies.length,
        ...((s.parallel ?? 1) > 1 ? { coincidences } : {}),
      });
    }
  }
  return rows;
}

/** Rows for the fixed anchors (median only). `live` samplers (Optuna 3.1 when it ran here) are left out. */
export function anchorRows(
  anchors: Anchors,
  functions: readonly string[],
  skip: (a: AnchorRow) => boolean,
): SummaryRow[] {
  return anchors.rows
    .filter((a) => functions.includes(a.fn) && !skip(a))
    .map((a) => {
      const regret: Record<number, Quartiles> = {};
      for (const [c, v] of Object.entries(a.regret))
        regret[Number(c)] = { q25: Number.NaN, median: v, q75: Number.NaN };
      return {
        fn: a.fn,
        seriesId: `anchor:${a.sampler}`,
        sampler: `${a.sampler} [ANCHORS.md]`,
        source: 'anchor',
        regret,
        wallS: a.wallS,
        studies: 0,
      };
    });
}

/** Median regret per trial of each series on each function (for the plot and the JSON). */
export function medianRegretCurves(
  series: readonly Series[],
  functions: readonly string[],
): Record<string, Record<string, number[]>> {
  const out: Record<string, Record<string, number[]>> = {};
  for (const fn of functions) {
    const perFn: Record<string, number[]> = {};
    for (const s of series) {
      const studies = s.studies[fn];
      if (s.status !== 'ok' || studies === undefined || studies.length === 0) continue;
      perFn[s.label] = medianCurve(studies.map((st) => st.curve)).map((v) => regretOf(fn, v));
    }
    out[fn] = perFn;
  }
  return out;
}
