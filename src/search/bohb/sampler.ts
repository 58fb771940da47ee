import { sampleAssignment } from '../assignment.ts';
import type { Proposal } from '../hyperband/planner.ts';
import type { Rng } from '../rng.ts';
import type { SearchSpace } from '../space.ts';
import { decode, type Encoding } from './encoding.ts';
import type { KdeModel } from './model.ts';
import type { BohbOptions } from './settings.ts';

/**
 * How BOHB proposes a new configuration for a bracket's first rung (Falkner et al. 2018, Algorithm 2): with chance
 * `random_fraction`, or while no budget has a model, a random draw; otherwise `num_samples` candidates drawn from
 * the good KDE with widened bandwidths, keeping the one with the largest ratio l(x)/g(x) — TPE's criterion.
 */

/** What one proposal needs: the space, the encoding, the model (if any), the options and the slot's own stream. */
export interface ProposalContext {
  readonly space: SearchSpace;
  readonly encoding: Encoding;
  readonly model: KdeModel | undefined;
  readonly options: BohbOptions;
  readonly rng: Rng;
}

/** One first-rung configuration (every parameter of the space; the planner then writes the budget). */
export function proposeConfig(ctx: ProposalContext): Proposal {
  const { model, options, rng } = ctx;
  // The coin is thrown even without a model, so a slot's stream is used the same way before and after one exists.
  const coin = rng.next();
  if (model === undefined || coin < options.randomFraction) {
    return {
      params: sampleAssignment(ctx.space, rng),
      explain: { sampler: 'random', reason: model === undefined ? 'no model yet' : 'random_fraction' },
    };
  }
  let best: number[] | undefined;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < options.numSamples; k++) {
    const x = model.good.sample(rng, options.bandwidthFactor);
    const score = model.good.logPdf(x) - model.bad.logPdf(x);
    if (score > bestScore) {
      bestScore = score;
      best = x;
    }
  }
  // Every score is finite unless both densities underflow; fall back to a random draw rather than propose nothing.
  if (best === undefined || !Number.isFinite(bestScore)) {
    return { params: sampleAssignment(ctx.space, rng), explain: { sampler: 'random', reason: 'no finite ratio' } };
  }
  // The resource parameter is not modelled: a random value stands in until the planner writes the budget.
  const filler = sampleAssignment(ctx.space, rng);
  return {
    params: { ...filler, ...decode(ctx.encoding, best) },
    explain: {
      sampler: 'kde',
      modelBudget: model.budget,
      logRatio: bestScore,
      good: model.good.data.length,
      bad: model.bad.data.length,
    },
  };
}
