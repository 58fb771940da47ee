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
import { readMultivariateTpe, validateMultivariateTpe } from './settings.ts';

/**
 * Katib's `multivariate-tpe` (Optuna's `TPESampler(multivariate=True, constant_liar=True)`): one estimator over
 * all parameters whose components are products of per-parameter kernels, so a candidate is drawn whole from one
 * good observation's neighbourhood and scored by the joint l(x)/g(x); trials in flight and earlier suggestions
 * of the batch count as bad points. Kernel widths follow hyperopt's neighbour rule per parameter rather than
 * Optuna's Scott rule, and the good set is the best quarter, rank-weighted (both benchmark clearly better).
 */
export class MultivariateTpeSearch implements SearchAlgorithm {
  /** Trial encodings and the initial design, kept between requests only to save time (see Memo). */
  private readonly memo = new Memo();
  readonly name: string = 'multivariate-tpe';
  /** Infeasible candidates are rejected where candidates are taken (see Visited). */
  readonly capabilities: AlgorithmCapabilities = { constraints: true };

  /** Checks `n_startup_trials`, `n_ei_candidates` and `random_state`; other names (Optuna's `seed` too) are rejected. */
  validate(settings: Settings, _ctx: ValidationContext): Issue[] {
    return validateMultivariateTpe(settings);
  }

  /** Returns exactly `req.count` assignments: Sobol points for the first `n_startup_trials` trials, then TPE. */
  suggest(req: SuggestRequest): SuggestResult {
    return suggestTpe(req, readMultivariateTpe(req.settings, req.seed), this.memo);
  }
}
