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

interface Sample {
  readonly x: readonly (readonly number[])[];
  readonly y: readonly number[];
}

/** The split of `idx` that lowers the squared error most, or undefined when none does. */
function bestSplit(
  data: Sample,
  idx: readonly number[],
  minLeaf: number,
): { feature: number; threshold: number } | undefined {
  const n = idx.length;
  let total = 0;
  for (const i of idx) total += data.y[i]!;
  let bestGain = 1e-12 * (1 + Math.abs(total));
  let best: { feature: number; threshold: number } | undefined;
  const features = data.x[0]?.length ?? 0;
  for (let f = 0; f < features; f++) {
    const sorted = [...idx].sort((a, b) => data.x[a]![f]! - data.x[b]![f]!);
    let left = 0;
    // Minimising SSE over the split is maximising sumL²/nL + sumR²/nR (the parent's term is fixed).
    const parent = (total * total) / n;
    for (let k = 0; k < n - 1; k++) {
      left += data.y[sorted[k]!]!;
      const here = data.x[sorted[k]!]![f]!;
      const next = data.x[sorted[k + 1]!]![f]!;
      const nl = k + 1;
      if (here === next || nl < minLeaf || n - nl < minLeaf) continue;
      const right = total - left;
      const gain = (left * left) / nl + (right * right) / (n - nl) - parent;
      if (gain > bestGain) {
        bestGain = gain;
        best = { feature: f, threshold: (here + next) / 2 };
      }
    }
  }
  return best;
}

function grow(data: Sample, idx: number[], minLeaf: number, depth: number): TreeNode {
  let sum = 0;
  for (const i of idx) sum += data.y[i]!;
  const value = sum / idx.length;
  // Depth is bounded so a pathological input cannot exhaust the stack; 64 is far beyond what n samples need.
  const split = idx.length >= 2 * minLeaf && depth < 64 ? bestSplit(data, idx, minLeaf) : undefined;
  if (!split) return { kind: 'leaf', value };
  const left = idx.filter((i) => data.x[i]![split.feature]! <= split.threshold);
  const right = idx.filter((i) => data.x[i]![split.feature]! > split.threshold);
  return {
    kind: 'split',
    feature: split.feature,
    threshold: split.threshold,
    left: grow(data, left, minLeaf, depth + 1),
    right: grow(data, right, minLeaf, depth + 1),
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
  const data = { x, y };
  return Array.from({ length: trees }, (_, t) => {
    const rng = new Rng(derive(options.seed ?? 0, 'forest', t));
    const idx = Array.from({ length: draws }, () => rng.int(0, x.length - 1));
    return grow(data, idx, minLeaf, 0);
  });
}

/** The tree's prediction at `x`. */
export function predictTree(node: TreeNode, x: readonly number[]): number {
  while (node.kind === 'split') node = x[node.feature]! <= node.threshold ? node.left : node.right;
  return node.value;
}
