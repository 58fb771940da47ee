import type { Issue } from '../../common/issue.ts';
import { throwIfInvalid } from '../earlyStopping/settings.ts';
import { RandomSearch } from '../random.ts';
import type {
  AlgorithmCapabilities,
  SearchAlgorithm,
  Settings,
  Suggestion,
  SuggestRequest,
  SuggestResult,
  ValidationContext,
} from '../types.ts';
import { parseAshaSettings } from './settings.ts';

/**
 * The proposal side of ASHA: Li et al. sample configurations at random and let the rungs do the work, so this is
 * {@link RandomSearch} (same stream per seed or `random_state`) that accepts ASHA's settings. It declares
 * `capabilities.earlyStopping: 'asha'`, so the controller runs the {@link AshaStopper}, which stops trials at the rungs. With `resource_name`, every
 * proposal sets that parameter to `max_resource`, the length every trial is started with.
 */
export class AshaSearch implements SearchAlgorithm {
  readonly name: string = 'asha';
  /** The rung rule (AshaStopper, `builtinEarlyStopping.asha`) runs beside it, reading the same settings. */
  readonly capabilities: AlgorithmCapabilities = { earlyStopping: 'asha' };
  readonly #random: RandomSearch = new RandomSearch();

  /** Checks eta, min_resource/grace_period, max_resource, random_state; resource_name must hold max_resource. */
  validate(settings: Settings, ctx: ValidationContext): Issue[] {
    return parseAshaSettings(settings, ctx).issues;
  }

  /** Exactly `req.count` random assignments, each started for `max_resource` steps when that is set. */
  suggest(req: SuggestRequest): SuggestResult {
    const { values, issues } = parseAshaSettings(req.settings);
    throwIfInvalid(this.name, issues);
    const settings: Settings = values.randomState === undefined ? {} : { random_state: String(values.randomState) };
    const drawn = this.#random.suggest({ ...req, settings }).suggestions;
    const { maxResource } = values;
    // `validate` rejects a resource_name outside the space; here such a name is left alone rather than added.
    const resourceName = req.space.some((p) => p.name === values.resourceName) ? values.resourceName : undefined;
    const suggestions = drawn.map((s): Suggestion => {
      if (maxResource === undefined) return s;
      const params = resourceName === undefined ? s.params : { ...s.params, [resourceName]: maxResource };
      return { params, budget: maxResource };
    });
    return { suggestions };
  }
}
