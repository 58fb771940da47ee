import type { SearchAlgorithm } from '../types.ts';
import { BayesianOptimization } from './bayesian.ts';

export { type AcquisitionName, acquire, acquireValue, portfolio } from './acquisition.ts';
export { BayesianOptimization } from './bayesian.ts';
export { CholeskyFactor } from './cholesky.ts';
export { SpaceEncoder } from './encode.ts';
export { fitHyper, logPosterior } from './fit.ts';
export type { GpState } from './hedge.ts';
export { type Hyper, matern52 } from './kernel.ts';
export { minimizeInBox } from './lbfgs.ts';
export { GpModel } from './model.ts';
export { erfcx, logH, logNormalCdf } from './normal.ts';
export { type GpOptions, gpOptions, validateGpSettings } from './options.ts';

/** A fresh `bayesianoptimization` instance, for the built-in algorithm registry. */
export function createBayesianOptimization(): SearchAlgorithm {
  return new BayesianOptimization();
}
