import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import type { Issue } from '../../common/issue.ts';
import { parseSettings, randomStateRule, type SettingRules, seedFrom, settingPath } from '../settings.ts';
import type { Settings } from '../types.ts';
import type { AcquisitionName } from './acquisition.ts';

/**
 * Katib's `bayesianoptimization` settings (scikit-optimize's `Optimizer` arguments, REFERENCE.md §2.1), checked
 * with Katib's value lists, and then narrowed to what this implementation does: only the GP surrogate, and no
 * per-second acquisitions (EIps/PIps need trial durations the algorithm is not given).
 */

const algorithm = 'bayesianoptimization';

const rules: SettingRules = {
  base_estimator: { type: 'enum', values: ['GP', 'RF', 'ET', 'GBRT'] },
  n_initial_points: { type: 'int', min: 0 },
  acq_func: { type: 'enum', values: ['gp_hedge', 'LCB', 'EI', 'PI', 'EIps', 'PIps'] },
  acq_optimizer: { type: 'enum', values: ['auto', 'sampling', 'lbfgs'] },
  random_state: randomStateRule,
  // hpo-workbench extension (Katib has no such setting): GP-BO inside a TuRBO-style trust region (trustRegion.ts).
  trust_region: { type: 'enum', values: ['auto', 'true', 'false'] },
};

/** The parsed settings the GP search runs with. */
export interface GpOptions {
  /** Trials proposed from the scrambled Sobol design before the model takes over (skopt's default 10). */
  readonly initialPoints: number;
  readonly acquisition: AcquisitionName | 'gp_hedge';
  /** `sampling` scores the candidate sweep only; `auto` and `lbfgs` also refine the best candidates by gradient. */
  readonly localSearch: boolean;
  readonly seed: number;
  /**
   * `trust_region`: `auto` (default) confines proposals to a trust region from {@link trustRegionParameters}
   * parameters on, `on`/`off` always/never.
   */
  readonly trustRegion: 'auto' | 'on' | 'off';
}

/** With `trust_region: auto`, spaces of at least this many parameters search inside a trust region. */
export const trustRegionParameters = 20;

/** Whether a search over `parameters` parameters proposes inside a trust region under `options`. */
export function usesTrustRegion(options: Pick<GpOptions, 'trustRegion'>, parameters: number): boolean {
  return options.trustRegion === 'on' || (options.trustRegion === 'auto' && parameters >= trustRegionParameters);
}

/** Every problem with `settings`: Katib's checks plus the values Katib accepts that this implementation lacks. */
export function validateGpSettings(settings: Settings): Issue[] {
  const { values, issues } = parseSettings(algorithm, settings, rules);
  const estimator = values.base_estimator;
  if (estimator !== undefined && estimator !== 'GP') {
    issues.push({
      path: settingPath(settings, 'base_estimator', 'value'),
      message: `base_estimator ${estimator} is not implemented: only the Gaussian-process surrogate (GP) is`,
      fix: 'Remove base_estimator or set it to GP; for tree-based models use algorithm tpe or multivariate-tpe.',
    });
  }
  const acq = values.acq_func;
  if (acq === 'EIps' || acq === 'PIps') {
    issues.push({
      path: settingPath(settings, 'acq_func', 'value'),
      message: `acq_func ${acq} is not implemented: it needs each trial's duration, which the algorithm is not given`,
      fix: `Use ${acq === 'EIps' ? 'EI' : 'PI'}, LCB or gp_hedge.`,
    });
  }
  return issues;
}

/** The options for `suggest`, or an `invalidArgument` error listing every issue. */
export function gpOptions(settings: Settings, requestSeed: number): GpOptions {
  const issues = validateGpSettings(settings);
  if (issues.length > 0) {
    throw new WorkbenchError(ErrorCode.invalidArgument, `invalid settings for algorithm ${algorithm}`, { issues });
  }
  const { values } = parseSettings(algorithm, settings, rules);
  const acq = values.acq_func;
  return {
    initialPoints: typeof values.n_initial_points === 'number' ? values.n_initial_points : 10,
    acquisition: acq === 'EI' || acq === 'LCB' || acq === 'PI' ? acq : 'gp_hedge',
    localSearch: values.acq_optimizer !== 'sampling',
    seed: seedFrom(values, requestSeed),
    trustRegion: values.trust_region === 'true' ? 'on' : values.trust_region === 'false' ? 'off' : 'auto',
  };
}
