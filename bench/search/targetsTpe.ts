/**
 * Issue #18's TPE targets: `tpe` and `multivariate-tpe` at or below Optuna 5.0-dev's TPE on every function, at a
 * tenth of its cost. Optuna 5.0 figures exist only for the development set (ANCHORS.md); on the held-out
 * functions the reference is Optuna 3.1 (the Debian package), run by `optuna_heldout.py` into
 * `bench/results/optuna-heldout.json` and compared seed for seed.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Anchors, anchorRow, anchorSamplers } from './anchors.ts';
import { heldOutFunctions } from './functions.ts';
import { median } from './stats.ts';
import type { Target, TargetInputs } from './targets.ts';

/** The checkpoints every regret target holds at. */
export const tpeCheckpoints: readonly number[] = [25, 50, 100];
/** History sizes of the per-suggestion cost target (the columns of ANCHORS.md's cost table). */
export const tpeCostAt: readonly number[] = [50, 100, 500, 1000];
/** How much cheaper than Optuna 5.0-dev's TPE a suggestion must be. */
export const tpeCostFactor = 10;

/** Optuna 3.1 on the held-out functions: function → sampler → per seed (0, 1, …) the best value after each trial. */
export interface HeldOutReference {
  readonly version: string;
  readonly optimum: Readonly<Record<string, number>>;
  readonly curves: Readonly<Record<string, Readonly<Record<string, readonly (readonly number[])[]>>>>;
}

/** Where `optuna_heldout.py`'s output is kept. */
export const heldOutReferencePath: string = fileURLToPath(new URL('../results/optuna-heldout.json', import.meta.url));

/** Parses `optuna_heldout.py`'s JSON (the same shape as `optuna_reference.py`'s). */
export function parseHeldOutReference(json: string): HeldOutReference {
  const raw = JSON.parse(json) as {
    optuna: string;
    results: Record<string, { optimum: number; samplers: Record<string, { best_curve: number[] }[]> }>;
  };
  const optimum: Record<string, number> = {};
  const curves: Record<string, Record<string, number[][]>> = {};
  for (const [fn, r] of Object.entries(raw.results)) {
    optimum[fn] = r.optimum;
    curves[fn] = {};
    for (const [sampler, runs] of Object.entries(r.samplers)) curves[fn][sampler] = runs.map((s) => s.best_curve);
  }
  return { version: raw.optuna, optimum, curves };
}

