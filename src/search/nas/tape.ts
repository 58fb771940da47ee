/**
 * A minimal reverse-mode differentiation tape over Float64Array vectors, just the operations the ENAS controller
 * needs (matrix-vector products, elementwise maths, the LSTM gates, log-probabilities). Each operation computes its
 * value and records the analytic derivative as a closure; `backward` runs them newest first. Hand-written rather
 * than tfjs (294 MB installed, see README "Neural architecture search"), and proved by finite-difference checks of
 * every parameter tensor in test/search/nas/tape.test.ts and enasController.test.ts.
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

  /** A node of fixed values (no gradient flows out of it). */
  constant(values: ArrayLike<number>): Node {
    return this.make(Float64Array.from(values));
  }

  /** `x · W` for a row vector `x` of `W.rows` entries: `W.cols` entries. */
  matvec(x: Node, w: Param): Node {
    const { rows, cols } = w;
    if (x.value.length !== rows) throw new RangeError(`matvec: ${x.value.length} entries against ${rows} rows`);
    const out = this.make(new Float64Array(cols));
    // Locals rather than property reads in the inner loops: this product is most of the controller's time.
    const xv = x.value;
    const wv = w.value;
    const ov = out.value;
    for (let i = 0; i < rows; i++) {
      const xi = xv[i]!;
      if (xi === 0) continue;
      const base = i * cols;
      for (let j = 0; j < cols; j++) ov[j]! += xi * wv[base + j]!;
    }
    this.steps.push(() => {
      const og = out.grad;
      const wg = w.grad;
      const xg = x.grad;
      for (let i = 0; i < rows; i++) {
        const base = i * cols;
        const xi = xv[i]!;
        let gx = 0;
        if (xi === 0) {
          for (let j = 0; j < cols; j++) gx += og[j]! * wv[base + j]!;
        } else {
          for (let j = 0; j < cols; j++) {
            const g = og[j]!;
            gx += g * wv[base + j]!;
            wg[base + j]! += xi * g;
          }
        }
        xg[i]! += gx;
      }
    });
    return out;
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

  /** Back-propagates from the scalar `loss` (seeded with gradient 1) through everything recorded, newest first. */
  backward(loss: Node): void {
    loss.grad[0]! += 1;
    for (let i = this.steps.length - 1; i >= 0; i--) this.steps[i]!();
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
