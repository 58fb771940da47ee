// A small real training program: logistic regression by mini-batch gradient descent on a synthetic,
// seeded two-class data set. It prints one `epoch=… loss=… accuracy=…` line per epoch, which the StdOut
// collector parses with Katib's default `name=value` filter.
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v];
  }),
);
const lr = Number(args.lr ?? 0.1);
const l2 = Number(args.l2 ?? 0);
const epochs = Number(args.epochs ?? 10);
const batch = Number(args['batch-size'] ?? 32);
if (!(lr > 0) || !(epochs > 0) || !(batch > 0)) {
  console.error(`bad arguments: ${process.argv.slice(2).join(' ')}`);
  process.exit(2);
}

let seed = 42;
const rand = () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());

const dims = 8;
const trueW = Array.from({ length: dims }, () => gauss());
const make = (n) =>
  Array.from({ length: n }, () => {
    const x = Array.from({ length: dims }, () => gauss());
    const z = x.reduce((s, xi, i) => s + xi * trueW[i], 0) + 0.8 * gauss();
    return { x, y: z > 0 ? 1 : 0 };
  });
const train = make(800);
const valid = make(400);

const w = new Array(dims).fill(0);
let b = 0;
const sigmoid = (z) => 1 / (1 + Math.exp(-z));
const evaluate = (data) => {
  let loss = 0;
  let correct = 0;
  for (const { x, y } of data) {
    const p = sigmoid(x.reduce((s, xi, i) => s + xi * w[i], b));
    loss -= y * Math.log(p + 1e-12) + (1 - y) * Math.log(1 - p + 1e-12);
    correct += (p > 0.5 ? 1 : 0) === y ? 1 : 0;
  }
  return { loss: loss / data.length, accuracy: correct / data.length };
};

for (let epoch = 1; epoch <= epochs; epoch++) {
  for (let start = 0; start < train.length; start += batch) {
    const chunk = train.slice(start, start + batch);
    const gw = new Array(dims).fill(0);
    let gb = 0;
    for (const { x, y } of chunk) {
      const err = sigmoid(x.reduce((s, xi, i) => s + xi * w[i], b)) - y;
      for (let i = 0; i < dims; i++) gw[i] += err * x[i];
      gb += err;
    }
    for (let i = 0; i < dims; i++) w[i] -= lr * (gw[i] / chunk.length + l2 * w[i]);
    b -= lr * (gb / chunk.length);
  }
  const { loss, accuracy } = evaluate(valid);
  console.log(`epoch=${epoch} loss=${loss.toFixed(6)} accuracy=${accuracy.toFixed(4)}`);
}
