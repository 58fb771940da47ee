import type { Issue } from '../common/issue.ts';
import { assignmentKey, sampleAssignment, spaceSize } from './assignment.ts';
import { Combinations } from './combinations.ts';
import { drawFeasible, type Feasibility, feasibilityOf } from './constraints.ts';
import { derive, Rng } from './rng.ts';
import { parseSettings, parseSettingsOrThrow, randomStateRule, type SettingRules, seedFrom } from './settings.ts';
import type { Assignment, SearchSpace } from './space.ts';
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

/** Draws before giving up on avoiding a duplicate by resampling. */
const redraws = 32;
/** Up to this many combinations, a space that resampling cannot escape is enumerated to find the unvisited ones. */
const enumerateLimit = 100_000;

/**
 * Katib's `random` (hyperopt `rand.suggest`): every parameter drawn independently from its distribution.
 * The n-th trial of an experiment is drawn from a stream derived from (seed, n), so it is the same whatever
 * the batch sizes were. In a finite space it does not repeat an assignment until every one has been used.
 */
export class RandomSearch implements SearchAlgorithm {
  readonly name: string = 'random';
  /** Several objectives are fine: it reads no values, so it explores the same way for any number of them. */
  readonly capabilities: AlgorithmCapabilities = { multiObjective: true, constraints: true };

  /** Accepts only `random_state` (int ≥ 0), rejecting other names as Katib's hyperopt service does. */
  validate(settings: Settings, _ctx: ValidationContext): Issue[] {
    return parseSettings(this.name, settings, rules).issues;
  }

  /** Returns exactly `req.count` assignments, each satisfying `req.constraints` (rejection within each draw). */
  suggest(req: SuggestRequest): SuggestResult {
    const feasibility = feasibilityOf(req.space, req.constraints);
    const seed = seedFrom(parseSettingsOrThrow(this.name, req.settings, rules), req.seed);
    const size = spaceSize(req.space);
    const seen = new Set<string>();
    if (Number.isFinite(size)) for (const t of req.trials) seen.add(assignmentKey(req.space, t.params));
    const suggestions: Suggestion[] = [];
    for (let i = 0; i < req.count; i++) {
      const rng = new Rng(derive(seed, 'random', req.trials.length + i));
      const params = draw(req.space, rng, seen, size, feasibility, this.name);
      if (Number.isFinite(size)) seen.add(assignmentKey(req.space, params));
      suggestions.push({ params });
    }
    return { suggestions };
  }
}

/**
 * One draw that satisfies the constraints (when there are some) and avoids `seen` while the finite space still has
 * unused assignments. Without constraints the draws are exactly those of an unconstrained search.
 */
function draw(
  space: SearchSpace,
  rng: Rng,
  seen: ReadonlySet<string>,
  size: number,
  feasibility: Feasibility | undefined,
  name: string,
): Assignment {
  // Continuous spaces repeat with probability 0; a used-up finite space may repeat (Katib would too).
  const avoid = Number.isFinite(size) && seen.size < size;
  const ok = (p: Assignment): boolean =>
    (feasibility === undefined || feasibility.feasible(p)) && !(avoid && seen.has(assignmentKey(space, p)));
  let params = sampleAssignment(space, rng);
  if (!avoid && feasibility === undefined) return params;
  for (let i = 0; i < redraws && !ok(params); i++) params = sampleAssignment(space, rng);
  if (ok(params)) return params;
  if (avoid && size <= enumerateLimit) {
    // Nearly full (or mostly infeasible) small space: pick uniformly among the feasible ones left (seen may hold
    // assignments from outside the space, so "left" can be empty even though seen.size < size).
    const grid = new Combinations(space);
    const left: number[] = [];
    for (let k = 0; k < grid.size; k++) if (ok(grid.at(k))) left.push(k);
    if (left.length > 0) return grid.at(rng.choice(left));
  }
  // Unused assignments are out of reach: a repeat is fine, an infeasible point never is.
  return feasibility === undefined || feasibility.feasible(params)
    ? params
    : drawFeasible(() => sampleAssignment(space, rng), feasibility, name);
}
