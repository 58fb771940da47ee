/**
 * One parsed Experiment: `parseExperiment` applies Katib's defaults, runs every webhook rule, and resolves what
 * the controller, the executors, the dry run and the Katib gRPC service need into an {@link ExperimentConfig},
 * so none of them reads the raw manifest or re-derives a field its own way.
 */
import { errorsOnly, type Issue } from '../common/issue.ts';
import type { ParameterConstraint } from '../search/constraints.ts';
import type { NasSpace } from '../search/nas/space.ts';
import { derive } from '../search/rng.ts';
import type { SearchSpace } from '../search/space.ts';
import type { ObjectiveSpec, Settings, SuggestRequest, ValidationContext } from '../search/types.ts';
import { type CollectorSpec, collectorSpecFrom } from './collectorSpec.ts';
import { applyDefaults, defaultParallelTrialCount } from './defaults.ts';
import { toNasSpace } from './nasSpace.ts';
import { isRecord } from './read.ts';
import { toSearchSpace } from './searchSpace.ts';
import type { DerivedMetric, ExperimentManifest, NasConfig, ObjectiveSpecKatib, TrialTemplate } from './types.ts';
import { type ValidateOptions, validateExperiment } from './validate.ts';

/** The collector: a kind that runs locally, flattened, or one only a cluster provides (Prometheus, Custom). */
export type CollectorConfig = CollectorSpec | { readonly kind: 'PrometheusMetric' | 'Custom' };

function collectorConfigOf(manifest: ExperimentManifest): CollectorConfig {
  const kind = manifest.spec.metricsCollectorSpec?.collector?.kind;
  return kind === 'PrometheusMetric' || kind === 'Custom'
    ? { kind }
    : collectorSpecFrom(manifest.spec.metricsCollectorSpec);
}

/** Katib's metric strategy of one metric. */
export type MetricStrategyName = 'min' | 'max' | 'latest';

/**
 * How an experiment's algorithm seed is chosen: `random_state` when it is a whole number (taken modulo 2^32), or
 * drawn once when the experiment is created and stored with it (a resumed run continues the same sequence).
 */
export type SeedPolicy = { readonly kind: 'fixed'; readonly seed: number } | { readonly kind: 'drawn' };

/** An Experiment as everything past validation uses it. Plain data; `manifest` is the defaulted object stored. */
export interface ExperimentConfig {
  readonly name: string;
  readonly namespace: string;
  /** The manifest with Katib's defaults applied: what is stored, rendered into trials and submitted. */
  readonly manifest: ExperimentManifest;
  /**
   * The objectives, primary (Katib's `objective`) first, then `objective.additionalObjectives` (our extension) in
   * order; each metric name appears once.
   */
  readonly objectives: readonly ObjectiveSpec[];
  /**
   * Every metric kept: the objectives' and `additionalMetricNames`, each once, and the derived metrics (which the
   * controller computes; collectors look only for the others).
   */
  readonly metricNames: readonly string[];
  /** `spec.objective.derivedMetrics` (ours): metrics computed from the collected ones when a trial ends. */
  readonly derivedMetrics?: readonly DerivedMetric[];
  /** `spec.parameterConstraints` (ours): conditions every trial's parameters satisfy. */
  readonly constraints?: readonly ParameterConstraint[];
  /** Each metric's strategy (Katib's default: the objective's direction, for every metric). */
  readonly metricStrategies: Readonly<Record<string, MetricStrategyName>>;
  readonly space: SearchSpace;
  /** Katib's `nasConfig` as written, for NAS algorithms. */
  readonly nasConfig?: NasConfig;
  /** `nasConfig` as the NAS algorithms read it (their requests and validation carry it); absent without one. */
  readonly nas?: NasSpace;
  readonly algorithm: { readonly name: string; readonly settings: Settings };
  readonly earlyStopping?: { readonly name: string; readonly settings: Settings };
  readonly budget: {
    readonly maxTrialCount?: number;
    readonly parallelTrialCount: number;
    readonly maxFailedTrialCount?: number;
  };
  /** The metrics collector, flattened, with Katib's default paths. */
  readonly collector: CollectorConfig;
  readonly trialTemplate?: TrialTemplate;
  readonly seed: SeedPolicy;
}

/** What {@link parseExperiment} returns: a config when there is no error, and every issue (warnings too). */
export interface ParsedExperiment {
  readonly config: ExperimentConfig | undefined;
  readonly issues: readonly Issue[];
}

function settingsOf(list: readonly { name: string; value: string }[] | undefined): Settings {
  const out: Record<string, string> = {};
  for (const s of list ?? []) out[s.name] = s.value;
  return out;
}

/** The seed policy of an algorithm's settings (see {@link SeedPolicy}). */
export function seedPolicyOf(settings: Settings): SeedPolicy {
  const state = settings.random_state;
  return state !== undefined && /^\d+$/.test(state) ? { kind: 'fixed', seed: Number(state) >>> 0 } : { kind: 'drawn' };
}

/**
 * The seed of a service that keeps no experiment record (the Katib gRPC service, a dry run): the fixed seed,
 * else one derived from the experiment's name, so repeated calls agree.
 */
export function statelessSeed(config: Pick<ExperimentConfig, 'name' | 'seed'>): number {
  return config.seed.kind === 'fixed' ? config.seed.seed : derive(0, 'katib-suggestion', config.name);
}

/**
 * Defaults, validates and resolves an Experiment. `issues` holds every problem (errors and warnings, with
 * paths); `config` is undefined when any is an error.
 */
