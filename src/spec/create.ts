import type {
  AdditionalObjective,
  AlgorithmSpec,
  ExperimentManifest,
  FeasibleSpace,
  MetricStrategy,
  MetricsCollectorSpec,
  NameValue,
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

/** Builders of Katib `ParameterSpec`s from TypeScript values (Katib stores every bound as a string). */
export interface SearchHelpers {
  double(name: string, min: number, max: number, opts?: RangeOptions): ParameterSpec;
  int(name: string, min: number, max: number, opts?: RangeOptions): ParameterSpec;
  categorical(name: string, values: readonly (string | number | boolean)[]): ParameterSpec;
  discrete(name: string, values: readonly number[]): ParameterSpec;
}

function range(name: string, type: 'double' | 'int', min: number, max: number, opts: RangeOptions = {}): ParameterSpec {
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
    feasibleSpace: { list: values.map(String) },
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
  };
  algorithm: AlgorithmInput;
  earlyStopping?: AlgorithmInput;
  parameters: ParameterSpec[];
  maxTrialCount?: number;
  parallelTrialCount?: number;
  maxFailedTrialCount?: number;
  /** Omit for an in-process objective (validate with `inProcess: true`). */
  trialTemplate?: TrialTemplate;
  metricsCollectorSpec?: MetricsCollectorSpec;
  resumePolicy?: ResumePolicy;
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
      parameters: structuredClone(o.parameters),
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
  return manifest;
}
