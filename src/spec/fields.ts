import type { Issue } from '../common/issue.ts';
import { didYouMean } from './didYouMean.ts';
import { at, isRecord } from './read.ts';

/**
 * Field names of Katib's v1beta1 objects (`experiment_types.go`, `common_types.go`). Katib's webhook decodes
 * with Go's encoding/json, which drops unknown fields silently, so `maxTrialCounts: 5` yields an unbounded
 * experiment; we report such fields instead.
 */
export const knownFields: {
  readonly experiment: readonly string[];
  readonly metadata: readonly string[];
  readonly spec: readonly string[];
  readonly objective: readonly string[];
  readonly metricStrategy: readonly string[];
  readonly additionalObjective: readonly string[];
  readonly derivedMetric: readonly string[];
  readonly parameterConstraint: readonly string[];
  readonly algorithm: readonly string[];
  readonly setting: readonly string[];
  readonly parameter: readonly string[];
  readonly feasibleSpace: readonly string[];
  readonly trialTemplate: readonly string[];
  readonly configMap: readonly string[];
  readonly trialParameter: readonly string[];
  readonly metricsCollectorSpec: readonly string[];
  readonly collector: readonly string[];
  readonly source: readonly string[];
  readonly fileSystemPath: readonly string[];
  readonly filter: readonly string[];
  readonly nasConfig: readonly string[];
  readonly graphConfig: readonly string[];
  readonly operation: readonly string[];
} = {
  experiment: ['apiVersion', 'kind', 'metadata', 'spec', 'status'],
  metadata: [
    'name',
    'generateName',
    'namespace',
    'labels',
    'annotations',
    'uid',
    'resourceVersion',
    'generation',
    'creationTimestamp',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
    'ownerReferences',
    'finalizers',
    'managedFields',
    'selfLink',
  ],
  spec: [
    'parameters',
    'objective',
    'algorithm',
    'earlyStopping',
    'parallelTrialCount',
    'maxTrialCount',
    'maxFailedTrialCount',
    'metricsCollectorSpec',
    'trialTemplate',
    'resumePolicy',
    'nasConfig',
    // Ours (constraints); Katib prunes it and searches the whole space.
    'parameterConstraints',
  ],
  // `additionalObjectives` is ours (several objectives); Katib prunes it and sees a single-objective experiment.
  objective: [
    'type',
    'goal',
    'objectiveMetricName',
    'additionalMetricNames',
    'metricStrategies',
    'additionalObjectives',
    // Ours (derived metrics); Katib prunes it.
    'derivedMetrics',
  ],
  metricStrategy: ['name', 'value'],
  additionalObjective: ['type', 'goal', 'objectiveMetricName'],
  derivedMetric: ['name', 'expression'],
  parameterConstraint: ['expression'],
  algorithm: ['algorithmName', 'algorithmSettings'],
  setting: ['name', 'value'],
  parameter: ['name', 'parameterType', 'feasibleSpace'],
  feasibleSpace: ['min', 'max', 'step', 'list', 'distribution'],
  trialTemplate: [
    'retain',
    'trialSpec',
    'configMap',
    'trialParameters',
    'primaryPodLabels',
    'primaryContainerName',
    'scheduling',
    'successCondition',
    'failureCondition',
  ],
  configMap: ['configMapName', 'configMapNamespace', 'templatePath'],
  trialParameter: ['name', 'description', 'reference'],
  metricsCollectorSpec: ['source', 'collector'],
  collector: ['kind', 'customCollector'],
  source: ['fileSystemPath', 'httpGet', 'filter'],
  fileSystemPath: ['path', 'kind', 'format'],
  filter: ['metricsFormat'],
  nasConfig: ['graphConfig', 'operations'],
  graphConfig: ['numLayers', 'inputSizes', 'outputSizes'],
  operation: ['operationType', 'parameters'],
} as const satisfies Record<string, readonly string[]>;

/** One issue per key of `obj` that is not in `known`, with a did-you-mean suggestion for likely typos. */
export function unknownFields(obj: unknown, path: string, known: readonly string[]): Issue[] {
  if (!isRecord(obj)) return [];
  const issues: Issue[] = [];
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const hint = didYouMean(key, known);
    issues.push({
      path: at(path, key),
      message: `unknown field ${JSON.stringify(key)}; Katib would silently ignore it.${hint}`,
      fix: hint ? 'Rename the field.' : `Remove it; the fields allowed here are: ${known.join(', ')}.`,
    });
  }
  return issues;
}
