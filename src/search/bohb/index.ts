import type { SearchAlgorithm } from '../types.ts';
import { BohbSearch } from './bohb.ts';

export { BohbSearch } from './bohb.ts';
export { decode, type Encoding, encode, encodingFor, type KdeDim } from './encoding.ts';
export { bandwidths, ProductKde } from './kde.ts';
export { fitModel, type KdeModel, type Observation, observationsByBudget, splitGoodBad } from './model.ts';
export { type ProposalContext, proposeConfig } from './sampler.ts';
export { type BohbOptions, bohbOptions, bohbRules } from './settings.ts';

/** A fresh `bohb` algorithm (Hyperband's schedule with a KDE model for new configs), for `builtinAlgorithms`. */
export function createBohb(): SearchAlgorithm {
  return new BohbSearch();
}
