import type { Issue } from '../../common/issue.ts';
import type { SearchSpace } from '../../search/space.ts';
import type { ObjectiveSpec, Settings, ValidationContext } from '../../search/types.ts';
import { toSearchSpace } from '../../spec/searchSpace.ts';
import type { FeasibleSpace, ParameterSpec } from '../../spec/types.ts';
import { checkParameterList } from '../../spec/validateParameters.ts';
import type {
  AlgorithmSpecMessage,
  DistributionName,
  ExperimentMessage,
  ParameterSpecMessage,
  ParameterTypeName,
} from './messages.ts';

/** Katib's webhook default for `parallelTrialCount`, used when the request carries 0 (never set). */
const defaultParallelTrialCount = 3;

const parameterTypes: Record<ParameterTypeName, ParameterSpec['parameterType']> = {
  UNKNOWN_TYPE: 'unknown',
  DOUBLE: 'double',
  INT: 'int',
  DISCRETE: 'discrete',
  CATEGORICAL: 'categorical',
};

const distributions: Record<DistributionName, FeasibleSpace['distribution'] | undefined> = {
  DISTRIBUTION_UNSPECIFIED: undefined,
  UNIFORM: 'uniform',
  LOG_UNIFORM: 'logUniform',
  NORMAL: 'normal',
  LOG_NORMAL: 'logNormal',
};

/** The Experiment of a request, read into the shapes the algorithms take. */
export interface ExperimentView {
  readonly name: string;
  readonly algorithmName: string;
  /** Settings in the order Katib sent them (Katib's status-held settings, like our state, come last). */
  readonly settings: Settings;
  readonly space: SearchSpace;
  readonly objective: ObjectiveSpec;
  readonly context: ValidationContext;
}

/**
 * A proto `ParameterSpec` as the YAML form `src/spec` reads: enum names become Katib's YAML words and proto3's
 * empty strings (unset) are left out, so `toSearchSpace` and the webhook checks see what the user wrote.
 */
export function toParameterSpec(p: ParameterSpecMessage): ParameterSpec {
  const fs = p.feasible_space;
  const space: FeasibleSpace = {};
  if (fs !== null) {
    if (fs.min !== '') space.min = fs.min;
    if (fs.max !== '') space.max = fs.max;
    if (fs.step !== '') space.step = fs.step;
    if (fs.list.length > 0) space.list = [...fs.list];
    const distribution = distributions[fs.distribution];
    if (distribution !== undefined) space.distribution = distribution;
  }
  return { name: p.name, parameterType: parameterTypes[p.parameter_type] ?? 'unknown', feasibleSpace: space };
}

/** `{name, value}` settings as a record (a later duplicate name wins, as Katib's status override does). */
export function settingsOf(spec: AlgorithmSpecMessage | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of spec?.algorithm_settings ?? []) out[s.name] = s.value;
  return out;
}

/**
 * Reads the request's Experiment. Issues use the Experiment's YAML paths (`spec.parameters[1].feasibleSpace.max`):
 * the parameter rules of Katib's webhook plus number parsing, which the algorithms rely on and Katib leaves to
 * each service; a missing objective; an unknown objective type.
 */
export function readExperiment(message: ExperimentMessage | null): { view: ExperimentView; issues: Issue[] } {
  const spec = message?.spec ?? null;
  const parameters = (spec?.parameter_specs?.parameters ?? []).map(toParameterSpec);
  const issues = checkParameterList(parameters, 'spec.parameters');
  if (parameters.length === 0) {
    issues.push({ path: 'spec.parameters', message: 'the Experiment has no parameters to search over.' });
  }
  const objectiveMessage = spec?.objective ?? null;
  const metricName = objectiveMessage?.objective_metric_name ?? '';
  if (metricName === '') {
    issues.push({ path: 'spec.objective.objectiveMetricName', message: 'the objective metric name is required.' });
  }
  const type = objectiveMessage?.type === 'MAXIMIZE' ? 'maximize' : 'minimize';
  if (objectiveMessage?.type !== 'MAXIMIZE' && objectiveMessage?.type !== 'MINIMIZE') {
    issues.push({ path: 'spec.objective.type', message: 'must be minimize or maximize.' });
  }
  // A space that failed the checks is still built (for the settings checks); it is never searched.
  const space = toSearchSpace(parameters);
  const objective: ObjectiveSpec = { type, metricName };
  const parallelTrialCount =
    spec !== null && spec.parallel_trial_count > 0 ? spec.parallel_trial_count : defaultParallelTrialCount;
  const context: ValidationContext =
    spec !== null && spec.max_trial_count > 0
      ? { space, objective, parallelTrialCount, maxTrialCount: spec.max_trial_count }
      : { space, objective, parallelTrialCount };
  const view: ExperimentView = {
    name: message?.name ?? '',
    algorithmName: spec?.algorithm?.algorithm_name ?? '',
    settings: settingsOf(spec?.algorithm ?? null),
    space,
    objective,
    context,
  };
  return { view, issues };
}
