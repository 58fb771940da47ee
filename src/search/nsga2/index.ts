import type { SearchAlgorithm } from '../types.ts';
import { Nsga2Search } from './nsga2.ts';

export { Nsga2Search } from './nsga2.ts';
export { defaultPopulation } from './settings.ts';

/** A fresh `nsga2` algorithm (NSGA-II, NSGA-III niching for 3+ objectives), for `builtinAlgorithms`. */
export function createNsga2(): SearchAlgorithm {
  return new Nsga2Search();
}
