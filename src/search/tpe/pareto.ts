import { nonDominatedSort } from '../multiobjective/dominance.ts';
import { hypervolume } from '../multiobjective/hypervolume.ts';
import { lossVector } from '../multiobjective/losses.ts';
import type { ObjectiveSpec, TrialView } from '../types.ts';
import type { TpeSpace } from './encoding.ts';
import type { Memo } from './memo.ts';
import { type History, maxGood } from './split.ts';

/**
 * The history of a multi-objective TPE (MOTPE, Ozaki et al. 2020, 2022): the same {@link History} the split
 * reads, with each observation's loss replaced by its place in the MOTPE order, so the good group is the best
 * ⌈γ·n⌉ (at most 25) by that order and everything downstream (rank weights, the local focus on the first one) is
 * the single-objective machinery unchanged. The order: non-dominated rank first (Deb's fronts); within a front,
 * greedy hypervolume subset selection (each next point the one adding the most hypervolume to those already
 * picked), which both breaks the tie at the cut and spreads the good group along the front. Hypervolumes are
 * taken on objectives scaled to [0, 1] over the observations, against the reference point 1.1 in each.
 */
export function readParetoHistory(
  enc: TpeSpace,
  trials: readonly TrialView[],
  objectives: readonly ObjectiveSpec[],
  memo: Memo,
): History {
  const encoded = memo.trialPoints(enc, trials);
  const points: Float64Array[] = [];
  const vectors: number[][] = [];
  const inFlight: Float64Array[] = [];
  for (let i = 0; i < trials.length; i++) {
    const t = trials[i]!;
    const point = encoded[i];
    if (point === undefined) continue; // a trial from another space definition
    if (t.state === 'Pending' || t.state === 'Running') {
      inFlight.push(point);
      continue;
    }
    const loss = lossVector(t, objectives);
    if (loss === undefined) continue;
    points.push(point);
    vectors.push(loss);
  }
  const order = paretoOrder(vectors, maxGood);
  const losses = new Float64Array(vectors.length);
  order.forEach((i, place) => {
    losses[i] = place;
  });
  return { points, losses, best: Int32Array.from(order.slice(0, maxGood)), inFlight };
}

/**
 * Every index of `vectors` in MOTPE order (see {@link readParetoHistory}); fronts past the first `limit` places
 * keep creation order, since nothing reads their order but the count.
 */
export function paretoOrder(vectors: readonly (readonly number[])[], limit: number): number[] {
  const scaled = normalised(vectors);
  const order: number[] = [];
  for (const front of nonDominatedSort(vectors)) {
    if (order.length >= limit) order.push(...front);
    else order.push(...greedyHypervolume(scaled, front, limit - order.length));
  }
  return order;
}

/**
 * The first `places` members of the front in the order greedy hypervolume subset selection picks them, then the
 * rest in creation order. Lazy greedy: a point's gain only shrinks as the picked set grows (hypervolume is
 * submodular), so a stale gain is an upper bound and is recomputed only when it reaches the top; ties go to the
 * older trial. This keeps a front of hundreds of points in three objectives cheap.
 */
function greedyHypervolume(scaled: readonly (readonly number[])[], front: readonly number[], places: number): number[] {
  if (front.length <= 1) return [...front];
  const reference = new Array<number>(scaled[front[0]!]!.length).fill(1.1);
  // Before anything is picked, a point's gain is its own box.
  const gain = front.map((i) => scaled[i]!.reduce((acc, v, k) => acc * Math.max(0, reference[k]! - v), 1));
  const fresh = front.map(() => true);
  const left = new Set(front.map((_, q) => q));
  const picked: number[] = [];
  let volume = 0;
  while (picked.length < places && left.size > 0) {
    let top = -1;
    for (const q of left) if (top < 0 || gain[q]! > gain[top]! || (gain[q] === gain[top] && q < top)) top = q;
    if (!fresh[top]) {
      gain[top] = hypervolume([...picked.map((i) => scaled[i]!), scaled[front[top]!]!], reference) - volume;
      fresh[top] = true;
      continue;
    }
    picked.push(front[top]!);
    left.delete(top);
    volume += gain[top]!;
    for (const q of left) fresh[q] = false;
  }
  return [...picked, ...[...left].sort((a, b) => a - b).map((q) => front[q]!)];
}

/** Each objective scaled to [0, 1] over the observations (a flat objective maps to 0). */
function normalised(vectors: readonly (readonly number[])[]): number[][] {
  if (vectors.length === 0) return [];
  const m = vectors[0]!.length;
  const lo = new Array<number>(m).fill(Number.POSITIVE_INFINITY);
  const hi = new Array<number>(m).fill(Number.NEGATIVE_INFINITY);
  for (const v of vectors) {
    for (let k = 0; k < m; k++) {
      lo[k] = Math.min(lo[k]!, v[k]!);
      hi[k] = Math.max(hi[k]!, v[k]!);
    }
  }
  return vectors.map((v) => v.map((x, k) => (hi[k]! > lo[k]! ? (x - lo[k]!) / (hi[k]! - lo[k]!) : 0)));
}
