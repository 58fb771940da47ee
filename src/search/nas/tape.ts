import { addMatVec, addOuterProducts, addVecMat } from './kernels.ts';

/**
 * A minimal reverse-mode differentiation tape over Float64Array vectors, just the operations the ENAS controller
 * needs (matrix-vector products, elementwise maths, the LSTM gates, log-probabilities). Each operation computes its
 * value and records the analytic derivative as a closure; `backward` runs them newest first. Hand-written rather
 * than tfjs (294 MB installed, see README "Neural architecture search"), and proved by finite-difference checks of
 * every parameter tensor in test/search/nas/enasGradients.test.ts.
 */

/** A value on the tape and the gradient of the loss with respect to it (zero until `backward`). */
export interface Node {
  readonly value: Float64Array;
  readonly grad: Float64Array;
}

/** A trainable tensor: values and accumulated gradient, row-major with `rows × cols` entries. */
export interface Param extends Node {
  readonly rows: number;
  readonly cols: number;
}

/** A zero-gradient parameter of `rows × cols` entries holding `values` (copied). */
export function param(rows: number, cols: number, values?: ArrayLike<number>): Param {
  const value = new Float64Array(rows * cols);
  if (values !== undefined) value.set(values);
  return { value, grad: new Float64Array(rows * cols), rows, cols };
}

