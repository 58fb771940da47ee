import { type EnasControllerShape, type EnasWeights, runController, weightNames } from './enasController.ts';
import type { Architecture } from './enasEncoding.ts';
import { type Param, Tape } from './tape.ts';

/**
 * REINFORCE for the ENAS controller: each trained architecture carries its own advantage (its trial's reward minus
 * the moving-average baseline), and every step minimises `mean(−advantage · log p(arch)) + skipWeight · mean(KL)`
 * with Adam. Plus the persisted training state (weights, Adam moments) as compact JSON-safe text.
 */

/** Katib's training settings as the controller uses them. */
export interface EnasTrainingSettings {
  /** `controller_learning_rate` (Adam's step size). */
  readonly learningRate: number;
  /** `controller_skip_weight`; undefined for `"None"` (no KL penalty). */
  readonly skipWeight?: number;
  /** `controller_train_steps`: Adam steps per suggestion call that has new rewards. */
  readonly trainSteps: number;
}

/** One architecture to reinforce and its advantage (reward + entropy bonus − baseline). */
export interface ReinforceSample {
  readonly architecture: Architecture;
  readonly advantage: number;
}

/** Adam's running moments, one entry per weight in serialisation order, and its step count. */
export interface AdamState {
  readonly m: Float64Array;
  readonly v: Float64Array;
  step: number;
}

const beta1 = 0.9;
const beta2 = 0.999;
const epsilon = 1e-8;

/** The weights in serialisation order. */
export function weightList(w: EnasWeights): Param[] {
  return weightNames.map((name) => w[name]);
}

/** How many numbers the weights hold. */
export function weightCount(w: EnasWeights): number {
  return weightList(w).reduce((n, p) => n + p.value.length, 0);
}

/** Zero moments for `w`. */
export function freshAdam(w: EnasWeights): AdamState {
  const n = weightCount(w);
  return { m: new Float64Array(n), v: new Float64Array(n), step: 0 };
}

/**
 * The REINFORCE loss of `samples` on a fresh tape, with gradients accumulated into the weights (the caller zeroes
 * them). Returned for the gradient checks; `trainController` is the caller in the algorithm.
 */
export function reinforceLoss(
  w: EnasWeights,
  shape: EnasControllerShape,
  samples: readonly ReinforceSample[],
  skipWeight: number | undefined,
): number {
  const tape = new Tape();
  const terms = samples.map((s) => {
    const pass = runController(tape, w, shape, { architecture: s.architecture });
    const policy = tape.scale(pass.logProb, -s.advantage);
    return skipWeight === undefined ? policy : tape.sum([policy, tape.scale(pass.skipKl, skipWeight)]);
  });
  const loss = tape.scale(tape.sum(terms), 1 / Math.max(1, samples.length));
  tape.backward(loss);
  return loss.value[0]!;
}

/** `settings.trainSteps` Adam steps on the REINFORCE loss of `samples`; updates `w` and `adam` in place. */
export function trainController(
  w: EnasWeights,
  shape: EnasControllerShape,
  adam: AdamState,
  samples: readonly ReinforceSample[],
  settings: EnasTrainingSettings,
): void {
  if (samples.length === 0) return;
  const params = weightList(w);
  for (let step = 0; step < settings.trainSteps; step++) {
    for (const p of params) p.grad.fill(0);
    reinforceLoss(w, shape, samples, settings.skipWeight);
    adam.step += 1;
    // The bias corrections folded into the step size and one factor, computed once per step, not once per weight.
    const stepSize = settings.learningRate / (1 - beta1 ** adam.step);
    const vScale = 1 / (1 - beta2 ** adam.step);
    const m = adam.m;
    const v = adam.v;
    let k = 0;
    for (const p of params) {
      const values = p.value;
      const grads = p.grad;
      for (let i = 0; i < values.length; i++, k++) {
        const g = grads[i]!;
        const mk = beta1 * m[k]! + (1 - beta1) * g;
        const vk = beta2 * v[k]! + (1 - beta2) * g * g;
        m[k] = mk;
        v[k] = vk;
        values[i]! -= (stepSize * mk) / (Math.sqrt(vk * vScale) + epsilon);
      }
    }
  }
}

/**
 * Numbers as base64 text of their float32 values (little-endian): ~5.3 characters each, half of float64, which
 * matters because the state is stored after every call and, over gRPC, travels inside Katib's Suggestion object.
 * Each suggest call starts from the decoded state, so a resumed run still continues exactly.
 */
export function encodeFloats(values: Float64Array): string {
  const bytes = new Uint8Array(Float32Array.from(values).buffer);
  // Base64 by hand into ASCII bytes, decoded to text in one native call: building the text through
  // String.fromCharCode and btoa took a tenth of a suggestion's time at Katib's default controller size.
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = base64Codes[n >>> 18]!;
    out[o++] = base64Codes[(n >>> 12) & 63]!;
    out[o++] = base64Codes[(n >>> 6) & 63]!;
    out[o++] = base64Codes[n & 63]!;
  }
  if (i < bytes.length) {
    const rest = bytes.length - i;
    const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
    out[o++] = base64Codes[n >>> 18]!;
    out[o++] = base64Codes[(n >>> 12) & 63]!;
    out[o++] = rest === 2 ? base64Codes[(n >>> 6) & 63]! : padCode;
    out[o++] = padCode;
  }
  return ascii.decode(out);
}

const base64Codes = new TextEncoder().encode('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
const padCode = 61; // '='
const ascii = new TextDecoder();

/** The inverse of {@link encodeFloats}; undefined when the text is not base64 of `length` float32 numbers. */
export function decodeFloats(text: string, length: number): Float64Array | undefined {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return undefined;
  }
  if (binary.length !== length * 4) return undefined;
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return Float64Array.from(new Float32Array(bytes.buffer));
}

/** The weights flattened in serialisation order. */
export function flattenWeights(w: EnasWeights): Float64Array {
  const out = new Float64Array(weightCount(w));
  let k = 0;
  for (const p of weightList(w)) {
    out.set(p.value, k);
    k += p.value.length;
  }
  return out;
}

/** Overwrites `w`'s values from a flat array of {@link weightCount} numbers. */
export function loadWeights(w: EnasWeights, flat: Float64Array): void {
  let k = 0;
  for (const p of weightList(w)) {
    p.value.set(flat.subarray(k, k + p.value.length));
    k += p.value.length;
  }
}
