/**
 * Where a model-based proposal looks while other trials are in flight, shared by the GP and both TPEs.
 *
 * A proposal made while trials are running cannot see their outcomes, so a batch of model proposals is a
 * population rather than a sequence: a sequential search would have moved its incumbent between them. Keeping
 * every member of a batch to the sequential rule (explore where the acquisition says, trials in flight as
 * fantasies or liars) loses to the sequential search at equal trial count on every benchmark function we
 * measured, because the later members mostly explore, pushed off the pending points. So one trial in every
 * `parallelTrialCount` (by creation index) follows the sequential rule and the others, proposed while
 * trials are in flight, exploit what the model already knows: the TPEs draw around the best trial only, the GP
 * ranks only points it predicts among the best tenth of the observations (and its exploring proposal, when
 * trials are running, only points predicted at least as good as the median). In synchronous batches the first
 * member explores and the rest exploit; when the controller refills one slot at a time, every p-th trial
 * explores.
 */

/** Whether a proposal searches the whole space (`global`) or where the best observations are (`local`). */
export type SearchRegion = 'global' | 'local';

/**
 * The region of the proposal for trial `index` (its creation index) with `inFlight` trials pending (running
 * trials and earlier members of the same request) under `parallelTrialCount` = `parallel`.
 */
export function searchRegion(index: number, inFlight: number, parallel: number): SearchRegion {
  return inFlight > 0 && parallel > 1 && index % parallel !== 0 ? 'local' : 'global';
}
