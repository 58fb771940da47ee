// Gang scheduling and Kueue queues set on the experiment reach every rendered trial job, valid against the real CRDs.
import { describe, expect, it } from 'vitest';
import { dryRunManifests, renderDryRun } from '../../../src/platform/kubernetes/dryRun.ts';
import { kueueQueueLabel, type TrialScheduling } from '../../../src/spec/scheduling.ts';
import type { ExperimentManifest } from '../../../src/spec/types.ts';
import {
  buildJobManifest,
  type TrainingJobKind,
  type TrainingJobSpec,
  validateAgainstCrd,
} from '../../../src/training/jobs/index.ts';
import { crdText } from '../../training/jobs/fixtures.ts';

const image = 'docker.io/example/train:1';
const command = ['python3', 'train.py', '--lr=${trialParameters.lr}'];
/** One trial job per kind, with its replica count. */
const jobs: [TrainingJobKind, Partial<TrainingJobSpec>, number][] = [
  ['PyTorchJob', { replicas: { Master: 1, Worker: 2 } }, 3],
  ['TFJob', { replicas: { Chief: 1, Worker: 2, PS: 1 } }, 4],
  ['MPIJob', { replicas: { Launcher: 1, Worker: 2 } }, 3],
  ['MPIJobV2', { replicas: { Launcher: 1, Worker: 2 } }, 3],
  ['XGBoostJob', { replicas: { Master: 1, Worker: 2 } }, 3],
  ['JAXJob', { replicas: { Worker: 2 } }, 2],
  ['PaddleJob', { replicas: { Worker: 2 } }, 2],
];

function experiment(
  trialSpec: Record<string, unknown>,
  primary: string,
  scheduling: TrialScheduling,
): ExperimentManifest {
  return {
    apiVersion: 'kubeflow.org/v1beta1',
    kind: 'Experiment',
    metadata: { name: 'gang', namespace: 'team-a' },
    spec: {
      objective: { type: 'minimize', objectiveMetricName: 'loss' },
      algorithm: { algorithmName: 'random' },
      parameters: [{ name: 'lr', parameterType: 'double', feasibleSpace: { min: '0.01', max: '0.1' } }],
      trialTemplate: {
        primaryContainerName: primary,
        trialParameters: [{ name: 'lr', reference: 'lr' }],
        trialSpec,
        scheduling,
      },
    },
  };
}

function primaryOf(job: Record<string, unknown>): string {
  const text = JSON.stringify(job);
  return /"containers":\[\{"name":"([^"]+)"/.exec(text)?.[1] ?? 'node';
}

describe('trialTemplate.scheduling on rendered trial jobs', () => {
  it.each(jobs)('%s: Kueue label and runPolicy.schedulingPolicy, valid against the CRD', (kind, extra, replicas) => {
    const trialSpec = buildJobManifest({ name: '', kind, image, command, ...extra } as TrainingJobSpec);
    const scheduling = {
      queueName: 'team-a-queue',
      minAvailable: replicas,
      queue: 'gpu',
      priorityClass: 'high-priority',
    };
    const [job] = dryRunManifests(experiment(trialSpec, primaryOf(trialSpec), scheduling), [{ lr: 0.05 }]);
    if (!job) throw new Error('no job');
    expect(job.metadata?.labels?.[kueueQueueLabel]).toBe('team-a-queue');
    expect((job.spec as { runPolicy: unknown }).runPolicy).toMatchObject({
      schedulingPolicy: { minAvailable: replicas, queue: 'gpu', priorityClass: 'high-priority' },
    });
    expect(validateAgainstCrd(job, crdText(kind as Exclude<TrainingJobKind, 'Job'>))).toEqual([]);
  });

  it('TrainJob: the queue label only (the runtime gangs it), valid against the CRD', () => {
    const trialSpec = buildJobManifest({
      name: '',
      kind: 'TrainJob',
      image,
      command,
      runtimeRef: { name: 'torch-distributed' },
      replicas: { node: 2 },
    } as TrainingJobSpec);
    const [job] = dryRunManifests(experiment(trialSpec, 'node', { queueName: 'team-a-queue' }), [{ lr: 0.05 }]);
    expect(job?.metadata?.labels?.[kueueQueueLabel]).toBe('team-a-queue');
    expect(validateAgainstCrd(job, crdText('TrainJob'))).toEqual([]);
  });

  it('--dry-run output shows the label and the policy', () => {
    const trialSpec = buildJobManifest({
      name: '',
      kind: 'PyTorchJob',
      image,
      command,
      replicas: { Master: 1, Worker: 1 },
    } as TrainingJobSpec);
    const text = renderDryRun(experiment(trialSpec, 'pytorch', { queueName: 'q1', minAvailable: 2 }), [{ lr: 0.05 }]);
    expect(text).toContain(`${kueueQueueLabel}: q1`);
    expect(text).toMatch(/schedulingPolicy:\n\s+minAvailable: 2/);
  });

  it('a ConfigMap template of a kind without a policy fails when the trial is rendered', () => {
    const m = experiment({}, 'main', { minAvailable: 2 });
    if (m.spec.trialTemplate) {
      delete m.spec.trialTemplate.trialSpec;
      m.spec.trialTemplate.configMap = { configMapName: 'templates', templatePath: 'job.yaml' };
    }
    const text = `apiVersion: batch/v1\nkind: Job\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: main, image: x, command: [echo, "\${trialParameters.lr}"]}]\n`;
    let issues: unknown;
    try {
      dryRunManifests(m, [{ lr: 0.05 }], { templateText: text });
    } catch (e) {
      issues = (e as { issues?: unknown }).issues;
    }
    expect(issues).toEqual([expect.objectContaining({ path: 'spec.trialTemplate.scheduling.minAvailable' })]);
  });
});
