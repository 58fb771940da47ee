import { createAsha } from './asha/index.ts';
import { createBohb } from './bohb/index.ts';
import { createCmaes } from './cmaes/index.ts';
import { createBayesianOptimization } from './gp/index.ts';
import { GridSearch } from './grid.ts';
import { createHyperband } from './hyperband/index.ts';
import { DartsSearch, EnasSearch, type ValidateOnlyAlgorithm } from './nas/index.ts';
import { createNsga2 } from './nsga2/index.ts';
import { createPbt } from './pbt/index.ts';
import { RandomSearch } from './random.ts';
import { SobolSearch } from './sobol.ts';
import { createMultivariateTpe, createTpe } from './tpe/index.ts';
import type { SearchAlgorithm } from './types.ts';

export { assignmentFromUnit, assignmentKey, sampleAssignment, spaceSize } from './assignment.ts';
export { Combinations } from './combinations.ts';
export { contains, fromUnit, gridSize, gridValueAt, gridValues, sample, toUnit } from './distributions.ts';
export { GridSearch } from './grid.ts';
export {
  crowdingDistances,
  dasDennisPoints,
  dominates,
  hypervolume,
  hypervolumeContributions,
  nonDominatedSort,
} from './multiobjective/index.ts';
export * from './nas/index.ts';
export { IndexPermutation } from './permutation.ts';
export { RandomSearch } from './random.ts';
export { derive, normalizeSeed, Rng } from './rng.ts';
export {
  type ParsedSettings,
  parseFloatText,
  parseIntText,
  parseSettings,
  parseSettingsOrThrow,
  randomStateRule,
  type SettingRule,
  type SettingRules,
  seedFrom,
  settingPath,
} from './settings.ts';
export { SobolSearch } from './sobol.ts';

export { maxSobolDimensions } from './sobolDirections.ts';
export { SobolSequence } from './sobolSequence.ts';
export type { Assignment, Domain, Parameter, ParamValue, Scale, SearchSpace } from './space.ts';
export type * from './types.ts';
export { completedStates } from './types.ts';

/**
 * The built-in search algorithms by Katib `algorithmName`, each a factory for a fresh instance.
 * The suggestion registry reads this map; later algorithms (tpe, bayesianoptimization, …) add entries here.
 */
export const builtinAlgorithms: Record<string, () => SearchAlgorithm> = {
  random: () => new RandomSearch(),
  grid: () => new GridSearch(),
  sobol: () => new SobolSearch(),
  cmaes: () => createCmaes(),
  pbt: () => createPbt(),
  asha: () => createAsha(),
  hyperband: () => createHyperband(),
  bohb: () => createBohb(),
  tpe: () => createTpe(),
  'multivariate-tpe': () => createMultivariateTpe(),
  bayesianoptimization: () => createBayesianOptimization(),
  nsga2: () => createNsga2(),
  darts: () => new DartsSearch(),
  enas: () => new EnasSearch(),
};

/**
 * Katib algorithms that are checked (`hpo validate`, ValidateAlgorithmSettings) but cannot run in this version,
 * each with the reason a run is refused. Empty now that enas runs; the refusal paths stay for the next such name.
 */
export const validateOnlyAlgorithms: Readonly<Record<string, ValidateOnlyAlgorithm>> = {};
