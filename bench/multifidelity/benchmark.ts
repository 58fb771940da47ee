/**
 * The multi-fidelity benchmark of issue #4 as one function: every method × function × seed under a total-budget
 * cap, the median regret-vs-budget curves, the budget each method needs to reach random search's median final
 * regret, and the targets. `run.ts` is its CLI and also runs the median-stop task ({@link runMedianStopBench}).
 */
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { builtinAlgorithms } from '../../src/search/index.ts';
import type { SearchAlgorithm } from '../../src/search/types.ts';
import { median, type Quartiles, quartiles } from '../search/stats.ts';
import { mfFunctions } from './functions.ts';
import { isAvailable, methodNames, runMethod } from './methods.ts';
import { budgetToReach, type CurvePoint, medianRegretCurve, type RunTrace, regretAt } from './trace.ts';

/** Options of {@link runMfBenchmark}; every field has the default of `npm run bench:multifidelity`. */
export interface MfBenchOptions {
  readonly functions?: readonly string[];
  readonly methods?: readonly string[];
  readonly seeds?: number;
  /** Total budget of one run (default 81 × 100: one hundred full-budget trials). */
  readonly cap?: number;
  /** Algorithm name → factory; defaults to `builtinAlgorithms`. */
  readonly registry?: Readonly<Record<string, () => SearchAlgorithm>>;
  readonly log?: (line: string) => void;
}

/** One method on one function. */
export interface MethodResult {
  readonly method: string;
  status: 'ok' | 'not available' | 'error';
  error?: string;
  /** The exact median (over seeds) best-regret step curve: (total budget, regret) at every change. */
  curve: CurvePoint[];
  /** Quartiles over seeds of the regret at the cap. */
  final?: Quartiles;
  /** Smallest total budget at which the median curve reaches random search's median final regret. */
  budgetToTarget?: number;
  /** Median trials per run and median full-budget (81) evaluations per run. */
  trials?: number;
  fullEvals?: number;
  /** Trials by the budget they ended at, summed over seeds. */
  reached?: Record<number, number>;
  /** Median wall time of one run (the optimiser's own cost; objectives are instant). */
  wallS?: number;
  /** The raw runs, for the tests; left out of the JSON file. */
  traces: RunTrace[];
}

/** One function: random search's median final regret (the target) and every method. */
export interface FunctionResult {
  readonly fn: string;
  readonly optimum: number;
  /** Random search's median regret at the cap; undefined when random search did not run. */
  target?: number;
  /** The budget random search's own median curve needs to reach `target` (≤ cap). */
  randomBudget?: number;
  readonly methods: MethodResult[];
}

/** One target of issue #4: `method` reaches the target with `factor`× less budget than random on every function. */
export interface MfTarget {
  readonly description: string;
  readonly method: string;
  readonly factor: number;
  readonly status: 'pass' | 'fail' | 'n/a';
  readonly detail: string;
}

/** Everything the multi-fidelity benchmark found; `multifidelity.json` is this object without the traces. */
export interface MfReport {
  readonly date: string;
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly node: string };
  readonly options: { seeds: number; cap: number; functions: string[]; methods: string[] };
  readonly functions: FunctionResult[];
  readonly targets: MfTarget[];
}

/** The speed-up factors issue #4 asks for. */
export const targetFactors: Readonly<Record<string, number>> = { bohb: 5, hyperband: 2, asha: 2 };

