import type { Issue } from '../../common/issue.ts';
import type {
  AlgorithmCapabilities,
  SearchAlgorithm,
  Settings,
  SuggestRequest,
  SuggestResult,
  ValidationContext,
} from '../types.ts';
import { suggestTpe } from './engine.ts';
import { Memo } from './memo.ts';
import { readTpe, validateTpe } from './settings.ts';

/**
 * Katib's `tpe` (hyperopt's `tpe.suggest`): the Tree-structured Parzen Estimator with one independent estimator
 * per parameter (l and g are products of per-parameter mixtures), hyperopt's adaptive kernel widths, prior and
 * linear forgetting. Deliberate departures, each chosen on the issue #3 benchmarks: the good set is the best
 * ⌈γ·n⌉ (at most 25), rank-weighted; candidates are drawn whole from one good point's kernels instead of one
 * parameter at a time; a scrambled Sobol design fills the first 10 trials; and trials in flight count as bad
 * points (a constant liar; hyperopt has none, so its parallel batches pile onto one spot).
 */
export class TpeSearch implements SearchAlgorithm {
  /** Trial encodings and the initial design, kept between requests only to save time (see Memo). */
  private readonly memo = new Memo();
  readonly name: string = 'tpe';
  /**
   * Several objectives make it MOTPE (see readParetoHistory); one objective takes the single-objective path unchanged.
   * Infeasible candidates are rejected where candidates are taken (see Visited).
   */
  readonly capabilities: AlgorithmCapabilities = { multiObjective: true, constraints: true };

  /** Checks `gamma`, `prior_weight`, `n_EI_candidates` and `random_state`; other names are rejected. */
  validate(settings: Settings, _ctx: ValidationContext): Issue[] {
    return validateTpe(settings);
  }

  /** Returns exactly `req.count` assignments: Sobol points for the first 10 trials, then TPE. */
  suggest(req: SuggestRequest): SuggestResult {
    return suggestTpe(req, readTpe(req.settings, req.seed), this.memo);
  }
}
