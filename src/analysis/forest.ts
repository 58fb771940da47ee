import { derive, Rng } from '../search/rng.ts';

/** A node of a regression tree: a leaf with its mean, or a split `x[feature] <= threshold` → left, else right. */
export type TreeNode =
  | { readonly kind: 'leaf'; readonly value: number }
  | {
      readonly kind: 'split';
      readonly feature: number;
      readonly threshold: number;
      readonly left: TreeNode;
      readonly right: TreeNode;
    };

/** How {@link fitForest} grows its trees. */
export interface ForestOptions {
  /** Number of trees (default 64, as fANOVA's reference implementation). */
  readonly trees?: number;
  /** Seed of the bootstrap samples (default 0): the same data and seed give the same forest. */
  readonly seed?: number;
  /** Fewest samples in a leaf (default 1). */
  readonly minLeaf?: number;
  /** Most samples drawn per tree (default 2,000), which bounds the cost on long experiments. */
  readonly maxSamples?: number;
}

/** One tree's bootstrap sample, column-wise: `x[f][slot]`, `y[slot]`, one slot per draw (repeats allowed). */
interface Sample {
  readonly x: readonly Float64Array[];
  readonly y: Float64Array;
}

/** Where to split a node: feature, threshold, and how many of its slots (in that feature's order) go left. */
interface Split {
  readonly feature: number;
  readonly threshold: number;
  readonly left: number;
}

/**
 * The split that lowers the squared error most, or undefined when none does. `sorted[f]` holds the node's slots
 * in increasing order of feature f, so each feature is one linear scan with running sums (no sort per node).
 */
function bestSplit(data: Sample, sorted: readonly Int32Array[], minLeaf: number): Split | undefined {
  const slots = sorted[0]!;
  const n = slots.length;
  let total = 0;
  for (const i of slots) total += data.y[i]!;
  // Minimising SSE over the split is maximising sumL²/nL + sumR²/nR (the parent's term is fixed).
  const parent = (total * total) / n;
  let bestGain = 1e-12 * (1 + Math.abs(parent));
  let best: Split | undefined;
  sorted.forEach((order, f) => {
    const xs = data.x[f]!;
    let left = 0;
    for (let k = 0; k < n - 1; k++) {
      left += data.y[order[k]!]!;
      const here = xs[order[k]!]!;
      const next = xs[order[k + 1]!]!;
      const nl = k + 1;
      if (here === next || nl < minLeaf || n - nl < minLeaf) continue;
      const right = total - left;
      const gain = (left * left) / nl + (right * right) / (n - nl) - parent;
      if (gain > bestGain) {
        bestGain = gain;
        best = { feature: f, threshold: (here + next) / 2, left: nl };
      }
    }
  });
  return best;
}

function grow(
  data: Sample,
  sorted: readonly Int32Array[],
  goesLeft: Uint8Array,
  minLeaf: number,
  depth: number,
): TreeNode {
  const slots = sorted[0]!;
  let sum = 0;
  for (const i of slots) sum += data.y[i]!;
  const value = sum / slots.length;
  // Depth is bounded so a pathological input cannot exhaust the stack; 64 is far beyond what n samples need.
  const split = slots.length >= 2 * minLeaf && depth < 64 ? bestSplit(data, sorted, minLeaf) : undefined;
  if (!split) return { kind: 'leaf', value };
  const chosen = sorted[split.feature]!;
  for (let k = 0; k < chosen.length; k++) goesLeft[chosen[k]!] = k < split.left ? 1 : 0;
  // Stable partition keeps every feature's order within both children.
  const left = sorted.map((order) => order.filter((i) => goesLeft[i] === 1));
  const right = sorted.map((order) => order.filter((i) => goesLeft[i] === 0));
  return {
    kind: 'split',
    feature: split.feature,
    threshold: split.threshold,
    left: grow(data, left, goesLeft, minLeaf, depth + 1),
    right: grow(data, right, goesLeft, minLeaf, depth + 1),
  };
}

/**
 * A random forest of regression trees (Breiman 2001) on rows `x` (features, each in [0, 1] for fANOVA) and
 * targets `y`: each tree grown to purity on a bootstrap sample, every feature considered at each split (the
 * default of scikit-learn's regressor, which Optuna's fANOVA uses). Deterministic for a seed.
 */
export function fitForest(
  x: readonly (readonly number[])[],
  y: readonly number[],
  options: ForestOptions = {},
): TreeNode[] {
  const trees = options.trees ?? 64;
  const minLeaf = options.minLeaf ?? 1;
  const draws = Math.min(x.length, options.maxSamples ?? 2000);
  const features = x[0]?.length ?? 0;
  return Array.from({ length: trees }, (_, t) => {
    const rng = new Rng(derive(options.seed ?? 0, 'forest', t));
    const rows = Array.from({ length: draws }, () => rng.int(0, x.length - 1));
    const data: Sample = {
      x: Array.from({ length: features }, (_, f) => Float64Array.from(rows, (r) => x[r]![f]!)),
      y: Float64Array.from(rows, (r) => y[r]!),
    };
    const slots = Array.from({ length: draws }, (_, i) => i);
    const sorted = data.x.map((xs) => Int32Array.from([...slots].sort((a, b) => xs[a]! - xs[b]!)));
    // A tree with no feature (an empty space) is one leaf: the mean.
    if (sorted.length === 0) return { kind: 'leaf', value: data.y.reduce((p, q) => p + q, 0) / draws } as TreeNode;
    return grow(data, sorted, new Uint8Array(draws), minLeaf, 0);
  });
}

/** The tree's prediction at `x`. */
export function predictTree(node: TreeNode, x: readonly number[]): number {
  while (node.kind === 'split') node = x[node.feature]! <= node.threshold ? node.left : node.right;
  return node.value;
}