/** Runs the benchmark and returns the report (writes nothing). */
export async function runMfBenchmark(o: MfBenchOptions = {}): Promise<MfReport> {
  const seeds = o.seeds ?? 10;
  const cap = o.cap ?? 81 * 100;
  const functions = [...(o.functions ?? Object.keys(mfFunctions))];
  const methods = [...(o.methods ?? methodNames)];
  const registry = o.registry ?? builtinAlgorithms;
  const log = o.log ?? (() => {});
  for (const f of functions) if (!Object.hasOwn(mfFunctions, f)) throw new Error(`unknown function ${f}`);
  for (const m of methods) if (!methodNames.includes(m)) throw new Error(`unknown method ${m}`);
  const started = performance.now();
  const results: FunctionResult[] = [];
  for (const name of functions) {
    const fn = mfFunctions[name]!;
    const fr: FunctionResult = { fn: name, optimum: fn.optimum, methods: [] };
    results.push(fr);
    for (const method of methods) {
      const mr: MethodResult = { method, status: 'ok', curve: [], traces: [] };
      fr.methods.push(mr);
      if (!isAvailable(registry, method)) {
        mr.status = 'not available';
        continue;
      }
      const walls: number[] = [];
      try {
        for (let seed = 0; seed < seeds; seed++) {
          const t0 = performance.now();
          mr.traces.push(await runMethod({ method, fn, seed, cap, registry }));
          walls.push((performance.now() - t0) / 1000);
        }
      } catch (e) {
        mr.status = 'error';
        mr.error = e instanceof Error ? e.message : String(e);
        log(`${name} / ${method}: error: ${mr.error}`);
        continue;
      }
      summariseMethod(mr, fn.optimum, cap, walls);
      const elapsed = ((performance.now() - started) / 1000).toFixed(0);
      log(`${name} / ${method}: ${seeds} runs, median wall ${mr.wallS?.toFixed(2)} s [${elapsed} s]`);
    }
    scoreAgainstRandom(fr);
  }
  return {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version },
    options: { seeds, cap, functions, methods },
    functions: results,
    targets: evaluateMfTargets(results),
  };
}

function summariseMethod(mr: MethodResult, optimum: number, cap: number, walls: readonly number[]): void {
  mr.curve = medianRegretCurve(mr.traces, optimum, cap);
  mr.final = quartiles(mr.traces.map((t) => regretAt(t, optimum, cap)));
  mr.trials = median(mr.traces.map((t) => t.trials));
  mr.fullEvals = median(mr.traces.map((t) => t.fullEvals.length));
  mr.wallS = median(walls);
  const reached: Record<number, number> = {};
  for (const t of mr.traces)
    for (const [b, n] of Object.entries(t.reached)) reached[Number(b)] = (reached[Number(b)] ?? 0) + n;
  mr.reached = reached;
}

/** Sets the target (random's median final regret) and every method's budget to reach it. */
function scoreAgainstRandom(fr: FunctionResult): void {
  const random = fr.methods.find((m) => m.method === 'random' && m.status === 'ok');
  if (random?.final === undefined) return;
  const target = random.final.median;
  if (!Number.isFinite(target)) return;
  fr.target = target;
  const own = budgetToReach(random.curve, target);
  if (own !== undefined) fr.randomBudget = own;
  for (const m of fr.methods) {
    if (m.status !== 'ok') continue;
    const b = budgetToReach(m.curve, target);
    if (b !== undefined) m.budgetToTarget = b;
  }
}

/**
 * The speed-up of a method on a function: the budget random search's median curve needs to reach its own median
 * final regret, over the budget the method's median curve needs to reach the same regret (0 when it never does).
 */
export function speedup(fr: FunctionResult, method: string): number | undefined {
  const m = fr.methods.find((x) => x.method === method);
  if (m === undefined || m.status !== 'ok' || fr.randomBudget === undefined) return undefined;
  return m.budgetToTarget === undefined ? 0 : fr.randomBudget / m.budgetToTarget;
}

/** BOHB ≥ 5×, Hyperband and ASHA ≥ 2× less budget than random search to its median final regret, on every function. */
export function evaluateMfTargets(results: readonly FunctionResult[]): MfTarget[] {
  return Object.entries(targetFactors).map(([method, factor]) => {
    const description = `${method} reaches random search's median final regret with >= ${factor}x less total budget`;
    const parts: string[] = [];
    let missing = results.length === 0;
    let short = false;
    for (const fr of results) {
      const s = speedup(fr, method);
      if (s === undefined) {
        const m = fr.methods.find((x) => x.method === method);
        const why = fr.randomBudget === undefined ? 'random search did not run' : (m?.status ?? 'not run');
        parts.push(`${fr.fn}: ${why}`);
        missing = true;
        continue;
      }
      parts.push(`${fr.fn}: ${s === 0 ? 'never reached' : `${s.toFixed(1)}x`}`);
      if (s < factor) short = true;
    }
    const status: MfTarget['status'] = missing ? 'n/a' : short ? 'fail' : 'pass';
    return { description, method, factor, status, detail: parts.join('; ') };
  });
}
