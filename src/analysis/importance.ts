import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import type { Parameter } from '../search/space.ts';
import { fitForest, type TreeNode } from './forest.ts';
import { chosenParameters, isLogScale, scoredTrials } from './input.ts';
import { baseSpec, objectiveSubtitle } from './spec.ts';
import type { AnalysisInput, Plot, PlotOptions } from './types.ts';

/** How much of the objective's variation one parameter explains on its own. */
export interface ParameterImportance {
  readonly parameter: string;
  /** The parameter's share of the summed main effects, in [0, 1]; all parameters' shares add up to 1 (or are all 0). */
  readonly importance: number;
  /**
   * The fraction of the forest's total variance explained by this parameter's main effect, averaged over the
   * trees (fANOVA's individual importance); the fractions sum to less than 1 when parameters interact.
   */
  readonly varianceFraction: number;
}

/** Options of {@link importance}. */
export interface ImportanceOptions extends PlotOptions {
  /** Trees in the random forest (default 64). */
  readonly trees?: number;
  /** Seed of the forest's bootstrap samples (default 0). */
  readonly seed?: number;
}

/**
 * A parameter value as a fANOVA feature in [0, 1], under which the uniform measure is the parameter's own:
 * numeric ranges linearly (in log space for log scales), and each of k categories or list values its own
 * interval of width 1/k, so every category weighs the same.
 */
export function featureValue(p: Parameter, value: unknown): number {
  const d = p.domain;
  if (d.kind === 'categorical' || d.kind === 'discrete') {
    const i = (d.values as readonly unknown[]).indexOf(value);
    return i < 0 ? Number.NaN : (i + 0.5) / d.values.length;
  }
  const v = Number(value);
  const log = isLogScale(p) && d.min > 0;
  const lo = log ? Math.log(d.min) : d.min;
  const hi = log ? Math.log(d.max) : d.max;
  const u = hi === lo ? 0.5 : ((log ? Math.log(v) : v) - lo) / (hi - lo);
  return Number.isFinite(u) ? Math.min(1, Math.max(0, u)) : Number.NaN;
}

interface Leaf {
  readonly lo: readonly number[];
  readonly hi: readonly number[];
  readonly value: number;
  /** The leaf box's volume in the unit cube. */
  readonly volume: number;
}

function leavesOf(node: TreeNode, lo: number[], hi: number[], out: Leaf[]): Leaf[] {
  if (node.kind === 'leaf') {
    let volume = 1;
    for (let j = 0; j < lo.length; j++) volume *= hi[j]! - lo[j]!;
    if (volume > 0) out.push({ lo: [...lo], hi: [...hi], value: node.value, volume });
    return out;
  }
  const f = node.feature;
  const t = Math.min(hi[f]!, Math.max(lo[f]!, node.threshold));
  leavesOf(node.left, lo, hi.with(f, t), out);
  leavesOf(node.right, lo.with(f, t), hi, out);
  return out;
}

/**
 * fANOVA's main-effect variance fractions of one tree (Hutter, Hoos & Leyton-Brown 2014), exactly: the tree
 * is a piecewise-constant function on the unit cube; the marginal of dimension j (the prediction averaged over
 * every other dimension, uniformly) is a step function, whose variance over j divided by the tree's total
 * variance is j's fraction. Undefined when the tree is constant.
 */
