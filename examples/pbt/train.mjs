// A small real training program for population-based training: a 2-16-1 neural network (tanh hidden layer,
// sigmoid output) learns a seeded "two moons" data set by mini-batch SGD with momentum. Every trial trains a
// few more epochs on top of the checkpoint in its directory, so a PBT child resumes its parent's weights with
// new hyperparameters. It prints one `epoch=… loss=… accuracy=…` line per epoch (Katib's StdOut format), where
// `epoch` counts every epoch the weights have been trained, across generations.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, ...v] = a.replace(/^--/, '').split('=');
    return [k, v.join('=')];
  }),
);
const lr = Number(args.lr ?? 0.05);
const momentum = Number(args.momentum ?? 0.9);
const epochs = Number(args.epochs ?? 3);
const batch = 32;
// The controller rewrites the path in --checkpoint to this trial's own directory and also sets HPO_CHECKPOINT_DIR.
const checkpointDir = args.checkpoint || process.env.HPO_CHECKPOINT_DIR || '';
if (!(lr > 0) || !(momentum >= 0 && momentum < 1) || !(epochs >= 1)) {
  console.error(`bad arguments: ${process.argv.slice(2).join(' ')}`);
  process.exit(2);
}

// A seeded generator (32-bit LCG), so the data set and the initial weights are the same in every trial.
function generator(seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
  return { next, gauss };
}

// Two interleaving half circles with Gaussian noise; the classes cannot be split by a line.
function moons(n, seed) {
  const g = generator(seed);
  return Array.from({ length: n }, (_, i) => {
    const y = i % 2;
    const t = Math.PI * g.next();
    const x0 = y === 0 ? Math.cos(t) : 1 - Math.cos(t);
    const x1 = y === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
    return { x: [x0 + 0.2 * g.gauss(), x1 + 0.2 * g.gauss()], y };
  });
}
const train = moons(600, 1);
const valid = moons(400, 2);

const hidden = 16;
function initialModel() {
  const g = generator(3);
  return {
    epochs: 0,
    w1: Array.from({ length: hidden }, () => [g.gauss() * 0.5, g.gauss() * 0.5]),
    b1: new Array(hidden).fill(0),
    w2: Array.from({ length: hidden }, () => g.gauss() * 0.5),
    b2: 0,
  };
}

const statePath = checkpointDir === '' ? '' : join(checkpointDir, 'state.json');
let model = initialModel();
let velocity;
if (statePath !== '' && existsSync(statePath)) {
  const saved = JSON.parse(readFileSync(statePath, 'utf8'));
  model = saved.model;
  velocity = saved.velocity;
  console.error(`resuming after ${model.epochs} epochs from ${statePath}`);
} else if (checkpointDir === '') {
  console.error('no checkpoint directory (--checkpoint or HPO_CHECKPOINT_DIR): training from scratch, not saving');
}
velocity ??= { w1: model.w1.map(() => [0, 0]), b1: new Array(hidden).fill(0), w2: new Array(hidden).fill(0), b2: 0 };

const sigmoid = (z) => 1 / (1 + Math.exp(-z));
function forward(x) {
  const h = model.w1.map((w, j) => Math.tanh(w[0] * x[0] + w[1] * x[1] + model.b1[j]));
  const p = sigmoid(h.reduce((s, hj, j) => s + hj * model.w2[j], model.b2));
  return { h, p };
}

function evaluate(data) {
  let loss = 0;
  let correct = 0;
  for (const { x, y } of data) {
    const p = Math.min(1 - 1e-7, Math.max(1e-7, forward(x).p));
    loss -= y * Math.log(p) + (1 - y) * Math.log(1 - p);
    correct += (p > 0.5 ? 1 : 0) === y ? 1 : 0;
  }
  return { loss: loss / data.length, accuracy: correct / data.length };
}

function step(chunk) {
  const g = { w1: model.w1.map(() => [0, 0]), b1: new Array(hidden).fill(0), w2: new Array(hidden).fill(0), b2: 0 };
  for (const { x, y } of chunk) {
    const { h, p } = forward(x);
    const err = (p - y) / chunk.length;
    g.b2 += err;
    for (let j = 0; j < hidden; j++) {
      g.w2[j] += err * h[j];
      const back = err * model.w2[j] * (1 - h[j] * h[j]);
      g.w1[j][0] += back * x[0];
      g.w1[j][1] += back * x[1];
      g.b1[j] += back;
    }
  }
  // Classical momentum: v ← μ·v − lr·g, w ← w + v.
  const v = velocity;
  v.b2 = momentum * v.b2 - lr * g.b2;
  model.b2 += v.b2;
  for (let j = 0; j < hidden; j++) {
    v.w2[j] = momentum * v.w2[j] - lr * g.w2[j];
    model.w2[j] += v.w2[j];
    v.b1[j] = momentum * v.b1[j] - lr * g.b1[j];
    model.b1[j] += v.b1[j];
    for (let i = 0; i < 2; i++) {
      v.w1[j][i] = momentum * v.w1[j][i] - lr * g.w1[j][i];
      model.w1[j][i] += v.w1[j][i];
    }
  }
}

for (let e = 0; e < epochs; e++) {
  // The shuffle depends on the total epoch count, so a resumed model sees the same order a continuous run would.
  const g = generator(1000 + model.epochs);
  const order = train.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(g.next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  for (let start = 0; start < order.length; start += batch)
    step(order.slice(start, start + batch).map((i) => train[i]));
  model.epochs += 1;
  const { loss, accuracy } = evaluate(valid);
  console.log(`epoch=${model.epochs} loss=${loss.toFixed(6)} accuracy=${accuracy.toFixed(4)}`);
}

if (statePath !== '') {
  mkdirSync(checkpointDir, { recursive: true });
  // Write then rename, so a trial killed mid-write never leaves a half checkpoint for its children.
  writeFileSync(`${statePath}.tmp`, JSON.stringify({ model, velocity, lr, momentum }));
  renameSync(`${statePath}.tmp`, statePath);
}
