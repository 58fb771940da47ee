import type { Rng } from '../rng.ts';
import type { Architecture } from './enasEncoding.ts';
import { type Node, type Param, param, sigmoid, softmax, type Tape } from './tape.ts';

/**
 * The ENAS controller (Pham et al. 2018, "macro" search space, the layout Katib's ENAS service uses): an LSTM that,
 * layer by layer, chooses an operation id and then, by attention over the earlier layers' hidden states, whether
 * each earlier layer feeds this one. One function both samples an architecture and scores a given one, so the
 * log-probability that training differentiates is the one sampling used.
 */

/** The shape of the controller and how its logits are shaped (Katib's ENAS settings). */
export interface EnasControllerShape {
  /** `controller_hidden_size`. */
  readonly hidden: number;
  /** How many operation ids the space has (the operation softmax's width). */
  readonly operations: number;
  /** `graphConfig.numLayers`. */
  readonly layers: number;
  /** `controller_temperature`: logits are divided by it; undefined for `"None"`. */
  readonly temperature?: number;
  /** `controller_tanh_const`: logits become `c · tanh(logit)`; undefined for `"None"`. */
  readonly tanhConst?: number;
  /** `controller_skip_target`: the skip probability the KL penalty pulls towards. */
  readonly skipTarget: number;
}

/** The controller's trainable tensors, in the fixed order they are serialised. */
export interface EnasWeights {
  /** LSTM input weights (hidden × 4·hidden; gates i, f, o, g). */
  readonly wx: Param;
  /** LSTM recurrent weights (hidden × 4·hidden). */
  readonly wh: Param;
  /** LSTM bias (1 × 4·hidden). */
  readonly bias: Param;
  /** The start input (1 × hidden). */
  readonly gEmb: Param;
  /** Operation embeddings, fed after an operation is chosen (operations × hidden). */
  readonly wEmb: Param;
  /** Hidden state → operation logits (hidden × operations). */
  readonly wSoft: Param;
  /** Attention: earlier layers' keys, current query, and the scoring vector. */
  readonly attn1: Param;
  readonly attn2: Param;
  readonly vAttn: Param;
}

/** The names of {@link EnasWeights} in serialisation order. */
export const weightNames: readonly (keyof EnasWeights)[] = [
  'wx',
  'wh',
  'bias',
  'gEmb',
  'wEmb',
  'wSoft',
  'attn1',
  'attn2',
  'vAttn',
];

/** Fresh weights, uniform in [-0.1, 0.1] as in the ENAS paper, drawn from `rng`. */
export function initialWeights(shape: EnasControllerShape, rng: Rng): EnasWeights {
  const h = shape.hidden;
  const k = shape.operations;
  const dims: Record<keyof EnasWeights, [number, number]> = {
    wx: [h, 4 * h],
    wh: [h, 4 * h],
    bias: [1, 4 * h],
    gEmb: [1, h],
    wEmb: [k, h],
    wSoft: [h, k],
    attn1: [h, h],
    attn2: [h, h],
    vAttn: [1, h],
  };
  const out: Partial<Record<keyof EnasWeights, Param>> = {};
  for (const name of weightNames) {
    const [rows, cols] = dims[name];
    const p = param(rows, cols);
    for (let i = 0; i < p.value.length; i++) p.value[i] = rng.uniform(-0.1, 0.1);
    out[name] = p;
  }
  return out as EnasWeights;
}

/** What one pass over an architecture gives: the architecture, its log-probability and penalties as tape nodes. */
export interface ControllerPass {
  readonly architecture: Architecture;
  /** log p(architecture) under the controller (a scalar node on the tape). */
  readonly logProb: Node;
  /** The mean KL of the skip probabilities from the skip target (0 with fewer than two layers). */
  readonly skipKl: Node;
  /** The summed entropy of every decision's distribution along the path (a number: no gradient flows through it). */
  readonly entropy: number;
}

/** How a pass chooses: draw from the controller with `rng`, or follow a given architecture (teacher forcing). */
export type Choice = { readonly rng: Rng } | { readonly architecture: Architecture };