export function treeMainEffects(tree: TreeNode, dims: number): number[] | undefined {
  const leaves = leavesOf(tree, new Array<number>(dims).fill(0), new Array<number>(dims).fill(1), []);
  let mean = 0;
  let square = 0;
  for (const l of leaves) {
    mean += l.volume * l.value;
    square += l.volume * l.value * l.value;
  }
  const total = square - mean * mean;
  if (!(total > 1e-12 * (square + 1e-300))) return undefined;
  const fractions: number[] = [];
  for (let j = 0; j < dims; j++) {
    // Each leaf adds value·volume/width(j) to the marginal over its interval on j: sweep the interval ends.
    const events: [number, number][] = [];
    for (const l of leaves) {
      const c = (l.value * l.volume) / (l.hi[j]! - l.lo[j]!);
      events.push([l.lo[j]!, c], [l.hi[j]!, -c]);
    }
    events.sort((a, b) => a[0] - b[0]);
    let level = 0;
    let at = 0;
    let variance = 0;
    for (const [x, delta] of events) {
      if (x > at) variance += (x - at) * level * level;
      at = Math.max(at, x);
      level += delta;
    }
    fractions.push(Math.max(0, (variance - mean * mean) / total));
  }
  return fractions;
}

/**
 * Parameter importance by fANOVA on a random forest: the scored trials' parameters (as {@link featureValue}s)
 * and objectives fit a forest, and each parameter's main-effect variance fraction is averaged over its trees.
 * Sorted most important first (ties in space order). Deterministic for `seed`. Throws `invalidArgument` with
 * fewer than two scored trials.
 */
export function importance(input: AnalysisInput, options: ImportanceOptions = {}): ParameterImportance[] {
  const params = chosenParameters(input, options);
  const rows: number[][] = [];
  const y: number[] = [];
  for (const { trial, objective } of scoredTrials(input)) {
    const row = params.map((p) => featureValue(p, trial.params[p.name]));
    if (row.every(Number.isFinite)) {
      rows.push(row);
      y.push(objective);
    }
  }
  if (rows.length < 2) {
    throw new WorkbenchError(
      ErrorCode.invalidArgument,
      `parameter importance needs at least two completed trials with every parameter set, and experiment '${input.name}' has ${rows.length}`,
    );
  }
  const forest = fitForest(rows, y, {
    ...(options.trees === undefined ? {} : { trees: options.trees }),
    seed: options.seed ?? 0,
  });
  const sums = new Array<number>(params.length).fill(0);
  let counted = 0;
  for (const tree of forest) {
    const f = treeMainEffects(tree, params.length);
    if (!f) continue;
    counted++;
    f.forEach((v, j) => {
      sums[j]! += v;
    });
  }
  const fractions = sums.map((s) => (counted === 0 ? 0 : s / counted));
  const total = fractions.reduce((a, b) => a + b, 0);
  return params
    .map((p, j) => ({
      parameter: p.name,
      importance: total > 0 ? fractions[j]! / total : 0,
      varianceFraction: fractions[j]!,
    }))
    .sort((a, b) => b.importance - a.importance);
}

/** The importance plot: one horizontal bar per parameter, most important on top. */
export function importancePlot(input: AnalysisInput, options: ImportanceOptions = {}): Plot<ParameterImportance[]> {
  const data = importance(input, options);
  // The rows come most important first; both layers share that order (differing sorts would be re-sorted).
  const order = data.map((d) => d.parameter);
  const spec = {
    ...baseSpec('Parameter importance (fANOVA)', objectiveSubtitle(input), data),
    width: 360,
    height: { step: 24 },
    layer: [
      {
        name: 'bars',
        mark: { type: 'bar', color: '#4c78a8' },
        encoding: {
          y: { field: 'parameter', type: 'nominal', sort: order, title: null },
          x: { field: 'importance', type: 'quantitative', title: 'importance', scale: { domain: [0, 1] } },
          tooltip: [
            { field: 'parameter', type: 'nominal' },
            { field: 'importance', type: 'quantitative', format: '.3f' },
            { field: 'varianceFraction', type: 'quantitative', format: '.3f', title: 'variance fraction' },
          ],
        },
      },
      {
        name: 'labels',
        mark: { type: 'text', align: 'left', dx: 3 },
        encoding: {
          y: { field: 'parameter', type: 'nominal', sort: order },
          x: { field: 'importance', type: 'quantitative' },
          text: { field: 'importance', type: 'quantitative', format: '.2f' },
        },
      },
    ],
  };
  return { kind: 'importance', data, spec };
}
