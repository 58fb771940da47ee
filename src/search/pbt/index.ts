import type { SearchAlgorithm } from '../types.ts';
import { PbtSearch } from './pbt.ts';

export { type Explored, explore, perturbNumber } from './explore.ts';
export { firstGeneration, nextGeneration, ranking, truncationSize } from './generation.ts';
export { bindTrials, collectOutcomes, scoreOf } from './members.ts';
export { freeMemberName, type MemberTry, maxNameLength, memberName } from './names.ts';
export { generationLabel, PbtSearch, parentLabel } from './pbt.ts';
export {
  minPopulation,
  type PbtSettings,
  parsePbtSettings,
  readPbtSettings,
  requiredPbtSettings,
  validatePbt,
} from './settings.ts';
export type { PbtAction, PbtMember, PbtState } from './state.ts';
export { restoreState } from './state.ts';

/** A fresh Katib `pbt` algorithm (population-based training), for `builtinAlgorithms`. */
export function createPbt(): SearchAlgorithm {
  return new PbtSearch();
}