/** The committed reference, or undefined when the file is missing or unreadable (the held-out targets are then n/a). */
export function readHeldOutReference(path: string = heldOutReferencePath): HeldOutReference | undefined {
  try {
    return parseHeldOutReference(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The better of Optuna 3.1's TPE samplers at `at` trials: the lower median regret over the first `seeds` seeds. */
export function bestOptunaTpe(ref: HeldOutReference, fn: string, at: number, seeds: number): number | undefined {
  const bySampler = ref.curves[fn];
  const optimum = ref.optimum[fn];
  if (bySampler === undefined || optimum === undefined) return undefined;
  let best: number | undefined;
  for (const runs of Object.values(bySampler)) {
    if (runs.length < seeds) continue; // fewer seeds than ours: not the same comparison
    const m = median(runs.slice(0, seeds).map((c) => (c[Math.min(at, c.length) - 1] ?? Number.NaN) - optimum));
    if (Number.isFinite(m) && (best === undefined || m < best)) best = m;
  }
  return best;
}

/** The numbers of ANCHORS.md's per-suggestion cell ("2.8 / 3.6 / 8.6 / 14.4 ms"), in seconds, by {@link tpeCostAt}. */
export function optuna5SuggestS(anchors: Anchors): Record<number, number> | undefined {
  const row = anchors.costs.find((c) => anchorSamplers.tpe.test(c.optimiser));
  const ms = row?.perSuggestion.match(/[\d.]+/g)?.map(Number);
  if (ms === undefined || ms.length < tpeCostAt.length) return undefined;
  return Object.fromEntries(tpeCostAt.map((n, i) => [n, ms[i]! / 1000]));
}

const g = (v: number): string => (Number.isFinite(v) ? Number(v.toPrecision(3)).toString() : String(v));

/** Every checkpoint of every listed function at or below the reference; `n/a` when nothing is comparable. */
function everyCheckpoint(
  x: TargetInputs,
  base: { id: string; description: string },
  algorithm: string,
  functions: readonly string[],
  reference: (fn: string, at: number, seeds: number) => number | undefined,
): Target {
  if (!x.available.includes(algorithm)) return { ...base, status: 'n/a', detail: `${algorithm} not available` };
  const parts: string[] = [];
  let failed = 0;
  for (const fn of functions) {
    const row = x.rows.find((r) => r.seriesId === algorithm && r.fn === fn);
    if (row === undefined) continue;
    const cells = tpeCheckpoints.flatMap((at) => {
      const ours = row.regret[at]?.median;
      const ref = reference(fn, at, row.studies);
      if (ours === undefined || ref === undefined) return [];
      const pass = ours <= ref;
      if (!pass) failed++;
      return [`${g(ours)} vs ${g(ref)}${pass ? '' : ' ✗'}`];
    });
    if (cells.length > 0) parts.push(`${fn} ${cells.join(', ')}`);
  }
  if (parts.length === 0) return { ...base, status: 'n/a', detail: 'nothing to compare' };
  return { ...base, status: failed === 0 ? 'pass' : 'fail', detail: `${failed} cell(s) above: ${parts.join('; ')}` };
}

/** The issue #18 TPE targets for both variants (hooked into `evaluateTargets` with {@link readHeldOutReference}). */
export function tpeTargets(x: TargetInputs, heldOut: HeldOutReference | undefined): Target[] {
  const out: Target[] = [];
  const dev = x.functions.filter((f) => !Object.hasOwn(heldOutFunctions, f));
  const held = x.functions.filter((f) => Object.hasOwn(heldOutFunctions, f));
  const optuna5 = optuna5SuggestS(x.anchors);
  for (const algorithm of ['tpe', 'multivariate-tpe']) {
    out.push(
      everyCheckpoint(
        x,
        {
          id: `${algorithm}-optuna5-every`,
          description: `${algorithm} regret@25/50/100 ≤ Optuna 5.0-dev TPE's on every development function`,
        },
        algorithm,
        dev,
        (fn, at) => anchorRow(x.anchors, fn, anchorSamplers.tpe)?.regret[at],
      ),
    );
    const heldBase = {
      id: `${algorithm}-heldout-optuna31`,
      description: `${algorithm} regret@25/50/100 ≤ the better of Optuna 3.1's tpe and tpe-multivariate (same seeds) on every held-out function`,
    };
    out.push(
      heldOut === undefined
        ? {
            ...heldBase,
            status: 'n/a',
            detail: `no Optuna reference (run optuna_heldout.py into ${heldOutReferencePath})`,
          }
        : everyCheckpoint(x, heldBase, algorithm, held, (fn, at, seeds) => bestOptunaTpe(heldOut, fn, at, seeds)),
    );
    out.push(suggestCost(x, algorithm, optuna5));
  }
  return out;
}

/** Per-suggestion time of the 1,000-trial Hartmann6 study near each of {@link tpeCostAt} ≤ Optuna 5.0-dev's / 10. */
function suggestCost(x: TargetInputs, algorithm: string, optuna5: Record<number, number> | undefined): Target {
  const base = {
    id: `${algorithm}-suggest-cost`,
    description: `${algorithm} per-suggestion time near 50/100/500/1,000 observations (Hartmann6) ≤ 1/${tpeCostFactor} of Optuna 5.0-dev TPE's`,
  };
  if (!x.available.includes(algorithm)) return { ...base, status: 'n/a', detail: `${algorithm} not available` };
  const long = x.long.find((l) => l.algorithm === algorithm && l.trials >= 1000);
  if (long?.suggestS === undefined)
    return { ...base, status: 'n/a', detail: long?.error ?? '1,000-trial study not run' };
  if (optuna5 === undefined) return { ...base, status: 'n/a', detail: 'no Optuna 5.0-dev cost in ANCHORS.md' };
  let failed = 0;
  const parts = tpeCostAt.map((n) => {
    const ours = long.suggestS?.[n] ?? Number.NaN;
    const limit = optuna5[n]! / tpeCostFactor;
    const pass = ours <= limit;
    if (!pass) failed++;
    return `${n}: ${g(ours * 1000)} ms vs ${g(limit * 1000)} ms${pass ? '' : ' ✗'}`;
  });
  return { ...base, status: failed === 0 ? 'pass' : 'fail', detail: parts.join('; ') };
}
