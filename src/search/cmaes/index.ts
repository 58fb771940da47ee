import type { SearchAlgorithm } from '../types.ts';
import { CmaesSearch } from './cmaes.ts';

export { CmaesSearch } from './cmaes.ts';
export { memberLabel } from './members.ts';
export { defaultSigma } from './settings.ts';
export type { CmaesState } from './state.ts';

/** A fresh Katib `cmaes` algorithm (CMA-ES with margin and IPOP/BIPOP restarts), for `builtinAlgorithms`. */
export function createCmaes(): SearchAlgorithm {
  return new CmaesSearch();
}
