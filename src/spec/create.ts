import type { AlgorithmName, EarlyStoppingName, ParameterInput, RegisteredAlgorithmName } from './typedParameters.ts';
import type {
  AdditionalObjective,
  AlgorithmSpec,
  DerivedMetric,
  ExperimentManifest,
  FeasibleSpace,
  MetricStrategy,
  MetricsCollectorSpec,
  NameValue,
  ParameterConstraintSpec,
  ParameterSpec,
  ResumePolicy,
  TrialTemplate,
} from './types.ts';

/** A Katib feasibleSpace distribution. */
export type Distribution = NonNullable<FeasibleSpace['distribution']>;

/** Options of `search.double` / `search.int`; `log: true` is shorthand for `distribution: 'logUniform'`. */
export interface RangeOptions {
  step?: number;
  log?: boolean;
  distribution?: Distribution;
}

/**
 * A `ParameterSpec` whose name and type are literal types, so `Experiment.create` can type the objective's
 * parameters from it (see `ParamsOf`).
 */
export interface NamedParameter<N extends string, T extends ParameterSpec['parameterType']> extends ParameterSpec {
  name: N;
  parameterType: T;
}

/** A categorical or discrete `ParameterSpec` whose list is a union of literals (`'rbf' | 'poly'`). */
export interface ListParameter<N extends string, T extends 'categorical' | 'discrete', V extends string>
  extends NamedParameter<N, T> {
  feasibleSpace: FeasibleSpace & { list: V[] };
}

/**
 * Builders of Katib `ParameterSpec`s from TypeScript values (Katib stores every bound as a string). Each keeps
 * its name (and a categorical's values, as the strings the objective receives) as literal types.
 */
export interface SearchHelpers {
  double<const N extends string>(name: N, min: number, max: number, opts?: RangeOptions): NamedParameter<N, 'double'>;
  int<const N extends string>(name: N, min: number, max: number, opts?: RangeOptions): NamedParameter<N, 'int'>;
  categorical<const N extends string, const V extends string | number | boolean>(
    name: N,
    values: readonly V[],
  ): ListParameter<N, 'categorical', `${V}`>;
  discrete<const N extends string>(name: N, values: readonly number[]): ListParameter<N, 'discrete', string>;
}

function range<N extends string, T extends 'double' | 'int'>(
  name: N,
  type: T,
  min: number,
  max: number,
  opts: RangeOptions = {},
): NamedParameter<N, T> {
  const feasibleSpace: FeasibleSpace = { min: String(min), max: String(max) };
  if (opts.step !== undefined) feasibleSpace.step = String(opts.step);
  const distribution = opts.distribution ?? (opts.log ? 'logUniform' : undefined);
  if (distribution !== undefined) feasibleSpace.distribution = distribution;
  return { name, parameterType: type, feasibleSpace };
}

/** `search.double('lr', 1e-4, 1e-1, { log: true })` and friends, like the Katib SDK's `katib.search`. */
export const search: SearchHelpers = {
  double: (name, min, max, opts) => range(name, 'double', min, max, opts),
  int: (name, min, max, opts) => range(name, 'int', min, max, opts),
  categorical: (name, values) => ({
    name,
    parameterType: 'categorical',
    // Katib's lists are strings, and so are the categories an algorithm proposes: `${V}` is exactly String(v).
    feasibleSpace: { list: values.map((v) => String(v) as `${typeof v}`) },
  }),
  discrete: (name, values) => ({ name, parameterType: 'discrete', feasibleSpace: { list: values.map(String) } }),
};

/** Settings as a record (values stringified) or as Katib's name/value list. */
export type SettingsInput = Readonly<Record<string, string | number | boolean>> | readonly NameValue[];

/** An algorithm as {@link buildManifest} accepts it. */
export interface AlgorithmInput {
  algorithmName: string;
  algorithmSettings?: SettingsInput;
}

/**
 * The options of `Experiment.create`: {@link BuildManifestOptions} with the search space kept as literal types
 * (`Ps`, from which the objective's parameters are typed), and the algorithm's and early-stopping rule's names
 * (`A`, `E`) checked at compile time (see {@link CheckedAlgorithmName}).
 */
export interface ExperimentDefinition<
  Ps extends readonly ParameterInput[] = readonly ParameterInput[],
  A extends string = string,
  E extends string = string,
  S extends SettingsInput = SettingsInput,
> extends BuildManifestOptions {
  parameters: Ps;
  algorithm: { algorithmName: CheckedAlgorithmName<A, S>; algorithmSettings?: S };
  earlyStopping?: { algorithmName: CheckedEarlyStoppingName<E>; algorithmSettings?: SettingsInput };
}

