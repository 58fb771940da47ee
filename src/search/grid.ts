import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import type { Issue } from '../common/issue.ts';
import { assignmentKey } from './assignment.ts';
import { Combinations } from './combinations.ts';
import { feasibilityOf } from './constraints.ts';
import { IndexPermutation } from './permutation.ts';
import { parseSettings, parseSettingsOrThrow, randomStateRule, type SettingRules } from './settings.ts';
import type { SearchSpace } from './space.ts';
import type {
  AlgorithmCapabilities,
  SearchAlgorithm,
  Settings,
  Suggestion,
  SuggestRequest,
  SuggestResult,
  ValidationContext,
} from './types.ts';

const rules: SettingRules = { random_state: randomStateRule };

/**
 * Katib's `grid` (Optuna's GridSampler over `convert_to_combinations`): every combination of grid points once.
 * Without `random_state` the order is `itertools.product`'s (last parameter fastest); with it, a seeded shuffle
 * (Optuna shuffles always, with an unseeded RNG unless random_state is set; we prefer a readable default order).
 * Unlike Katib, which only guards exhaustion through maxTrialCount, a finished grid reports `exhausted`.
 */
export class GridSearch implements SearchAlgorithm {
  readonly name: string = 'grid';
  /** Several objectives are fine: it reads no values, so it explores the same way for any number of them. */
  readonly capabilities: AlgorithmCapabilities = { multiObjective: true, constraints: true };

  /** Katib's checks: every double has a step, and maxTrialCount is not above the number of combinations. */
  validate(settings: Settings, ctx: ValidationContext): Issue[] {
    const issues = parseSettings(this.name, settings, rules).issues;
    const missing = stepIssues(ctx.space);
    issues.push(...missing);
    if (missing.length > 0) return issues;
    const grid = new Combinations(ctx.space);
    if (!grid.safe) {
      issues.push({
        path: 'spec.parameters',
        message: `the grid has about ${grid.size.toExponential(2)} combinations, more than grid search can index (2^53)`,
        fix: 'Use larger steps or fewer parameters, or another algorithm such as random or sobol.',
      });
    } else if (ctx.maxTrialCount !== undefined && ctx.maxTrialCount > grid.size) {
      issues.push({
        path: 'spec.maxTrialCount',
        message: `Max Trial Count: ${ctx.maxTrialCount} > all possible search combinations: ${grid.size}`,
        fix: `Set maxTrialCount to at most ${grid.size}, or make the grid finer.`,
      });
    }
    return issues;
  }

  /**
   * The next unvisited combinations in visiting order, leaving out those that violate `req.constraints`;
   * `exhausted` once none is left after this batch.
   */
  suggest(req: SuggestRequest): SuggestResult {
    const feasibility = feasibilityOf(req.space, req.constraints);
    const values = parseSettingsOrThrow(this.name, req.settings, rules);
    const missing = stepIssues(req.space);
    if (missing.length > 0) {
      throw new WorkbenchError(ErrorCode.invalidArgument, 'grid search needs a step on every double parameter', {
        issues: missing,
      });
    }
    const grid = new Combinations(req.space);
    if (!grid.safe) throw new WorkbenchError(ErrorCode.invalidArgument, 'the grid is too large to index');
    const order = typeof values.random_state === 'number' ? values.random_state : null;
    const permutation = order === null ? undefined : new IndexPermutation(grid.size, order);
    const at = (position: number) => grid.at(permutation ? permutation.at(position) : position);

    // No state is kept: scanning from the start costs at most one step per trial in the history plus one per
    // suggestion, the same order as reading the history at all, and it cannot drift from what was really run.
    const visited = new Set(req.trials.map((t) => assignmentKey(req.space, t.params)));
    let position = 0;
    const suggestions: Suggestion[] = [];
    while (position < grid.size && suggestions.length < req.count) {
      const params = at(position);
      const key = assignmentKey(req.space, params);
      position++;
      if (visited.has(key) || (feasibility !== undefined && !feasibility.feasible(params))) continue;
      visited.add(key);
      suggestions.push({ params });
    }
    // Look past used positions so that `exhausted` is exact: true as soon as nothing unused is left.
    const unused = (p: number) => {
      const params = at(p);
      return (
        !visited.has(assignmentKey(req.space, params)) && (feasibility === undefined || feasibility.feasible(params))
      );
    };
    while (position < grid.size && !unused(position)) position++;
    return position >= grid.size ? { suggestions, exhausted: true } : { suggestions };
  }
}

function stepIssues(space: SearchSpace): Issue[] {
  const issues: Issue[] = [];
  space.forEach((p, i) => {
    if (p.domain.kind === 'double' && !(p.domain.step !== undefined && p.domain.step > 0)) {
      issues.push({
        path: `spec.parameters[${i}].feasibleSpace.step`,
        message: `parameter ${p.name} is a double without a step; grid search needs one to enumerate its values`,
        fix: `Add feasibleSpace.step (for example ${niceStep(p.domain.min, p.domain.max)}).`,
      });
    }
  });
  return issues;
}

/** A step giving about ten grid points, as a hint in the issue. */
function niceStep(min: number, max: number): number {
  const span = max - min;
  if (!(span > 0)) return 1;
  return 10 ** Math.floor(Math.log10(span / 10));
}
