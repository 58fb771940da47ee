/**
 * The mixed-space benchmark functions of `npm run bench:search:mixed` (issue #18): three synthetic tuning
 * problems with doubles (log-scaled and stepped), stepped ints, categoricals and a numeric list, written the way
 * a Katib experiment declares them. They are our own designs, not measurements of real models; each imitates a
 * trait of real tuning surfaces (an optimal learning rate that moves with the batch size and the optimizer, the
 * learning-rate × rounds valley of boosting, parameters that matter for one model only). Every term is convex in
 * the continuous doubles with a minimiser in closed form, so the global minimum is exact: enumerate the discrete
 * part, complete each combination with {@link MixedFunction.bestContinuous} (see `enumerateOptimum`).
 */
import type { Assignment } from '../../src/search/space.ts';
import { cat, clamp, type MixedFunction, num } from './mixedSpace.ts';

const ln = Math.log;

/** e^s − s − 1: zero at s = 0, linear below (too small a step size learns slowly), exponential above (diverges). */
function asymmetric(s: number): number {
  return Math.expm1(s) - s;
}

// ---------------------------------------------------------------------------------------------------------------
// mlp: the validation loss of a small network.

const optimizers = ['sgd', 'momentum', 'adam', 'rmsprop'] as const;
const activations = ['relu', 'tanh', 'gelu'] as const;
/** Per optimizer: log10 of the best learning rate at batch 64, the basin's sharpness, the batch-scaling exponent, the best batch. */
const optimizerShape = {
  sgd: { t0: -1.6, sharpness: 3, batchExponent: 1, bestBatch: 40 },
  momentum: { t0: -2.3, sharpness: 2.5, batchExponent: 1, bestBatch: 56 },
  adam: { t0: -3.2, sharpness: 1.5, batchExponent: 0.5, bestBatch: 100 },
  rmsprop: { t0: -3.5, sharpness: 2, batchExponent: 0.5, bestBatch: 120 },
} as const;
/** The loss floor of each optimizer × activation (rows in `optimizers` order, columns in `activations` order). */
const mlpFloor: Record<(typeof optimizers)[number], readonly number[]> = {
  sgd: [0.3, 0.34, 0.31],
  momentum: [0.262, 0.3, 0.258],
  adam: [0.25, 0.285, 0.236],
  rmsprop: [0.255, 0.28, 0.248],
};
/** Per activation: the best depth (between integers, so the enumeration settles it) and how fast depth off it costs. */
const depthShape = {
  relu: { best: 3.6, cost: 0.006 },
  tanh: { best: 2.2, cost: 0.012 },
  gelu: { best: 4.7, cost: 0.005 },
};

function mlpLearningRate(optimizer: (typeof optimizers)[number], batch: number): number {
  const o = optimizerShape[optimizer];
  // The linear scaling rule for SGD (optimal step ∝ batch size), the square-root rule for adaptive methods.
  return clamp(o.t0 + o.batchExponent * Math.log10(batch / 64), -5, -1);
}

function mlpDropout(layers: number): number {
  return clamp(0.06 * (layers - 1), 0, 0.5);
}

const mlp: MixedFunction = {
  name: 'mlp',
  summary:
    'validation loss of a small network: learning rate (log), batch size 16..256 step 16, layers 1..8, optimizer, activation, dropout',
  space: [
    { name: 'learning_rate', domain: { kind: 'double', min: 1e-5, max: 1e-1, scale: 'logUniform' } },
    { name: 'batch_size', domain: { kind: 'int', min: 16, max: 256, step: 16, scale: 'uniform' } },
    { name: 'layers', domain: { kind: 'int', min: 1, max: 8, step: 1, scale: 'uniform' } },
    { name: 'optimizer', domain: { kind: 'categorical', values: optimizers } },
    { name: 'activation', domain: { kind: 'categorical', values: activations } },
    { name: 'dropout', domain: { kind: 'double', min: 0, max: 0.5, scale: 'uniform' } },
  ],
  optimum: 0.23648468466610337,
  argmin: {
    learning_rate: 0.0007727617717189726,
    batch_size: 96,
    layers: 5,
    optimizer: 'adam',
    activation: 'gelu',
    dropout: 0.24,
  },
  evaluate(p: Assignment): number {
    const optimizer = cat(p, 'optimizer', optimizers);
    const activation = cat(p, 'activation', activations);
    const batch = num(p, 'batch_size');
    const layers = num(p, 'layers');
    const o = optimizerShape[optimizer];
    const floor = mlpFloor[optimizer][activations.indexOf(activation)]!;
    // Too large a step diverges: the loss climbs towards chance level (ln 10 for ten classes) and stays there.
    const lr = o.sharpness * (Math.log10(num(p, 'learning_rate')) - mlpLearningRate(optimizer, batch));
    const lrTerm = ln(10) * Math.tanh((0.05 * asymmetric(lr)) / ln(10));
    const depth = depthShape[activation];
    const depthTerm = depth.cost * (layers - depth.best) ** 2;
    const batchTerm = 0.01 * (Math.log2(batch) - Math.log2(o.bestBatch)) ** 2;
    // Deeper networks want more dropout, and they pay more for the wrong amount.
    const dropoutTerm = 0.04 * layers * (num(p, 'dropout') - mlpDropout(layers)) ** 2;
    return floor + lrTerm + depthTerm + batchTerm + dropoutTerm;
  },
  bestContinuous(d: Assignment): Assignment {
    const optimizer = cat(d, 'optimizer', optimizers);
    return {
      learning_rate: 10 ** mlpLearningRate(optimizer, num(d, 'batch_size')),
      dropout: mlpDropout(num(d, 'layers')),
    };
  },
};

