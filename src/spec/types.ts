/**
 * Katib `kubeflow.org/v1beta1` Experiment types, field for field as Katib's API defines them
 * (see shared/katib/REFERENCE.md §1.1). Values that Katib keeps as strings (feasibleSpace, settings)
 * stay strings here; `toSearchSpace` parses them.
 */

import type { TrialScheduling } from './scheduling.ts';

export interface NameValue {
  name: string;
  value: string;
}

export interface FeasibleSpace {
  min?: string;
  max?: string;
  step?: string;
  list?: string[];
  distribution?: 'uniform' | 'logUniform' | 'normal' | 'logNormal' | 'unknown';
}

export interface ParameterSpec {
  name: string;
  parameterType: 'double' | 'int' | 'discrete' | 'categorical' | 'unknown';
  feasibleSpace: FeasibleSpace;
}

export interface MetricStrategy {
  name: string;
  value: 'min' | 'max' | 'latest';
}

/**
 * One further objective (hpo-workbench extension, `spec.objective.additionalObjectives`): Katib prunes the list and
 * optimises `objectiveMetricName` alone; multi-objective algorithms read every objective and `hpo best` shows the
 * Pareto front. Its metric is collected like an additional metric.
 */
export interface AdditionalObjective {
  type: 'minimize' | 'maximize';
  objectiveMetricName: string;
  goal?: number;
}

/**
 * A metric computed from the collected ones (hpo-workbench extension, `spec.objective.derivedMetrics`), e.g.
 * `{name: score, expression: accuracy - 0.01 * latency_ms}`: the controller evaluates it when a trial ends and
 * stores it with the other metrics, so it can be the objective or an additional objective. Katib prunes the list.
 */
export interface DerivedMetric {
  name: string;
  expression: string;
}

/** A condition every trial's parameters satisfy (hpo-workbench extension, `spec.parameterConstraints`). */
export interface ParameterConstraintSpec {
  expression: string;
}

export interface ObjectiveSpecKatib {
  type: 'minimize' | 'maximize';
  goal?: number;
  objectiveMetricName: string;
  additionalMetricNames?: string[];
  metricStrategies?: MetricStrategy[];
  /** hpo-workbench extension: objectives after the first (see {@link AdditionalObjective}). */
  additionalObjectives?: AdditionalObjective[];
  /** hpo-workbench extension: metrics computed from the collected ones (see {@link DerivedMetric}). */
  derivedMetrics?: DerivedMetric[];
}

export interface AlgorithmSpec {
  algorithmName: string;
  algorithmSettings?: NameValue[];
}

export interface TrialParameterSpec {
  name: string;
  description?: string;
  reference: string;
}

export interface ConfigMapSource {
  configMapName?: string;
  configMapNamespace?: string;
  templatePath?: string;
}

export interface TrialTemplate {
  retain?: boolean;
  trialSpec?: Record<string, unknown>;
  configMap?: ConfigMapSource;
  trialParameters?: TrialParameterSpec[];
  primaryPodLabels?: Record<string, string>;
  primaryContainerName?: string;
  /** hpo-workbench extension: Kueue queue and gang scheduling for every trial job (see `src/spec/scheduling.ts`). */
  scheduling?: TrialScheduling;
  successCondition?: string;
  failureCondition?: string;
}

export type CollectorKind = 'StdOut' | 'File' | 'TensorFlowEvent' | 'PrometheusMetric' | 'Custom' | 'Push';

export interface MetricsCollectorSpec {
  collector?: { kind: CollectorKind; customCollector?: Record<string, unknown> };
  source?: {
    fileSystemPath?: { path?: string; kind?: 'File' | 'Directory'; format?: 'TEXT' | 'JSON' };
    httpGet?: { path?: string; port?: number | string };
    filter?: { metricsFormat?: string[] };
  };
}

export interface NasConfig {
  graphConfig?: { numLayers?: number; inputSizes?: number[]; outputSizes?: number[] };
  operations?: { operationType?: string; parameters?: ParameterSpec[] }[];
}

export type ResumePolicy = 'Never' | 'LongRunning' | 'FromVolume';

export interface ExperimentSpec {
  parameters?: ParameterSpec[];
  objective?: ObjectiveSpecKatib;
  algorithm?: AlgorithmSpec;
  earlyStopping?: AlgorithmSpec;
  parallelTrialCount?: number;
  maxTrialCount?: number;
  maxFailedTrialCount?: number;
  metricsCollectorSpec?: MetricsCollectorSpec;
  trialTemplate?: TrialTemplate;
  resumePolicy?: ResumePolicy;
  nasConfig?: NasConfig;
  /** hpo-workbench extension: conditions on the parameters (see {@link ParameterConstraintSpec}); Katib prunes it. */
  parameterConstraints?: ParameterConstraintSpec[];
}

/** A whole Experiment object as written in YAML. */
export interface ExperimentManifest {
  apiVersion: string;
  kind: 'Experiment';
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: ExperimentSpec;
}

/** ConfigMap data a caller supplies for `trialTemplate.configMap` sources: `namespace/name` → data key → text. */
export type ConfigMapData = Record<string, Record<string, string>>;
