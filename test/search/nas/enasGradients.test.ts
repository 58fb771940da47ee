import { describe, expect, it } from 'vitest';
import {
  type EnasControllerShape,
  type EnasWeights,
  initialWeights,
  runController,
  weightNames,
} from '../../../src/search/nas/enasController.ts';
import type { Architecture } from '../../../src/search/nas/enasEncoding.ts';
import { type ReinforceSample, reinforceLoss, weightList } from '../../../src/search/nas/enasTraining.ts';
import { Tape } from '../../../src/search/nas/tape.ts';
import { Rng } from '../../../src/search/rng.ts';

/**
 * The hand-written backpropagation is only trusted because these checks pass: the analytic gradient of the
 * REINFORCE loss (policy term + skip KL, over LSTM, embeddings, attention and logit shaping) against central finite
 * differences, for every entry of every parameter tensor.
 */

const shapes: Record<string, EnasControllerShape> = {
  'temperature and tanh constant': {
    hidden: 3,
    operations: 4,
    layers: 4,
    temperature: 1.5,
    tanhConst: 2,
    skipTarget: 0.4,
  },
  'both "None"': { hidden: 4, operations: 3, layers: 3, skipTarget: 0.7 },
};

function weightsFor(shape: EnasControllerShape): EnasWeights {
  const w = initialWeights(shape, new Rng(5));
  // Larger than the ±0.1 initialisation so the gates and tanh are away from their linear region.
  for (const p of weightList(w)) for (let i = 0; i < p.value.length; i++) p.value[i]! *= 6;
  return w;
}

function samplesFor(shape: EnasControllerShape, w: EnasWeights): ReinforceSample[] {
  const draw = (seed: number): Architecture => runController(new Tape(), w, shape, { rng: new Rng(seed) }).architecture;
  // A fixed architecture with skips, so the skip-input path (sum of anchors) is exercised for sure.
  const withSkips: Architecture = Array.from({ length: shape.layers }, (_, l) => [
    l % shape.operations,
    ...Array.from({ length: l }, (_, j) => (j % 2 === 0 ? 1 : 0)),
  ]);
  return [
    { architecture: withSkips, advantage: 0.7 },
    { architecture: draw(1), advantage: -1.3 },
    { architecture: draw(2), advantage: 0.25 },
  ];
}

describe('ENAS controller gradients (finite differences)', () => {
  for (const [label, shape] of Object.entries(shapes)) {
    it(`match on every entry of every parameter tensor, ${label}`, () => {
      const w = weightsFor(shape);
      const samples = samplesFor(shape, w);
      for (const p of weightList(w)) p.grad.fill(0);
      reinforceLoss(w, shape, samples, 0.8);
      // Copied before the finite differences, whose loss evaluations accumulate more gradient.
      const analyticOf = new Map(weightNames.map((name) => [name, Float64Array.from(w[name].grad)]));
      const h = 1e-5;
      let checked = 0;
      for (const name of weightNames) {
        const p = w[name];
        const analytic = analyticOf.get(name)!;
        for (let i = 0; i < p.value.length; i++) {
          const keep = p.value[i]!;
          p.value[i] = keep + h;
          const up = reinforceLoss(w, shape, samples, 0.8);
          p.value[i] = keep - h;
          const down = reinforceLoss(w, shape, samples, 0.8);
          p.value[i] = keep;
          const numeric = (up - down) / (2 * h);
          const scale = Math.max(1e-3, Math.abs(numeric), Math.abs(analytic[i]!));
          expect(Math.abs(numeric - analytic[i]!) / scale, `${name}[${i}]: ${analytic[i]} vs ${numeric}`).toBeLessThan(
            1e-5,
          );
          checked++;
        }
        // Every tensor takes part in the loss (a zero gradient everywhere would mean a disconnected parameter).
        expect(
          analytic.some((g) => g !== 0),
          `${name} has a gradient`,
        ).toBe(true);
      }
      expect(checked).toBe(weightList(w).reduce((n, p) => n + p.value.length, 0));
    });
  }

  it('the log-probability of a sampled architecture is the one scoring it again gives', () => {
    const shape = shapes['temperature and tanh constant']!;
    const w = weightsFor(shape);
    const sampled = runController(new Tape(), w, shape, { rng: new Rng(3) });
    const scored = runController(new Tape(), w, shape, { architecture: sampled.architecture });
    expect(scored.logProb.value[0]).toBe(sampled.logProb.value[0]);
    expect(scored.entropy).toBe(sampled.entropy);
  });
});