// ---------------------------------------------------------------------------------------------------------------
// boosting: the validation error of gradient-boosted trees.

const boosters = ['gbtree', 'dart', 'gblinear'] as const;
/** Per booster: error floor, the eta × rounds product it wants at depth 1, best depth, best subsample, best column fraction. */
const boosterShape = {
  gbtree: { floor: 0.2, total: 90, depth: 6.4, subsample: 0.8, colsample: 0.55 },
  dart: { floor: 0.19, total: 140, depth: 8.3, subsample: 0.65, colsample: 0.45 },
  gblinear: { floor: 0.245, total: 6, depth: Number.NaN, subsample: 1, colsample: 1 },
} as const;
const etaMin = 1e-3;
const etaMax = 0.5;
/** Weight of the rounds × eta valley and of the cost of a coarse eta (more rounds at a smaller eta fit better). */
const valley = 0.02;
const etaCost = 0.004;

/** ln of the eta × rounds product a booster wants: deeper trees fit more per round, so they need less. */
function boostingTotal(booster: (typeof boosters)[number], depth: number): number {
  const b = boosterShape[booster];
  return booster === 'gblinear' ? ln(b.total) : ln(b.total) - 0.6 * ln(depth);
}

const boosting: MixedFunction = {
  name: 'boosting',
  summary:
    'validation error of boosted trees: booster, rounds 50..1000 step 50, depth 2..12, eta (log), subsample, column fraction 0.3..1 step 0.1',
  space: [
    { name: 'booster', domain: { kind: 'categorical', values: boosters } },
    { name: 'n_estimators', domain: { kind: 'int', min: 50, max: 1000, step: 50, scale: 'uniform' } },
    { name: 'max_depth', domain: { kind: 'int', min: 2, max: 12, step: 1, scale: 'uniform' } },
    { name: 'eta', domain: { kind: 'double', min: etaMin, max: etaMax, scale: 'logUniform' } },
    { name: 'subsample', domain: { kind: 'double', min: 0.4, max: 1, scale: 'uniform' } },
    { name: 'colsample', domain: { kind: 'double', min: 0.3, max: 1, step: 0.1, scale: 'uniform' } },
  ],
  optimum: 0.2051459099904056,
  argmin: {
    booster: 'dart',
    n_estimators: 1000,
    max_depth: 8,
    eta: 0.03637848387731848,
    subsample: 0.65,
    colsample: 0.4,
  },
  evaluate(p: Assignment): number {
    const booster = cat(p, 'booster', boosters);
    const b = boosterShape[booster];
    const depth = num(p, 'max_depth');
    const logEta = ln(num(p, 'eta'));
    // Under- and over-fitting along ln eta + ln rounds, plus a cost for a coarse eta: the classic diagonal valley.
    const fit = valley * (logEta + ln(num(p, 'n_estimators')) - boostingTotal(booster, depth)) ** 2;
    const coarse = etaCost * (logEta - ln(etaMin));
    // A linear booster has no trees: depth does not matter to it (a parameter that is live for some choices only).
    const depthTerm = booster === 'gblinear' ? 0 : 0.003 * (depth - b.depth) ** 2;
    const subsampleTerm = 0.3 * (num(p, 'subsample') - b.subsample) ** 2;
    const colsampleTerm = 0.12 * (num(p, 'colsample') - b.colsample) ** 2;
    return b.floor + fit + coarse + depthTerm + subsampleTerm + colsampleTerm;
  },
  bestContinuous(d: Assignment): Assignment {
    const booster = cat(d, 'booster', boosters);
    // valley·(t + ln n − T)² + etaCost·t is a parabola in t = ln eta; its vertex, clamped, is the minimiser.
    const t = boostingTotal(booster, num(d, 'max_depth')) - ln(num(d, 'n_estimators')) - etaCost / (2 * valley);
    return {
      eta: Math.exp(clamp(t, ln(etaMin), ln(etaMax))),
      subsample: clamp(boosterShape[booster].subsample, 0.4, 1),
    };
  },
};

