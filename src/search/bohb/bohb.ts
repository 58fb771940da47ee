import type { Issue } from '../../common/issue.ts';
import { type HyperbandOptions, mergeDefaults, readScheduleOrThrow } from '../hyperband/hyperband.ts';
import type { FirstRungSampler } from '../hyperband/planner.ts';
import { planSuggestions } from '../hyperband/planner.ts';
import { parseHyperband } from '../hyperband/settings.ts';
import { derive, Rng } from '../rng.ts';
import type { SearchAlgorithm, Settings, SuggestRequest, SuggestResult, ValidationContext } from '../types.ts';
import { encodingFor } from './encoding.ts';
import { fitModel, type KdeModel, observationsByBudget } from './model.ts';
import { proposeConfig } from './sampler.ts';
import { bohbOptions, bohbRules } from './settings.ts';

/**
 * BOHB (Falkner et al. 2018): Hyperband's schedule with first-rung configurations proposed by a TPE-style KDE
 * model instead of at random. Promotions, waiting, resumption and Killed-trial reissue are Hyperband's.
 */
export class BohbSearch implements SearchAlgorithm {
  readonly name: string = 'bohb';
  private readonly defaults: Settings | undefined;

  /** A BOHB search; `options.defaults` fills in settings the Experiment leaves out. */
  constructor(options: HyperbandOptions = {}) {
    this.defaults = options.defaults;
  }

  /** Hyperband's checks plus the ranges of BOHB's model settings (HpBandSter's names). */
  validate(settings: Settings, ctx: ValidationContext): Issue[] {
    const merged = mergeDefaults(this.defaults, settings);
    return parseHyperband(this.name, merged, ctx.space, { extra: bohbRules, requireResource: true }).issues;
  }

  /** Like Hyperband's, with new first-rung configs from the model of the largest budget that has one. */
  suggest(req: SuggestRequest): SuggestResult {
    const config = readScheduleOrThrow(this.name, mergeDefaults(this.defaults, req.settings), req, bohbRules);
    const seed = config.randomState ?? req.seed;
    const encoding = encodingFor(req.space, config.resource);
    const options = bohbOptions(config.extra, encoding.dims.length);
    // Fitted at most once per request, and only when a fresh first-rung config is needed.
    let model: KdeModel | undefined | null = null;
    const sample: FirstRungSampler = (key) => {
      if (model === null) {
        const byBudget = observationsByBudget(req.trials, encoding, config.resource, req.objective);
        model = fitModel(byBudget, encoding, options);
      }
      const rng = new Rng(derive(seed, this.name, key.loop, key.bracket, key.slot));
      return proposeConfig({ space: req.space, encoding, model, options, rng });
    };
    return planSuggestions({ algorithm: this.name, config, seed, request: req, sample });
  }
}
