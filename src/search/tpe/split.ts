import type { TrialView } from '../types.ts';
import type { TpeSpace } from './encoding.ts';
import type { Memo } from './memo.ts';
import type { Group } from './parzen.ts';

/**
 * The history as TPE uses it: finished trials with a value (Succeeded or EarlyStopped, as Katib's services
 * learn from), and in-flight ones (Pending, Running) whose points join the bad group as "constant liars"
 * (Ginsbourger et al. 2010; Optuna's `constant_liar`), so parallel suggestions spread out instead of piling
 * onto the same promising spot. Failed, Killed and MetricsUnavailable trials are left out of the model.
 */

/** The good group never holds more than this many points (hyperopt's linear-forgetting window). */
export const maxGood = 25;

/**
 * The weight of an in-flight point among the bad ones (a finished bad point weighs up to 1). A tenth is
 * enough to push the rest of a batch off the points already chosen, without driving the batch out of the
 * promising region: at full weight, parallel-4 studies ended twice as far from the optimum on Hartmann6.
 */
export const liarWeight = 0.1;

/** Observations in creation order (encoded points and losses), the best of them, and in-flight points. */
export interface History {
  readonly points: readonly Float64Array[];
  readonly losses: Float64Array;
  /** Indices of the (at most {@link maxGood}) lowest losses, best first, ties by creation order. */
  readonly best: Int32Array;
  readonly inFlight: readonly Float64Array[];
}

/** The indices of the `limit` lowest losses in order (ties by index): one pass with a small sorted buffer, O(n·limit) at worst. */
function lowest(losses: Float64Array, limit: number): Int32Array {
  const top = new Int32Array(Math.min(limit, losses.length));
  let size = 0;
  for (let i = 0; i < losses.length; i++) {
    const v = losses[i]!;
    if (size === top.length && !(v < losses[top[size - 1]!]!)) continue;
    let p = size === top.length ? size - 1 : size++;
    while (p > 0 && v < losses[top[p - 1]!]!) {
      top[p] = top[p - 1]!;
      p--;
    }
    top[p] = i;
  }
  return top;
}

/** Reads the trials a request carries; `sign` is -1 when maximising so that lower losses are always better. */
export function readHistory(enc: TpeSpace, trials: readonly TrialView[], sign: number, memo: Memo): History {
  const encoded = memo.trialPoints(enc, trials);
  const points: Float64Array[] = [];
  const losses: number[] = [];
  const inFlight: Float64Array[] = [];
  for (let i = 0; i < trials.length; i++) {
    const t = trials[i]!;
    const learn = (t.state === 'Succeeded' || t.state === 'EarlyStopped') && typeof t.objective === 'number';
    const flying = t.state === 'Pending' || t.state === 'Running';
    if ((!learn || Number.isNaN(t.objective)) && !flying) continue;
    const point = encoded[i];
    if (point === undefined) continue; // a trial from another space definition
    if (flying) inFlight.push(point);
    else {
      points.push(point);
      losses.push(sign * (t.objective as number));
    }
  }
  const values = Float64Array.from(losses);
  return { points, losses: values, best: lowest(values, maxGood), inFlight };
}

/** How many of n observations are good: ⌈γ·n⌉ (the quantile γ of the TPE paper), at most {@link maxGood}. */
export function goodCount(n: number, gamma: number): number {
  return Math.min(n, maxGood, Math.ceil(gamma * n));
}

/**
 * Age weights (hyperopt's linear forgetting, Optuna's default): the newest 25 points weigh 1, older ones ramp
 * linearly down to 1/n, so that early exploration fades as the search moves on.
 */
export function rampWeights(n: number): Float64Array {
  const w = new Float64Array(n).fill(1);
  const ramped = n - 25;
  for (let j = 0; j < ramped; j++) w[j] = ramped === 1 ? 1 / n : 1 / n + (j * (1 - 1 / n)) / (ramped - 1);
  return w;
}

function group(points: readonly Float64Array[], dims: number, weights: Float64Array): Group {
  const size = points.length;
  const columns: Float64Array[] = [];
  for (let d = 0; d < dims; d++) {
    const col = new Float64Array(size);
    for (let i = 0; i < size; i++) col[i] = points[i]![d]!;
    columns.push(col);
  }
  return { columns, weights, size };
}

/** The good and bad groups for one suggestion. */
export interface Split {
  readonly good: Group;
  readonly bad: Group;
  /** Points counted as bad because they are in flight (the trials' and this batch's own). */
  readonly liars: number;
  /** The good group's component of the best observation (-1 with no observations). */
  readonly best: number;
}

/** How one split is made: the good quantile and the exponent of the good points' rank weights. */
export interface SplitOptions {
  readonly gamma: number;
  readonly sharpness: number;
}

/**
 * Splits the observations into the best {@link goodCount} (good) and the rest (bad); in-flight points and
 * `batch` (this request's earlier suggestions) join the bad group at {@link liarWeight}. Good points weigh
 * ((g − r)/g)^sharpness by their rank r among the g good ones, so l(x) leans on the best few while still
 * spanning the whole good set: with γ = 0.25 this beats Optuna's flat ⌈0.1·n⌉ good set clearly on the
 * benchmarks. Bad points carry the age ramp.
 */
export function splitHistory(h: History, o: SplitOptions, batch: readonly Float64Array[], dims: number): Split {
  const { gamma, sharpness } = o;
  const n = h.points.length;
  const nGood = goodCount(n, gamma);
  const rank = new Int32Array(n).fill(-1);
  for (let r = 0; r < nGood; r++) rank[h.best[r]!] = r;
  const good: Float64Array[] = [];
  const goodWeights = new Float64Array(nGood);
  const bad: Float64Array[] = [];
  let best = -1;
  for (let i = 0; i < n; i++) {
    const r = rank[i]!;
    if (r < 0) {
      bad.push(h.points[i]!);
      continue;
    }
    if (r === 0) best = good.length;
    goodWeights[good.length] = ((nGood - r) / nGood) ** sharpness;
    good.push(h.points[i]!);
  }
  bad.push(...h.inFlight, ...batch);
  const badWeights = rampWeights(bad.length);
  for (let i = bad.length - h.inFlight.length - batch.length; i < bad.length; i++) badWeights[i]! *= liarWeight;
  return {
    good: group(good, dims, goodWeights),
    bad: group(bad, dims, badWeights),
    liars: h.inFlight.length + batch.length,
    best,
  };
}
