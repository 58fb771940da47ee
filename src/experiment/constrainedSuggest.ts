/**
 * How the controller asks for suggestions when the experiment has parameter constraints. An algorithm that declares
 * `capabilities.constraints` gets them in its request and is held to them (an infeasible proposal fails the
 * experiment: it broke its contract). Any other is asked without them, its infeasible proposals are discarded, and it
 * is asked again (with a derived seed and its latest state) until enough feasible ones came or
 * {@link maxInfeasibleDraws} proposals in a row were infeasible.
 */
import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import { type Feasibility, feasibilityOf, infeasibleError, maxInfeasibleDraws } from '../search/constraints.ts';
import { loadParser } from '../search/expression.ts';
import { derive } from '../search/rng.ts';
import type { Suggestion, SuggestRequest, SuggestResult } from '../search/types.ts';

/** Where suggestions come from (the controller's suggestion host). */
export interface SuggestFrom {
  suggest(req: SuggestRequest): Promise<SuggestResult>;
}

/**
 * Answers `req` from `source`, never returning a suggestion that violates `req.constraints`; without constraints it
 * is `source.suggest(req)`. `supports` is the algorithm's `capabilities.constraints`, `algorithm` its name (for errors).
 */
export async function constrainedSuggest(
  source: SuggestFrom,
  req: SuggestRequest,
  options: { readonly supports: boolean; readonly algorithm: string },
): Promise<SuggestResult> {
  const { constraints, ...plain } = req;
  if (constraints === undefined || constraints.length === 0) return source.suggest(plain);
  // A resumed run may not have validated the spec in this process: load the parser here (once).
  await loadParser();
  const feasibility = feasibilityOf(req.space, constraints)!;
  if (options.supports) {
    const result = await source.suggest(req);
    for (const s of result.suggestions) {
      const c = feasibility.violated(s.params);
      if (c !== undefined) {
        throw new WorkbenchError(
          ErrorCode.algorithmFailed,
          `algorithm '${options.algorithm}' declares capabilities.constraints but proposed ${JSON.stringify(s.params)}, which violates '${c.expression}'`,
        );
      }
    }
    return result;
  }
  return rejectionSampling(source, plain, feasibility, options.algorithm);
}

async function rejectionSampling(
  source: SuggestFrom,
  req: SuggestRequest,
  feasibility: Feasibility,
  algorithm: string,
): Promise<SuggestResult> {
  const kept: Suggestion[] = [];
  let state = req.state;
  let infeasibleInARow = 0;
  for (let round = 0; kept.length < req.count; round++) {
    // Round 0 is the plain request, so an answer that is all feasible is what the algorithm gives unconstrained.
    const seed = round === 0 ? req.seed : derive(req.seed, 'constraints', round);
    const result = await source.suggest({
      ...req,
      count: req.count - kept.length,
      seed,
      ...(state === undefined ? {} : { state }),
    });
    if (result.state !== undefined) state = result.state;
    for (const s of result.suggestions) {
      const violated = feasibility.violated(s.params);
      if (violated === undefined) {
        kept.push(s);
        infeasibleInARow = 0;
      } else if (++infeasibleInARow >= maxInfeasibleDraws) {
        throw infeasibleError(algorithm, infeasibleInARow, violated);
      }
    }
    // An algorithm that is used up, or answers nothing, is not asked again in this request.
    if (result.exhausted === true || result.suggestions.length === 0) {
      return {
        suggestions: kept,
        ...(state === undefined ? {} : { state }),
        ...(result.exhausted ? { exhausted: true } : {}),
      };
    }
  }
  return { suggestions: kept, ...(state === undefined ? {} : { state }) };
}