/**
 * The algorithm name `A` as written when it is known: an {@link AlgorithmName}, a user algorithm's name as
 * `registerAlgorithm` returned it, any name whose settings `S` bring a `module`, or a name typed `string` (options
 * built at run time, checked by the run's validation as YAML is). Otherwise {@link AlgorithmName}, so that a
 * misspelt literal is a compile error that lists the names.
 */
export type CheckedAlgorithmName<A extends string, S> = string extends A
  ? A
  : A extends AlgorithmName | RegisteredAlgorithmName
    ? A
    : S extends { readonly module: string }
      ? A
      : AlgorithmName;

/** The early-stopping rule's name `E` when it is an {@link EarlyStoppingName} (or typed `string`), otherwise those names. */
export type CheckedEarlyStoppingName<E extends string> = string extends E
  ? E
  : E extends EarlyStoppingName
    ? E
    : EarlyStoppingName;

/** What {@link buildManifest} needs; everything else takes Katib's defaults. */
export interface BuildManifestOptions {
  name: string;
  namespace?: string;
  objective: {
    type: 'minimize' | 'maximize';
    objectiveMetricName: string;
    goal?: number;
    additionalMetricNames?: string[];
    metricStrategies?: MetricStrategy[];
    /** Objectives after the first (hpo-workbench extension; Katib sees `objectiveMetricName` alone). */
    additionalObjectives?: AdditionalObjective[];
    /** Metrics computed from the collected ones (hpo-workbench extension), e.g. `{name: 'score', expression: …}`. */
    derivedMetrics?: DerivedMetric[];
  };
  algorithm: AlgorithmInput;
  earlyStopping?: AlgorithmInput;
  parameters: readonly ParameterInput[];
  maxTrialCount?: number;
  parallelTrialCount?: number;
  maxFailedTrialCount?: number;
  /** Omit for an in-process objective (validate with `inProcess: true`). */
  trialTemplate?: TrialTemplate;
  metricsCollectorSpec?: MetricsCollectorSpec;
  resumePolicy?: ResumePolicy;
  /** Conditions every trial's parameters satisfy (hpo-workbench extension), e.g. `{expression: 'x0 + x1 <= 1'}`. */
  parameterConstraints?: ParameterConstraintSpec[];
}

function toAlgorithm(a: AlgorithmInput): AlgorithmSpec {
  const out: AlgorithmSpec = { algorithmName: a.algorithmName };
  const s = a.algorithmSettings;
  if (s === undefined) return out;
  out.algorithmSettings = Array.isArray(s)
    ? (s as readonly NameValue[]).map((nv) => ({ name: nv.name, value: String(nv.value) }))
    : Object.entries(s as Record<string, string | number | boolean>).map(([name, value]) => ({
        name,
        value: String(value),
      }));
  return out;
}

/** Turns TypeScript options into a complete Katib `kubeflow.org/v1beta1` Experiment (not yet defaulted). */
export function buildManifest(options: BuildManifestOptions): ExperimentManifest {
  const o = options;
  const manifest: ExperimentManifest = {
    apiVersion: 'kubeflow.org/v1beta1',
    kind: 'Experiment',
    metadata: o.namespace === undefined ? { name: o.name } : { name: o.name, namespace: o.namespace },
    spec: {
      objective: structuredClone(o.objective),
      algorithm: toAlgorithm(o.algorithm),
      // A copy: the manifest is Katib's mutable shape, and the caller's (possibly frozen, literal) space stays as is.
      parameters: structuredClone(o.parameters) as ParameterSpec[],
    },
  };
  const spec = manifest.spec;
  if (o.earlyStopping !== undefined) spec.earlyStopping = toAlgorithm(o.earlyStopping);
  if (o.maxTrialCount !== undefined) spec.maxTrialCount = o.maxTrialCount;
  if (o.parallelTrialCount !== undefined) spec.parallelTrialCount = o.parallelTrialCount;
  if (o.maxFailedTrialCount !== undefined) spec.maxFailedTrialCount = o.maxFailedTrialCount;
  if (o.trialTemplate !== undefined) spec.trialTemplate = structuredClone(o.trialTemplate);
  if (o.metricsCollectorSpec !== undefined) spec.metricsCollectorSpec = structuredClone(o.metricsCollectorSpec);
  if (o.resumePolicy !== undefined) spec.resumePolicy = o.resumePolicy;
  if (o.parameterConstraints !== undefined) spec.parameterConstraints = structuredClone(o.parameterConstraints);
  return manifest;
}
