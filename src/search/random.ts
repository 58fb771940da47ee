import type { Issue } from '../common/issue.ts';
import { assignmentKey, sampleAssignment, spaceSize } from './assignment.ts';
import { Combinations } from './combinations.ts';
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
  readonly capabilities: AlgorithmCapabilities = { multiObjective: true };

  /** Accepts only `random_state` (int ≥ 0), rejecting other names as Katib's hyperopt service does. */
  validate(settings: Settings, _ctx: ValidationContext): Issue[] {
    return parseSettings(this.name, settings, rules).issues;
  }

  /** Returns exactly `req.count` assignments. */
  suggest(req: SuggestRequest): SuggestResult {
    const seed = seedFrom(parseSettingsOrThrow(this.name, req.settings, rules), req.seed);
    const size = spaceSize(req.space);
    const seen = new Set<string>();
    if (Number.isFinite(size)) for (const t of req.trials) seen.add(assignmentKey(req.space, t.params));
    const suggestions: Suggestion[] = [];
    for (let i = 0; i < req.count; i++) {
      const rng = new Rng(derive(seed, 'random', req.trials.length + i));
      const params = draw(req.space, rng, seen, size);
      if (Number.isFinite(size)) seen.add(assignmentKey(req.space, params));
      suggestions.push({ params });
    }
    return { suggestions };
  }
}

/** One draw that avoids `seen` while the finite space still has unused assignments. */
function draw(space: SearchSpace, rng: Rng, seen: ReadonlySet<string>, size: number): Assignment {
  let params = sampleAssignment(space, rng);
  // Continuous spaces repeat with probability 0; a used-up finite space may repeat (Katib would too).
  if (!Number.isFinite(size) || seen.size >= size) return params;
  for (let i = 0; i < redraws && seen.has(assignmentKey(space, params)); i++) params = sampleAssignment(space, rng);
  if (!seen.has(assignmentKey(space, params)) || size > enumerateLimit) return params;
  // Nearly full small space: pick uniformly among what is left (seen may hold assignments from outside the
  // space, so "left" can be empty even though seen.size < size).
  const grid = new Combinations(space);
  const left: number[] = [];
  for (let k = 0; k < grid.size; k++) if (!seen.has(assignmentKey(space, grid.at(k)))) left.push(k);
  return left.length === 0 ? params : grid.at(rng.choice(left));
}
