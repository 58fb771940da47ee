import type { SearchAlgorithm } from '../types.ts';
import { MultivariateTpeSearch } from './multivariate.ts';
import { TpeSearch } from './tpe.ts';

export { MultivariateTpeSearch } from './multivariate.ts';
export { defaultStartup } from './settings.ts';
export { TpeSearch } from './tpe.ts';

/** A fresh Katib `tpe` algorithm (univariate TPE, hyperopt's settings), for `builtinAlgorithms`. */
export function createTpe(): SearchAlgorithm {
  return new TpeSearch();
}

/** A fresh Katib `multivariate-tpe` algorithm (multivariate TPE with constant liar, Optuna's settings), for `builtinAlgorithms`. */
export function createMultivariateTpe(): SearchAlgorithm {
  return new MultivariateTpeSearch();
}