// ---------------------------------------------------------------------------------------------------------------
// pipeline: model selection with parameters that only one model reads.

const models = ['svm', 'knn', 'forest'] as const;
const scalers = ['none', 'standard', 'minmax', 'robust'] as const;
/** Error floor per model × scaler (columns in `scalers` order); trees do not care about scaling. */
const pipelineFloor: Record<(typeof models)[number], readonly number[]> = {
  svm: [0.3, 0.062, 0.075, 0.068],
  knn: [0.25, 0.085, 0.079, 0.09],
  forest: [0.07, 0.07, 0.07, 0.07],
};
/** log10 C the SVM wants. */
const svmLogC = 1;

/** log10 gamma the SVM wants: about one over the number of features left after PCA. */
function svmLogGamma(components: number): number {
  return -Math.log10(components) - 0.3;
}

const pipeline: MixedFunction = {
  name: 'pipeline',
  summary:
    'error rate of a model-selection pipeline: model, scaler, PCA components (list), C and gamma (log, SVM only), neighbours (kNN only), trees step 10 and max features step 0.05 (forest only)',
  space: [
    { name: 'model', domain: { kind: 'categorical', values: models } },
    { name: 'scaler', domain: { kind: 'categorical', values: scalers } },
    { name: 'pca_components', domain: { kind: 'discrete', values: [8, 16, 32, 64, 128] } },
    { name: 'C', domain: { kind: 'double', min: 1e-3, max: 1e3, scale: 'logUniform' } },
    { name: 'gamma', domain: { kind: 'double', min: 1e-4, max: 10, scale: 'logUniform' } },
    { name: 'n_neighbors', domain: { kind: 'int', min: 1, max: 50, step: 1, scale: 'uniform' } },
    { name: 'n_trees', domain: { kind: 'int', min: 10, max: 500, step: 10, scale: 'uniform' } },
    { name: 'max_features', domain: { kind: 'double', min: 0.1, max: 1, step: 0.05, scale: 'uniform' } },
  ],
  optimum: 0.062,
  argmin: {
    model: 'svm',
    scaler: 'standard',
    pca_components: 32,
    C: 10,
    gamma: 0.015662101050852254,
    n_neighbors: 1,
    n_trees: 10,
    max_features: 0.1,
  },
  activeWhen: {
    C: { param: 'model', value: 'svm' },
    gamma: { param: 'model', value: 'svm' },
    n_neighbors: { param: 'model', value: 'knn' },
    n_trees: { param: 'model', value: 'forest' },
    max_features: { param: 'model', value: 'forest' },
  },
  evaluate(p: Assignment): number {
    const model = cat(p, 'model', models);
    const floor = pipelineFloor[model][scalers.indexOf(cat(p, 'scaler', scalers))]!;
    const pca = Math.log2(num(p, 'pca_components'));
    if (model === 'svm') {
      const x = Math.log10(num(p, 'C')) - svmLogC;
      const y = Math.log10(num(p, 'gamma')) - svmLogGamma(num(p, 'pca_components'));
      // A tilted bowl: a larger C can make up for a smaller gamma (the ridge real SVM surfaces show).
      return floor + 0.012 * (x * x + y * y + 1.2 * x * y) + 0.004 * (pca - 5) ** 2;
    }
    if (model === 'knn') return floor + 0.02 * (ln(num(p, 'n_neighbors')) - ln(9)) ** 2 + 0.006 * (pca - 4) ** 2;
    return floor + 0.8 / num(p, 'n_trees') + 0.05 * (num(p, 'max_features') - 0.35) ** 2 + 0.003 * (pca - 7) ** 2;
  },
  bestContinuous(d: Assignment): Assignment {
    return { C: 10 ** svmLogC, gamma: 10 ** svmLogGamma(num(d, 'pca_components')) };
  },
};

/** The mixed set by name, in report order. */
export const mixedFunctions: Readonly<Record<string, MixedFunction>> = { mlp, boosting, pipeline };