function sigmoidOf(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** log(sigmoid(x)), stable for large |x|. */
function logSigmoidOf(x: number): number {
  return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
}

/**
 * One forward pass. Build values with its methods, then call `backward` on a scalar node: every node and parameter
 * used gets its gradient added (parameters accumulate across passes until the caller zeroes them).
 */
export class Tape {
  private readonly steps: (() => void)[] = [];
  private readonly outers = new Map<Param, { xs: Float64Array[]; ds: Float64Array[] }>();

  /** A node of fixed values (no gradient flows out of it). */
  constant(values: ArrayLike<number>): Node {
    return this.make(Float64Array.from(values));
  }

  /** `x · W` for a row vector `x` of `W.rows` entries: `W.cols` entries. */
  matvec(x: Node, w: Param): Node {
    const { rows, cols } = w;
    if (x.value.length !== rows) throw new RangeError(`matvec: ${x.value.length} entries against ${rows} rows`);
    const out = this.make(new Float64Array(cols));
    addVecMat(out.value, x.value, w.value, rows, cols);
    this.deferOuter(w, x.value, out.grad);
    this.steps.push(() => addMatVec(x.grad, w.value, out.grad, rows, cols));
    return out;
  }

  /**
   * One LSTM step as a single node (gates i, f, o, g in that order along `bias`'s 4·n entries):
   * `z = x·Wx + h·Wh + b`, `c' = σ(z_f)·c + σ(z_i)·tanh(z_g)`, `h' = σ(z_o)·tanh(c')`. One node rather than a dozen
   * elementwise ones: the allocations and closures were a fifth of a suggestion's time.
   */
  lstmCell(x: Node, h: Node, c: Node, wx: Param, wh: Param, bias: Param): [Node, Node] {
    const n = h.value.length;
    if (wx.cols !== 4 * n || wh.cols !== 4 * n || bias.value.length !== 4 * n || c.value.length !== n) {
      throw new RangeError(`lstmCell: hidden size ${n} against gates of ${wx.cols}, ${wh.cols}, ${bias.value.length}`);
    }
    // z holds the pre-activations, then (in place) the activated gates; dz is z's gradient, filled by the backward.
    const z = Float64Array.from(bias.value);
    addVecMat(z, x.value, wx.value, wx.rows, wx.cols);
    addVecMat(z, h.value, wh.value, wh.rows, wh.cols);
    for (let k = 0; k < 3 * n; k++) z[k] = sigmoidOf(z[k]!);
    for (let k = 3 * n; k < 4 * n; k++) z[k] = Math.tanh(z[k]!);
    const hNext = this.make(new Float64Array(n));
    const cNext = this.make(new Float64Array(n));
    const tanhC = new Float64Array(n);
    const cv = c.value;
    for (let k = 0; k < n; k++) {
      const next = z[n + k]! * cv[k]! + z[k]! * z[3 * n + k]!;
      cNext.value[k] = next;
      tanhC[k] = Math.tanh(next);
      hNext.value[k] = z[2 * n + k]! * tanhC[k]!;
    }
    const dz = new Float64Array(4 * n);
    this.deferOuter(wx, x.value, dz);
    this.deferOuter(wh, h.value, dz);
    this.steps.push(() => {
      const dh = hNext.grad;
      const dcNext = cNext.grad;
      for (let k = 0; k < n; k++) {
        const i = z[k]!;
        const f = z[n + k]!;
        const o = z[2 * n + k]!;
        const g = z[3 * n + k]!;
        const tc = tanhC[k]!;
        const dc = dcNext[k]! + dh[k]! * o * (1 - tc * tc);
        dz[k] = dc * g * i * (1 - i);
        dz[n + k] = dc * cv[k]! * f * (1 - f);
        dz[2 * n + k] = dh[k]! * tc * o * (1 - o);
        dz[3 * n + k] = dc * i * (1 - g * g);
        c.grad[k]! += dc * f;
      }
      const db = bias.grad;
      for (let k = 0; k < 4 * n; k++) db[k]! += dz[k]!;
      addMatVec(x.grad, wx.value, dz, wx.rows, wx.cols);
      addMatVec(h.grad, wh.value, dz, wh.rows, wh.cols);
    });
    return [hNext, cNext];
  }

  /** Row `row` of `W` (an embedding lookup). */
  row(w: Param, row: number): Node {
    const base = row * w.cols;
    const out = this.make(w.value.slice(base, base + w.cols));
    this.steps.push(() => {
      for (let j = 0; j < w.cols; j++) w.grad[base + j]! += out.grad[j]!;
    });
    return out;
  }

  /** Entries `[start, start + length)` of `a`. */
  slice(a: Node, start: number, length: number): Node {
    const out = this.make(a.value.slice(start, start + length));
    this.steps.push(() => {
      for (let j = 0; j < length; j++) a.grad[start + j]! += out.grad[j]!;
    });
    return out;
  }

  /** `a + b`, elementwise. */
  add(a: Node, b: Node): Node {
    const out = this.make(new Float64Array(a.value.length));
    for (let i = 0; i < out.value.length; i++) out.value[i] = a.value[i]! + b.value[i]!;
    this.steps.push(() => {
      for (let i = 0; i < out.grad.length; i++) {
        a.grad[i]! += out.grad[i]!;
        b.grad[i]! += out.grad[i]!;
      }
    });
    return out;
  }

  /** `a * b`, elementwise. */
  mul(a: Node, b: Node): Node {
    const out = this.make(new Float64Array(a.value.length));
    for (let i = 0; i < out.value.length; i++) out.value[i] = a.value[i]! * b.value[i]!;
    this.steps.push(() => {
      for (let i = 0; i < out.grad.length; i++) {
        a.grad[i]! += out.grad[i]! * b.value[i]!;
        b.grad[i]! += out.grad[i]! * a.value[i]!;
      }
    });
    return out;
  }

  /** `c * a` for a constant `c`. */
  scale(a: Node, c: number): Node {
    const out = this.make(new Float64Array(a.value.length));
    for (let i = 0; i < out.value.length; i++) out.value[i] = a.value[i]! * c;
    this.steps.push(() => {
      for (let i = 0; i < out.grad.length; i++) a.grad[i]! += c * out.grad[i]!;
    });
    return out;
  }

  /** Elementwise tanh. */
  tanh(a: Node): Node {
    const out = this.make(new Float64Array(a.value.length));
    for (let i = 0; i < out.value.length; i++) out.value[i] = Math.tanh(a.value[i]!);
    this.steps.push(() => {
      for (let i = 0; i < out.grad.length; i++) a.grad[i]! += out.grad[i]! * (1 - out.value[i]! ** 2);
    });
    return out;
  }

  /** Elementwise logistic sigmoid. */
  sigmoid(a: Node): Node {
    const out = this.make(new Float64Array(a.value.length));
    for (let i = 0; i < out.value.length; i++) out.value[i] = sigmoidOf(a.value[i]!);
    this.steps.push(() => {
      for (let i = 0; i < out.grad.length; i++) a.grad[i]! += out.grad[i]! * out.value[i]! * (1 - out.value[i]!);
    });
    return out;
  }

  /** The scalar `a · b`. */
  dot(a: Node, b: Node): Node {
    let s = 0;
    for (let i = 0; i < a.value.length; i++) s += a.value[i]! * b.value[i]!;
    const out = this.make(Float64Array.of(s));
    this.steps.push(() => {
      const g = out.grad[0]!;
      for (let i = 0; i < a.value.length; i++) {
        a.grad[i]! += g * b.value[i]!;
        b.grad[i]! += g * a.value[i]!;
      }
    });
    return out;
  }

  /** The scalar `log softmax(logits)[index]`: the log-probability of choosing `index`. */
  logSoftmaxAt(logits: Node, index: number): Node {
    const probs = softmax(logits.value);
    const out = this.make(Float64Array.of(Math.log(Math.max(probs[index]!, Number.MIN_VALUE))));
    this.steps.push(() => {
      const g = out.grad[0]!;
      for (let i = 0; i < probs.length; i++) logits.grad[i]! += g * ((i === index ? 1 : 0) - probs[i]!);
    });
    return out;
  }

  /** The scalar `log sigmoid(z)` of a one-entry node (a Bernoulli log-probability of "on" for logit z). */
  logSigmoid(z: Node): Node {
    const x = z.value[0]!;
    const out = this.make(Float64Array.of(logSigmoidOf(x)));
    this.steps.push(() => {
      z.grad[0]! += out.grad[0]! * (1 - sigmoidOf(x));
    });
    return out;
  }

  /**
   * The scalar KL(Bernoulli(sigmoid(z)) ‖ Bernoulli(target)) of a one-entry logit node: ENAS's penalty pulling the
   * skip probability towards `controller_skip_target`. Its derivative is `(z − logit(target)) · p · (1 − p)`.
   */
  bernoulliKl(z: Node, target: number): Node {
    const x = z.value[0]!;
    const p = sigmoidOf(x);
    const t = Math.min(Math.max(target, 1e-6), 1 - 1e-6);
    // p log(p/t) + (1-p) log((1-p)/(1-t)), written with log-sigmoids so p near 0 or 1 stays finite.
    const kl = p * (logSigmoidOf(x) - Math.log(t)) + (1 - p) * (logSigmoidOf(-x) - Math.log1p(-t));
    const out = this.make(Float64Array.of(kl));
    const logitT = Math.log(t) - Math.log1p(-t);
    this.steps.push(() => {
      z.grad[0]! += out.grad[0]! * (x - logitT) * p * (1 - p);
    });
    return out;
  }

  /** The sum of scalar nodes (0 for none). */
  sum(terms: readonly Node[]): Node {
    const out = this.make(Float64Array.of(terms.reduce((s, t) => s + t.value[0]!, 0)));
    this.steps.push(() => {
      for (const t of terms) t.grad[0]! += out.grad[0]!;
    });
    return out;
  }

  /**
   * Back-propagates from the scalar `loss` (seeded with gradient 1) through everything recorded, newest first. Call
   * it once per tape: the weight gradients are added at its end.
   */
  backward(loss: Node): void {
    loss.grad[0]! += 1;
    for (let i = this.steps.length - 1; i >= 0; i--) this.steps[i]!();
    // The weight gradients of every product, now that every product's output gradient is final.
    for (const [w, pairs] of this.outers) addOuterProducts(w.grad, pairs.xs, pairs.ds, w.rows, w.cols);
  }

  /**
   * Records that `W` took part in a product with input `x` whose output gradient will be `d`: `W`'s gradient
   * `Σ xᵀ d` is added once at the end of `backward`, all products of `W` together, four at a time (see kernels.ts).
   */
  private deferOuter(w: Param, x: Float64Array, d: Float64Array): void {
    let pairs = this.outers.get(w);
    if (pairs === undefined) {
      pairs = { xs: [], ds: [] };
      this.outers.set(w, pairs);
    }
    pairs.xs.push(x);
    pairs.ds.push(d);
  }

  private make(value: Float64Array): Node {
    return { value, grad: new Float64Array(value.length) };
  }
}

/** The softmax of `logits`, shifted by the maximum for stability. */
export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const out = new Float64Array(logits.length);
  let total = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp(logits[i]! - max);
    total += out[i]!;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= total;
  return out;
}

/** The logistic sigmoid of one number. */
export function sigmoid(x: number): number {
  return sigmoidOf(x);
}
