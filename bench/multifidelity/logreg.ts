/**
 * The learning-curve task of the median-stop benchmark: logistic regression trained by plain SGD on a seeded
 * synthetic data set, reporting the validation log loss after every epoch. Features have scales from 0.1 to 3,
 * so the problem is ill-conditioned: a too-small learning rate is still far off after 20 epochs, a too-large one
 * bounces, and a large L2 penalty underfits — the spread of learning curves a stopping rule should exploit.
 */
import { derive, Rng } from '../../src/search/rng.ts';

/** A binary classification data set, split into training and validation rows. */
export interface Dataset {
  readonly features: number;
  readonly trainX: readonly Float64Array[];
  readonly trainY: readonly number[];
  readonly valX: readonly Float64Array[];
  readonly valY: readonly number[];
}

/** Sizes of {@link makeDataset}. */
export interface DatasetOptions {
  readonly train?: number;
  readonly val?: number;
  readonly features?: number;
}

/** Rows x with x_j ~ N(0, s_j²), labels drawn from the logistic model of a hidden weight vector (so noisy). */
export function makeDataset(seed: number, o: DatasetOptions = {}): Dataset {
  const features = o.features ?? 20;
  const rng = new Rng(derive(seed, 'logreg-data'));
  const scale = Array.from({ length: features }, (_, j) => 0.1 * 30 ** (j / Math.max(1, features - 1)));
  const w = Array.from({ length: features }, () => rng.normal());
  const bias = 0.5 * rng.normal();
  const rows = (n: number): { x: Float64Array[]; y: number[] } => {
    const x: Float64Array[] = [];
    const y: number[] = [];
    for (let i = 0; i < n; i++) {
      const row = Float64Array.from(scale, (s) => s * rng.normal());
      // The hidden weights are divided by the scale, so every feature carries a comparable share of the signal.
      let z = bias;
      for (let j = 0; j < features; j++) z += (w[j]! / scale[j]!) * row[j]!;
      x.push(row);
      y.push(rng.next() < sigmoid(z) ? 1 : 0);
    }
    return { x, y };
  };
  const train = rows(o.train ?? 800);
  const val = rows(o.val ?? 400);
  return { features, trainX: train.x, trainY: train.y, valX: val.x, valY: val.y };
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Mean log loss of weights `w` (bias last) on the validation rows; probabilities clipped so it stays finite. */
export function validationLoss(data: Dataset, w: Float64Array): number {
  let total = 0;
  for (let i = 0; i < data.valX.length; i++) {
    const p = Math.min(1 - 1e-12, Math.max(1e-12, sigmoid(dot(w, data.valX[i]!))));
    total -= data.valY[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return total / data.valX.length;
}

function dot(w: Float64Array, x: Float64Array): number {
  let z = w[x.length]!;
  for (let j = 0; j < x.length; j++) z += w[j]! * x[j]!;
  return z;
}

/** Hyperparameters of one training run. */
export interface TrainOptions {
  readonly lr: number;
  readonly l2: number;
  readonly epochs: number;
  /** Seed of the per-epoch shuffles (fixed across trials, so a configuration always trains the same way). */
  readonly seed: number;
}

/**
 * Trains for up to `epochs` epochs of one-sample SGD, calling `onEpoch(epoch, validationLoss)` after each; training
 * ends early when it resolves to true (the trial was stopped). Returns the number of epochs trained.
 */
export async function train(
  data: Dataset,
  o: TrainOptions,
  onEpoch: (epoch: number, loss: number) => boolean | Promise<boolean>,
): Promise<number> {
  const w = new Float64Array(data.features + 1);
  const order = data.trainX.map((_, i) => i);
  const rng = new Rng(derive(o.seed, 'logreg-sgd'));
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    rng.shuffle(order);
    for (const i of order) {
      const x = data.trainX[i]!;
      const g = sigmoid(dot(w, x)) - data.trainY[i]!;
      for (let j = 0; j < x.length; j++) w[j] = w[j]! - o.lr * (g * x[j]! + o.l2 * w[j]!);
      w[x.length] = w[x.length]! - o.lr * g;
    }
    if (await onEpoch(epoch, validationLoss(data, w))) return epoch;
  }
  return o.epochs;
}
