/**
 * The GP's roles inside a batch of proposals made while other trials are in flight (`parallelTrialCount` > 1).
 *
 * `searchRegion` (shared with the TPEs) gives one trial in every `parallelTrialCount` the sequential rule and
 * the rest a local one. For the GP, one of the local members instead refines the incumbent: it proposes the
 * minimiser of the posterior mean among the candidates predicted among the best, which is where a sequential
 * search ends up once EI has nothing left to explore. Kriging-believer fantasies leave the mean unchanged, so
 * this point does not depend on what is pending, and no other member chases it: the averaged EI of the local
 * members pushes them off the points already in flight. Without it a batch of four spends three trials
 * exploring around the pending ones and the last digits of the optimum, which a sequential search settles
 * between its trials, are left to the one member per batch that follows the sequential rule.
 */

import { searchRegion } from '../region.ts';
import { type AcquisitionContext, acquisitionContext } from './acquisition.ts';

/**
 * What one proposal does: `explore` follows the sequential rule, `refine` minimises the posterior mean, `local`
 * maximises the acquisition averaged over the pending outcomes among the points predicted among the best.
 */
export type BatchRole = 'explore' | 'refine' | 'local';

/**
 * The role of the proposal for trial `index` (its creation index) with `inFlight` trials pending (running ones
 * and earlier members of the same request) under `parallelTrialCount` = `parallel`: in synchronous batches the
 * first member explores and the second refines; when slots are refilled one at a time, trial p·k explores and
 * trial p·k + 1 refines.
 */
export function batchRole(index: number, inFlight: number, parallel: number): BatchRole {
  if (searchRegion(index, inFlight, parallel) === 'global') return 'explore';
  return index % parallel === 1 ? 'refine' : 'local';
}

/**
 * The context under which LCB is the negated posterior mean (κ = 0): the refining member maximises it with the
 * same sweep and L-BFGS refinement as any acquisition, gradients included.
 */
export function refineContext(best: number): AcquisitionContext {
  return { ...acquisitionContext(best), kappa: 0 };
}
