import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import { errorsOnly, type Issue } from '../../common/issue.ts';
import { sampleAssignment } from '../assignment.ts';
import { derive, Rng } from '../rng.ts';
import type { SettingRules } from '../settings.ts';
import type { SearchAlgorithm, Settings, SuggestRequest, SuggestResult, ValidationContext } from '../types.ts';
import { type FirstRungSampler, planSuggestions } from './planner.ts';
import { type HyperbandConfig, parseHyperband } from './settings.ts';

/** Options of {@link HyperbandSearch} and of the algorithms built on its schedule. */
export interface HyperbandOptions {
  /**
   * Settings used where the Experiment sets none (a preset, e.g. `{ r_l: '81', resource_name: 'epochs' }`).
   * The built-in registry passes none, so `r_l` and `resource_name` are required, as in Katib.
   */
  readonly defaults?: Settings;
}

/** Settings as the algorithm reads them: the Experiment's over the preset's. */
export function mergeDefaults(defaults: Settings | undefined, settings: Settings): Settings {
  return defaults === undefined ? settings : { ...defaults, ...settings };
}

/**
 * Reads the schedule settings for `suggest`, throwing `invalidArgument` with the issues when they are unusable.
 * A resource parameter missing from the space is tolerated here (the budget then travels only on the Suggestion).
 */
export function readScheduleOrThrow(
  algorithm: string,
  settings: Settings,
  req: SuggestRequest,
  extra: SettingRules = {},
): HyperbandConfig {
  const { config, issues } = parseHyperband(algorithm, settings, req.space, { extra, requireResource: false });
  const errors = errorsOnly(issues);
  if (config === undefined || errors.length > 0) {
    throw new WorkbenchError(ErrorCode.invalidArgument, `invalid settings for algorithm ${algorithm}`, {
      issues: errors,
    });
  }
  return config;
}

/**
 * Hyperband (Li et al. 2018) with real successive halving, under Katib's `hyperband` name and settings: brackets
 * s = s_max…0, each rung's best ⌊n/η⌋ promoted to η× the budget as new trials (`parent` = the trial promoted from).
 * Katib's version re-runs the top configs but never halves properly (kubeflow/katib#1389); this one does.
 */
export class HyperbandSearch implements SearchAlgorithm {
  readonly name: string = 'hyperband';
  private readonly defaults: Settings | undefined;

  /** A Hyperband search; `options.defaults` fills in settings the Experiment leaves out. */
  constructor(options: HyperbandOptions = {}) {
    this.defaults = options.defaults;
  }

  /** Katib's checks (r_l > 0, resource_name a parameter, eta) plus ours (eta ≥ 2, r_min ≤ r_l, budget types). */
  validate(settings: Settings, ctx: ValidationContext): Issue[] {
    return parseHyperband(this.name, mergeDefaults(this.defaults, settings), ctx.space, { requireResource: true })
      .issues;
  }

  /** The free slots of the rung in progress (fewer than `count` while a rung waits; `exhausted` after the last loop). */
  suggest(req: SuggestRequest): SuggestResult {
    const config = readScheduleOrThrow(this.name, mergeDefaults(this.defaults, req.settings), req);
    const seed = config.randomState ?? req.seed;
    // Each first-rung config comes from its own stream keyed by its slot: the same whatever the batch sizes,
    // and a new stream (a "new seed") for every loop.
    const sample: FirstRungSampler = (key) => ({
      params: sampleAssignment(req.space, new Rng(derive(seed, this.name, key.loop, key.bracket, key.slot))),
      explain: { sampler: 'random' },
    });
    return planSuggestions({ algorithm: this.name, config, seed, request: req, sample });
  }
}
