import type { ExperimentManifest } from '../../src/spec/types.ts';
import type { ExperimentRecord, TrialRecord } from '../../src/store/types.ts';

// Sample records for the store tests; free of vitest so the child-process helper can import them too.

/** A defaulted Katib Experiment like the ones the controller stores. */
export const manifest: ExperimentManifest = {
  apiVersion: 'kubeflow.org/v1beta1',
  kind: 'Experiment',
  metadata: { name: 'random', namespace: 'default', labels: { team: 'ml' } },
  spec: {
    objective: { type: 'maximize', goal: 0.99, objectiveMetricName: 'Validation-accuracy' },
    algorithm: { algorithmName: 'random', algorithmSettings: [{ name: 'random_state', value: '10' }] },
    parallelTrialCount: 3,
    maxTrialCount: 12,
    maxFailedTrialCount: 3,
    parameters: [
      { name: 'lr', parameterType: 'double', feasibleSpace: { min: '0.01', max: '0.03' } },
      { name: 'optimizer', parameterType: 'categorical', feasibleSpace: { list: ['sgd', 'adam'] } },
    ],
  },
} as ExperimentManifest;

/** An experiment record with only the required fields. */
export function experiment(name = 'exp', extra: Partial<ExperimentRecord> = {}): ExperimentRecord {
  return {
    name,
    namespace: 'default',
    manifest,
    phase: 'Created',
    reason: 'ExperimentCreated',
    message: 'Experiment is created',
    seed: 42,
    createdAt: '2024-05-01T10:00:00.000Z',
    updatedAt: '2024-05-01T10:00:00.000Z',
    ...extra,
  };
}

/** A trial record with only the required fields. */
export function trial(experimentName: string, seq: number, extra: Partial<TrialRecord> = {}): TrialRecord {
  return {
    experiment: experimentName,
    name: `${experimentName}-t${seq}`,
    seq,
    params: { lr: 0.01 + seq / 1000, optimizer: seq % 2 === 0 ? 'sgd' : 'adam' },
    state: 'Pending',
    reason: 'TrialCreated',
    message: '',
    metrics: [],
    labels: {},
    createdAt: `2024-05-01T10:00:${String(seq % 60).padStart(2, '0')}.000Z`,
    ...extra,
  };
}

/** A trial with every optional field set. */
export function fullTrial(experimentName: string, seq: number): TrialRecord {
  return trial(experimentName, seq, {
    state: 'Succeeded',
    reason: 'TrialSucceeded',
    message: 'Trial has succeeded',
    objective: 0.9731,
    metrics: [{ name: 'Validation-accuracy', min: 0.5, max: 0.9731, latest: '0.9731' }, { name: 'Train-accuracy' }],
    budget: 27,
    parent: `${experimentName}-t0`,
    labels: { bracket: '2', 'katib.kubeflow.org/trial': 'x' },
    explain: { acquisition: 'ei', value: 0.12, nested: { ok: true, list: [1, 'a', null] } },
    workDir: `/tmp/${experimentName}/t${seq}`,
    exitCode: 0,
    startedAt: '2024-05-01T10:01:00.000Z',
    completedAt: '2024-05-01T10:02:00.000Z',
  });
}