export function parseExperiment(input: unknown, options: ValidateOptions): ParsedExperiment {
  if (!isRecord(input)) {
    return { config: undefined, issues: validateExperiment(input as ExperimentManifest, options) };
  }
  const manifest = applyDefaults(input as unknown as ExperimentManifest);
  const issues = validateExperiment(manifest, options);
  if (errorsOnly(issues).length > 0) return { config: undefined, issues };
  return { config: configOf(manifest), issues };
}

/** What {@link objectivesOf} resolves: the objectives, the metrics collected and each metric's strategy. */
export type ResolvedObjectives = Pick<ExperimentConfig, 'objectives' | 'metricNames' | 'metricStrategies'>;

/**
 * The objectives of a defaulted `spec.objective` (primary first, then `additionalObjectives`), every metric kept and
 * each metric's strategy. `configOf` uses it; readers of a stored experiment (`hpo trials`, the winner document) call
 * it alone, without resolving the rest of the spec.
 */
export function objectivesOf(objective: ObjectiveSpecKatib): ResolvedObjectives {
  const objectives: ObjectiveSpec[] = [objective, ...(objective.additionalObjectives ?? [])].map((o) => ({
    type: o.type,
    metricName: o.objectiveMetricName,
    ...(o.goal === undefined || o.goal === null ? {} : { goal: o.goal }),
  }));
  // Additional objectives' metrics are collected even when `additionalMetricNames` leaves them out.
  const metricNames = [
    ...new Set([
      ...objectives.map((o) => o.metricName),
      ...(objective.additionalMetricNames ?? []).filter((n) => n !== objective.objectiveMetricName),
      ...(objective.derivedMetrics ?? []).map((d) => d.name),
    ]),
  ];
  const metricStrategies: Record<string, MetricStrategyName> = {};
  for (const name of metricNames) {
    const written = objective.metricStrategies?.find((s) => s.name === name)?.value;
    // Katib's webhook gives every metric without a strategy the objective's direction; an objective of ours its own.
    const type = objectives.find((o) => o.metricName === name)?.type ?? objective.type;
    metricStrategies[name] = written ?? (type === 'minimize' ? 'min' : 'max');
  }
  return { objectives, metricNames, metricStrategies };
}

/** Resolves a manifest that already passed validation (a stored experiment) into its config. */
export function configOf(input: ExperimentManifest): ExperimentConfig {
  const manifest = applyDefaults(input);
  const spec = manifest.spec;
  const objective = spec.objective!;
  const { objectives, metricNames, metricStrategies } = objectivesOf(objective);
  const algorithmSettings = settingsOf(spec.algorithm?.algorithmSettings);
  const es = spec.earlyStopping;
  return {
    name: manifest.metadata.name,
    namespace: manifest.metadata.namespace ?? 'default',
    manifest,
    objectives,
    metricNames,
    metricStrategies,
    ...(objective.derivedMetrics?.length ? { derivedMetrics: objective.derivedMetrics } : {}),
    ...(spec.parameterConstraints?.length
      ? { constraints: spec.parameterConstraints.map((c) => ({ expression: c.expression })) }
      : {}),
    space: toSearchSpace(spec.parameters ?? []),
    ...(spec.nasConfig === undefined || spec.nasConfig === null
      ? {}
      : { nasConfig: spec.nasConfig, nas: toNasSpace(spec.nasConfig) }),
    algorithm: { name: spec.algorithm?.algorithmName ?? '', settings: algorithmSettings },
    ...(es?.algorithmName
      ? { earlyStopping: { name: es.algorithmName, settings: settingsOf(es.algorithmSettings) } }
      : {}),
    budget: {
      parallelTrialCount: spec.parallelTrialCount ?? defaultParallelTrialCount,
      ...(spec.maxTrialCount === undefined ? {} : { maxTrialCount: spec.maxTrialCount }),
      ...(spec.maxFailedTrialCount === undefined ? {} : { maxFailedTrialCount: spec.maxFailedTrialCount }),
    },
    collector: collectorConfigOf(manifest),
    ...(spec.trialTemplate === undefined ? {} : { trialTemplate: spec.trialTemplate }),
    seed: seedPolicyOf(algorithmSettings),
  };
}

/**
 * What an algorithm's `validate` is told about the experiment, from its config: the space, the objectives and the
 * budget. `hpo validate`/`hpo run` and the Katib gRPC service's ValidateAlgorithmSettings check settings against it.
 */
export function validationContext(config: ExperimentConfig): ValidationContext {
  const { maxTrialCount, parallelTrialCount } = config.budget;
  return {
    space: config.space,
    objective: config.objectives[0]!,
    objectives: config.objectives,
    parallelTrialCount,
    ...(maxTrialCount === undefined ? {} : { maxTrialCount }),
    ...(config.nas === undefined ? {} : { nas: config.nas }),
  };
}

/**
 * The one way a suggestion request is built from a config: the algorithm's settings (minus those that only
 * locate it, such as `module`, which the caller strips), its objectives (the first is `objective`), the space and
 * the budget.
 */
export function suggestRequest(
  config: ExperimentConfig,
  args: {
    readonly trials: SuggestRequest['trials'];
    readonly count: number;
    readonly seed: number;
    readonly settings: Settings;
    readonly state?: unknown;
  },
): SuggestRequest {
  const { maxTrialCount, parallelTrialCount } = config.budget;
  return {
    experiment: config.name,
    space: config.space,
    objectives: config.objectives,
    objective: config.objectives[0]!,
    trials: args.trials,
    count: args.count,
    seed: args.seed,
    settings: args.settings,
    ...(args.state === undefined ? {} : { state: args.state }),
    ...(maxTrialCount === undefined ? {} : { maxTrialCount }),
    parallelTrialCount,
    ...(config.nas === undefined ? {} : { nas: config.nas }),
    ...(config.constraints === undefined ? {} : { constraints: config.constraints }),
  };
}
