import type { Issue } from '../../common/issue.ts';
import type {
  SearchAlgorithm,
  Settings,
  Suggestion,
  SuggestRequest,
  SuggestResult,
  ValidationContext,
} from '../types.ts';
import { firstGeneration, nextGeneration } from './generation.ts';
import { bindTrials, collectOutcomes } from './members.ts';
import { freeMemberName } from './names.ts';
import { readPbtSettings, validatePbt } from './settings.ts';
import type { PbtMember, PbtState } from './state.ts';
import { restoreState } from './state.ts';

/** The label Katib's pbt service puts the generation in. */
export const generationLabel = 'pbt.suggestion.katib.kubeflow.org/generation';
/** The label Katib's pbt service puts the parent trial in ('' in generation 0 here; Katib leaves it out). */
export const parentLabel = 'pbt.suggestion.katib.kubeflow.org/parent';

/** What `hpo explain` shows for a PBT trial. */
function explainOf(generation: number, m: PbtMember): Record<string, unknown> {
  if (m.attempt > 0) {
    return { generation, action: 'requeue', from: m.failed, requeued: m.action, attempt: m.attempt };
  }
  const out: Record<string, unknown> = { generation, action: m.action };
  if (m.parent !== undefined) out.from = m.parent;
  if (m.explore !== undefined) out.explore = { ...m.explore };
  return out;
}

function toSuggestion(generation: number, m: PbtMember, name: string): Suggestion {
  const labels = { [generationLabel]: String(generation), [parentLabel]: m.parent ?? '' };
  const base = { params: { ...m.params }, name, labels, explain: explainOf(generation, m) };
  return m.parent === undefined ? base : { ...base, parent: m.parent };
}

/**
 * Katib's `pbt`: population-based training (Jaderberg et al. 2017) over generations of `n_population` trials.
 * A generation is proposed once its predecessor is complete, so `suggest` returns fewer than `count` (and
 * not `exhausted`) while it waits; the controller asks again when a trial ends. Each trial names its `parent`,
 * whose checkpoint directory (`suggestion_trial_dir`) the controller copies for it. The search never ends on its
 * own (as in Katib, `maxTrialCount` bounds it) unless `n_generations` is set. All scheduling lives in the state.
 */
export class PbtSearch implements SearchAlgorithm {
  readonly name: string = 'pbt';

  /** Katib's setting checks (required names, `n_population` ≥ 5, thresholds in [0, 1]) plus ours; see settings.ts. */
  validate(settings: Settings, ctx: ValidationContext): Issue[] {
    return validatePbt(settings, ctx);
  }

  /** Reads the trials into the current generation, builds the next one when it is complete, and proposes open members. */
  suggest(req: SuggestRequest): SuggestResult {
    const cfg = readPbtSettings(req.settings, req.seed);
    let state: PbtState =
      req.state === undefined ? firstGeneration(req.space, cfg) : restoreState(req.state, cfg.population);
    if (state.finished) return { suggestions: [], state, exhausted: true };
    bindTrials(state, req.trials, req.space);
    collectOutcomes(state, req.trials, req.objective);
    if (state.members.every((m) => m.status === 'done')) {
      if (cfg.generations !== undefined && state.generation + 1 >= cfg.generations) {
        state.finished = true;
        return { suggestions: [], state, exhausted: true };
      }
      state = nextGeneration(state, req.space, cfg);
    }
    const taken = new Set(req.trials.map((t) => t.name));
    const suggestions: Suggestion[] = [];
    for (const m of state.members) {
      if (suggestions.length >= req.count) break;
      if (m.status !== 'open') continue;
      const name = freeMemberName(
        req.experiment,
        { generation: state.generation, slot: m.slot, retry: m.attempt },
        taken,
      );
      taken.add(name);
      m.name = name;
      m.status = 'issued';
      state.issued.push(m.slot);
      suggestions.push(toSuggestion(state.generation, m, name));
    }
    return { suggestions, state };
  }
}