function shapeLogits(tape: Tape, logits: Node, shape: EnasControllerShape): Node {
  // Katib's order: divide by the temperature, then squash with c·tanh.
  let out = shape.temperature === undefined ? logits : tape.scale(logits, 1 / shape.temperature);
  if (shape.tanhConst !== undefined) out = tape.scale(tape.tanh(out), shape.tanhConst);
  return out;
}

function lstm(tape: Tape, w: EnasWeights, x: Node, h: Node, c: Node): [Node, Node] {
  return tape.lstmCell(x, h, c, w.wx, w.wh, w.bias);
}

function entropyOf(probs: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < probs.length; i++) if (probs[i]! > 0) e -= probs[i]! * Math.log(probs[i]!);
  return e;
}

function drawIndex(probs: Float64Array, rng: Rng): number {
  const u = rng.next();
  let acc = 0;
  for (let i = 0; i < probs.length; i++) {
    acc += probs[i]!;
    if (u < acc) return i;
  }
  return probs.length - 1;
}

/**
 * Runs the controller over all layers on `tape`. Per layer: LSTM step → operation logits → chosen id; its
 * embedding → LSTM step; for layer l > 0 an attention score per earlier layer j gives the skip logit (Katib's
 * two-way softmax over `[-q, q]` is a Bernoulli with logit `2q`, shaped the same way); the next input is the sum
 * of the chosen earlier hidden states divided by 1 + their count (Katib's), or the start input after layer 0.
 */
export function runController(tape: Tape, w: EnasWeights, shape: EnasControllerShape, choice: Choice): ControllerPass {
  const n = shape.hidden;
  const given = 'architecture' in choice ? choice.architecture : undefined;
  const rng = 'rng' in choice ? choice.rng : undefined;
  const gEmb = tape.row(w.gEmb, 0);
  let input = gEmb;
  let h = tape.constant(new Float64Array(n));
  let c = tape.constant(new Float64Array(n));
  const anchors: Node[] = [];
  const keys: Node[] = [];
  const logProbs: Node[] = [];
  const kls: Node[] = [];
  let entropy = 0;
  const architecture: number[][] = [];
  for (let l = 0; l < shape.layers; l++) {
    [h, c] = lstm(tape, w, input, h, c);
    const logits = shapeLogits(tape, tape.matvec(h, w.wSoft), shape);
    const probs = softmax(logits.value);
    entropy += entropyOf(probs);
    const op = given === undefined ? drawIndex(probs, rng!) : given[l]![0]!;
    logProbs.push(tape.logSoftmaxAt(logits, op));
    const layer = [op];
    [h, c] = lstm(tape, w, tape.row(w.wEmb, op), h, c);
    if (l > 0) {
      const query = tape.matvec(h, w.attn2);
      const vAttn = tape.row(w.vAttn, 0);
      const chosen: Node[] = [];
      for (let j = 0; j < l; j++) {
        const score = tape.dot(tape.tanh(tape.add(keys[j]!, query)), vAttn);
        const z = shapeLogits(tape, tape.scale(score, 2), shape);
        const p = sigmoid(z.value[0]!);
        entropy += entropyOf([p, 1 - p]);
        const bit = given === undefined ? (rng!.next() < p ? 1 : 0) : given[l]![j + 1]!;
        logProbs.push(tape.logSigmoid(bit === 1 ? z : tape.scale(z, -1)));
        kls.push(tape.bernoulliKl(z, shape.skipTarget));
        layer.push(bit);
        if (bit === 1) chosen.push(anchors[j]!);
      }
      input =
        chosen.length === 0
          ? tape.constant(new Float64Array(n))
          : chosen.reduce(
              (sum, a) => tape.add(sum, tape.scale(a, 1 / (1 + chosen.length))),
              tape.constant(new Float64Array(n)),
            );
    } else input = gEmb;
    anchors.push(h);
    keys.push(tape.matvec(h, w.attn1));
    architecture.push(layer);
  }
  const skipKl = kls.length === 0 ? tape.constant([0]) : tape.scale(tape.sum(kls), 1 / kls.length);
  return { architecture, logProb: tape.sum(logProbs), skipKl, entropy };
}
