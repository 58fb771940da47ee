import type { Assignment, SearchSpace } from '../../../src/search/space.ts';
import type { SearchAlgorithm, Settings, TrialView } from '../../../src/search/types.ts';
import { makeRequest, makeTrial } from '../../../src/testing/askTell.ts';

/**
 * The multi-fidelity benchmarks of /work/shared/bench/multifidelity.py (budget 1..81, cost = budget, equal to the
 * original function at budget 81) and a sequential ask/tell loop that stops at a total budget.
 */

/** The maximum fidelity of both benchmarks. */
export const maxFidelity = 81;

/** A multi-fidelity function: its space (with an int `epochs` resource 1..81), value and full-fidelity minimum. */
export interface MfBenchmark {
  readonly name: string;
  readonly space: SearchSpace;
  readonly f: (budget: number, x: readonly number[]) => number;
  readonly minimum: number;
  readonly dims: readonly string[];
}

const epochs = { name: 'epochs', domain: { kind: 'int', min: 1, max: 81, step: 1, scale: 'uniform' } } as const;

function braninMfValue(budget: number, x: readonly number[]): number {
  const s = budget / maxFidelity;
  const [x1 = 0, x2 = 0] = x;
  const b = 5.1 / (4 * Math.PI ** 2) - 0.01 * (1 - s);
  const c = 5 / Math.PI - 0.1 * (1 - s);
  const t = 1 / (8 * Math.PI) + 0.05 * (1 - s);
  return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
}

/** Branin with Kandasamy et al.'s fidelity bias. */
export const braninMf: MfBenchmark = {
  name: 'branin_mf',
  space: [
    { name: 'x1', domain: { kind: 'double', min: -5, max: 10, scale: 'uniform' } },
    { name: 'x2', domain: { kind: 'double', min: 0, max: 15, scale: 'uniform' } },
    epochs,
  ],
  f: braninMfValue,
  minimum: 0.397887,
  dims: ['x1', 'x2'],
};

const hA = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const hP = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
];

function hartmannMf(budget: number, x: readonly number[]): number {
  const s = budget / maxFidelity;
  const alpha = [1 - 0.1 * (1 - s), 1.2, 3.0, 3.2];
  let total = 0;
  for (let i = 0; i < 4; i++) {
    let inner = 0;
    for (let j = 0; j < 6; j++) inner += (hA[i]?.[j] ?? 0) * ((x[j] ?? 0) - (hP[i]?.[j] ?? 0) * 1e-4) ** 2;
    total += (alpha[i] ?? 0) * Math.exp(-inner);
  }
  return -total;
}

const unit = (name: string) => ({ name, domain: { kind: 'double', min: 0, max: 1, scale: 'uniform' } }) as const;

/** The augmented six-dimensional Hartmann function. */
export const hartmann6Mf: MfBenchmark = {
  name: 'hartmann6_mf',
  space: ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map(unit).concat([epochs as never]),
  f: hartmannMf,
  minimum: -3.32237,
  dims: ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'],
};

/** Evaluates a benchmark at an assignment (its budget read from `epochs`). */
export function evaluateMf(bench: MfBenchmark, params: Assignment): number {
  return bench.f(
    Number(params.epochs),
    bench.dims.map((d) => Number(params[d])),
  );
}

/** A finished loop: the trials in order, the total budget spent after each, and whether the algorithm ended. */
export interface MfRun {
  readonly trials: readonly TrialView[];
  readonly spent: readonly number[];
  readonly exhausted: boolean;
}

/** Asks for `batch` trials at a time, runs them all to Succeeded, until `maxCost` is spent or the algorithm ends. */
export async function runMultiFidelity(options: {
  readonly algorithm: SearchAlgorithm;
  readonly bench: MfBenchmark;
  readonly settings: Settings;
  readonly seed: number;
  readonly maxCost: number;
  readonly batch?: number;
}): Promise<MfRun> {
  const trials: TrialView[] = [];
  const spent: number[] = [];
  let state: unknown;
  let total = 0;
  while (total < options.maxCost) {
    const request = makeRequest({
      space: options.bench.space,
      trials,
      count: options.batch ?? 1,
      seed: options.seed,
      settings: options.settings,
      state,
    });
    const result = await options.algorithm.suggest(request);
    state = result.state === undefined ? undefined : structuredClone(result.state);
    if (result.exhausted === true || result.suggestions.length === 0) return { trials, spent, exhausted: true };
    for (const s of result.suggestions) {
      const value = evaluateMf(options.bench, s.params);
      const base = makeTrial(trials.length, s.params, 'Succeeded', value);
      const extra = {
        ...(s.budget === undefined ? {} : { budget: s.budget }),
        ...(s.parent === undefined ? {} : { parent: s.parent }),
        ...(s.labels === undefined ? {} : { labels: s.labels }),
      };
      trials.push({ ...base, ...extra });
      total += Number(s.params.epochs);
      spent.push(total);
    }
  }
  return { trials, spent, exhausted: false };
}

/** The full-fidelity regret of the best budget-81 trial among the first `upTo` trials (Infinity if none). */
export function finalRegret(bench: MfBenchmark, run: MfRun, upTo = run.trials.length): number {
  let best = Number.POSITIVE_INFINITY;
  for (const t of run.trials.slice(0, upTo)) {
    if (Number(t.params.epochs) === maxFidelity && t.objective !== undefined) best = Math.min(best, t.objective);
  }
  return best - bench.minimum;
}
