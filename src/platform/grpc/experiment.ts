import type { Issue } from '../../common/issue.ts';
import type { Settings } from '../../search/types.ts';
import { type ExperimentConfig, parseExperiment } from '../../spec/config.ts';
import type {
  AlgorithmSpec,
  ExperimentManifest,
  FeasibleSpace,
  NasConfig,
  ObjectiveSpecKatib,
  ParameterSpec,
} from '../../spec/types.ts';
import type {
  AlgorithmSpecMessage,
  DistributionName,
  ExperimentMessage,
  NasConfigMessage,
  ObjectiveTypeName,
  ParameterSpecMessage,
  ParameterTypeName,
} from './messages.ts';
import { type ServerState, splitSettings } from './state.ts';

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

const objectiveTypes: Record<ObjectiveTypeName, string> = {
  MINIMIZE: 'minimize',
  MAXIMIZE: 'maximize',
  // Kept as Katib's enum name so the objective check's message says what was sent.
  UNKNOWN: 'UNKNOWN',
};

/**
 * A request's Experiment as the services use it: the {@link ExperimentConfig} every front end uses (parsed by
 * `parseExperiment`, as `hpo validate` parses a YAML file), plus what only Katib's API carries: the server's own
 * state, which Katib keeps in the algorithm settings between calls (state.ts). The trial history comes with each
 * request, not with the Experiment (history.ts).
 */
export interface KatibExperiment {
  readonly config: ExperimentConfig;
  /** The decoded `hpo_state` setting, already removed from `config.algorithm.settings`; undefined on a first call. */
  readonly state: ServerState | undefined;
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

/**
 * A proto `NasConfig` as the YAML `nasConfig`, as Katib's controller built it from the YAML: proto3's 0 layers and
 * empty size lists (unset) are left out, so the checks of `src/spec` and the NAS algorithms name what is missing.
 */
export function toNasConfig(nas: NasConfigMessage): NasConfig {
  const g = nas.graph_config;
  const graphConfig = {
    ...(g === null || g.num_layers === 0 ? {} : { numLayers: g.num_layers }),
    ...(g === null || g.input_sizes.length === 0 ? {} : { inputSizes: [...g.input_sizes] }),
    ...(g === null || g.output_sizes.length === 0 ? {} : { outputSizes: [...g.output_sizes] }),
  };
  const operations = (nas.operations?.operation ?? []).map((op) => {
    const parameters = (op.parameter_specs?.parameters ?? []).map(toParameterSpec);
    // A parameterless operation (DARTS's skip_connection) is written without `parameters` in Katib's YAML.
    return { operationType: op.operation_type, ...(parameters.length === 0 ? {} : { parameters }) };
  });
  return { ...(Object.keys(graphConfig).length === 0 ? {} : { graphConfig }), operations };
}

/** `{name, value}` settings as a record (a later duplicate name wins, as Katib's status override does). */
export function settingsOf(spec: AlgorithmSpecMessage | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of spec?.algorithm_settings ?? []) out[s.name] = s.value;
  return out;
}

function settingList(settings: Settings): { name: string; value: string }[] {
  return Object.entries(settings).map(([name, value]) => ({ name, value }));
}

/**
 * The Experiment manifest a proto `Experiment` stands for, field for field, as Katib's controller built the message
 * from it (its ConvertExperiment). What proto3 cannot carry is read as Katib's YAML leaves it unset: `goal` 0,
 * `parallel_trial_count` 0 and `max_trial_count` 0 mean unset; an unset objective message reads as an empty one (so
 * its checks name the missing type and metric). Katib's message has no namespace (the manifest takes `default`),
 * no metric strategies (Katib applies them before it sends observations, so each metric takes the default, the
 * objective's direction), no trial template and no collector. A NAS Experiment's `nas_config` becomes `nasConfig`
 * (its `parameter_specs` is then empty, which reads as no `parameters`). `settings` replaces the algorithm's settings (the
 * caller has taken the server's state out).
 */
export function toManifest(message: ExperimentMessage | null, settings: Settings): ExperimentManifest {
  const spec = message?.spec ?? null;
  const o = spec?.objective ?? null;
  const objective = {
    type: objectiveTypes[o?.type ?? 'UNKNOWN'] ?? 'UNKNOWN',
    objectiveMetricName: o?.objective_metric_name ?? '',
    ...(o === null || o.goal === 0 ? {} : { goal: o.goal }),
    ...(o === null || o.additional_metric_names.length === 0
      ? {}
      : { additionalMetricNames: [...o.additional_metric_names] }),
  } as ObjectiveSpecKatib;
  const algorithm: AlgorithmSpec = {
    algorithmName: spec?.algorithm?.algorithm_name ?? '',
    algorithmSettings: settingList(settings),
  };
  const es = spec?.early_stopping ?? null;
  return {
    apiVersion: 'kubeflow.org/v1beta1',
    kind: 'Experiment',
    metadata: { name: message?.name ?? '' },
    spec: {
      parameters: (spec?.parameter_specs?.parameters ?? []).map(toParameterSpec),
      objective,
      algorithm,
      ...(es === null || es.algorithm_name === ''
        ? {}
        : { earlyStopping: { algorithmName: es.algorithm_name, algorithmSettings: settingList(settingsOf(es)) } }),
      ...(spec === null || spec.parallel_trial_count === 0 ? {} : { parallelTrialCount: spec.parallel_trial_count }),
      ...(spec === null || spec.max_trial_count === 0 ? {} : { maxTrialCount: spec.max_trial_count }),
      ...(spec === null || spec.nas_config === null ? {} : { nasConfig: toNasConfig(spec.nas_config) }),
    },
  };
}

/** What {@link readExperiment} checks the Experiment against. */
export interface ReadExperimentOptions {
  /** The suggestion algorithms this server runs (webhook rule 14 with this server as the registry). */
  readonly algorithms: ReadonlySet<string>;
}

/**
 * Parses a request's Experiment with `parseExperiment`, the same defaults and checks `hpo validate` runs on a YAML
 * file, after taking the server's state out of its settings. Issues carry the Experiment's YAML paths
 * (`spec.parameters[1].feasibleSpace.max`); `experiment` is undefined when any is an error. The early-stopping
 * algorithm is not this service's to judge (Katib's webhook checked its name against katib-config), so any name
 * passes here. The trial template and collector are Katib's business and absent from the message, so unchecked.
 */
export function readExperiment(
  message: ExperimentMessage | null,
  options: ReadExperimentOptions,
): { experiment: KatibExperiment | undefined; issues: readonly Issue[] } {
  const spec = message?.spec ?? null;
  const { settings, state } = splitSettings(settingsOf(spec?.algorithm ?? null), spec?.algorithm?.algorithm_name ?? '');
  const esName = spec?.early_stopping?.algorithm_name ?? '';
  const { config, issues } = parseExperiment(toManifest(message, settings), {
    algorithms: options.algorithms,
    earlyStopping: new Set(esName === '' ? [] : [esName]),
    inProcess: true,
  });
  return { experiment: config === undefined ? undefined : { config, state }, issues };
}
