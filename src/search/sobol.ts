import type { Issue } from '../common/issue.ts';
import { assignmentFromUnit } from './assignment.ts';
import { feasibilityOf, infeasibleError, maxInfeasibleDraws } from './constraints.ts';
import { parseSettings, parseSettingsOrThrow, randomStateRule, type SettingRules, seedFrom } from './settings.ts';
import { maxSobolDimensions } from './sobolDirections.ts';
import { SobolSequence } from './sobolSequence.ts';
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
 * Katib's `sobol` (goptuna's Sobol sampler): quasi-random points that fill the space more evenly than random
 * draws. The n-th trial of an experiment takes the n-th point of a Sobol sequence scrambled by the seed
 * (`random_state`, else the request seed), decoded per parameter with `fromUnit`; batch sizes do not matter.
 */
export class SobolSearch implements SearchAlgorithm {
  readonly name: string = 'sobol';
  /** Several objectives are fine: it reads no values, so it explores the same way for any number of them. */
  readonly capabilities: AlgorithmCapabilities = { multiObjective: true, constraints: true };

  /**
   * Katib's goptuna ignores every setting; we check `random_state` when given (int ≥ 0) and ignore other names.
   * A space with more parameters than the embedded direction numbers cover is rejected.
   */
  validate(settings: Settings, ctx: ValidationContext): Issue[] {
    const issues = parseSettings(this.name, settings, rules, { unknown: 'ignore' }).issues;
    if (ctx.space.length > maxSobolDimensions) {
      issues.push({
        path: 'spec.parameters',
        message: `sobol supports at most ${maxSobolDimensions} parameters, the experiment has ${ctx.space.length}`,
        fix: 'Use random search for very wide spaces.',
      });
    }
    return issues;
  }

  /**
   * Returns exactly `req.count` assignments: points `req.trials.length` … `req.trials.length + count - 1`. With
   * constraints it walks on past infeasible points, so the next index to read is kept in the state.
   */
  suggest(req: SuggestRequest): SuggestResult {
    const values = parseSettingsOrThrow(this.name, req.settings, rules, { unknown: 'ignore' });
    if (req.space.length === 0) return { suggestions: Array.from({ length: req.count }, () => ({ params: {} })) };
    const sequence = new SobolSequence(req.space.length, seedFrom(values, req.seed));
    const feasibility = feasibilityOf(req.space, req.constraints);
    if (feasibility !== undefined) {
      // The points skipped are never proposed, so the next index cannot be derived from the history's length.
      let index = nextIndexOf(req.state) ?? req.trials.length;
      const suggestions: Suggestion[] = [];
      let skipped = 0;
      while (suggestions.length < req.count) {
        const params = assignmentFromUnit(req.space, sequence.point(index));
        const violated = feasibility.violated(params);
        if (violated === undefined) {
          suggestions.push({ params, explain: { sobolIndex: index } });
          skipped = 0;
        } else if (++skipped >= maxInfeasibleDraws) throw infeasibleError(this.name, skipped, violated);
        index++;
      }
      return { suggestions, state: { sobolNext: index } };
    }
    const suggestions: Suggestion[] = [];
    for (let i = 0; i < req.count; i++) {
      const index = req.trials.length + i;
      suggestions.push({
        params: assignmentFromUnit(req.space, sequence.point(index)),
        explain: { sobolIndex: index },
      });
    }
    return { suggestions };
  }
}

/** The next Sobol index stored by a constrained request, if the state holds one. */
function nextIndexOf(state: unknown): number | undefined {
  const next = typeof state === 'object' && state !== null ? (state as { sobolNext?: unknown }).sobolNext : undefined;
  return typeof next === 'number' && Number.isSafeInteger(next) && next >= 0 ? next : undefined;
}
