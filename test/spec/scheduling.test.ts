import { describe, expect, it } from 'vitest';
import { parseForThisInstallation } from '../../src/experiment/prepare.ts';
import { applyScheduling, bakeScheduling, checkScheduling, kueueQueueLabel } from '../../src/spec/scheduling.ts';
import type { ExperimentManifest } from '../../src/spec/types.ts';

const container = (name: string) => ({
  name,
  image: 'img',
  command: ['python3', 'train.py', '--x=${trialParameters.x}'],
});
const pytorchJob = () => ({
  apiVersion: 'kubeflow.org/v1',
  kind: 'PyTorchJob',
  spec: {
    pytorchReplicaSpecs: {
      Master: { replicas: 1, template: { spec: { containers: [container('pytorch')] } } },
      Worker: { replicas: 2, template: { spec: { containers: [container('pytorch')] } } },
    },
  },
});
const batchJob = () => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  spec: { template: { spec: { restartPolicy: 'Never', containers: [container('main')] } } },
});
const trainJob = () => ({
  apiVersion: 'trainer.kubeflow.org/v1alpha1',
  kind: 'TrainJob',
  spec: {
    runtimeRef: { name: 'torch-distributed' },
    trainer: { numNodes: 2, image: 'img', command: ['x', '${trialParameters.x}'] },
  },
});

function experiment(trialSpec: Record<string, unknown>, scheduling: unknown): ExperimentManifest {
  return {
    apiVersion: 'kubeflow.org/v1beta1',
    kind: 'Experiment',
    metadata: { name: 'gang' },
    spec: {
      objective: { type: 'minimize', objectiveMetricName: 'loss' },
      algorithm: { algorithmName: 'random' },
      maxTrialCount: 4,
      parallelTrialCount: 2,
      parameters: [{ name: 'x', parameterType: 'double', feasibleSpace: { min: '0', max: '1' } }],
      trialTemplate: {
        primaryContainerName:
          trialSpec.kind === 'PyTorchJob' ? 'pytorch' : trialSpec.kind === 'TrainJob' ? 'node' : 'main',
        trialParameters: [{ name: 'x', reference: 'x' }],
        trialSpec,
        scheduling: scheduling as never,
      },
    },
  };
}

const paths = (m: ExperimentManifest) =>
  parseForThisInstallation(m)
    .issues.filter((i) => i.severity !== 'warning')
    .map((i) => i.path);

describe('spec.trialTemplate.scheduling', () => {
  it('accepts a queue, a gang policy and a priority on a PyTorchJob through the same parse as hpo run', () => {
    expect(
      paths(
        experiment(pytorchJob(), {
          queueName: 'team-a',
          minAvailable: 3,
          queue: 'gpu',
          priorityClass: 'high.priority',
        }),
      ),
    ).toEqual([]);
    expect(paths(experiment(trainJob(), { queueName: 'team-a' }))).toEqual([]);
    expect(paths(experiment(batchJob(), { queueName: 'team-a' }))).toEqual([]);
  });

  const withClash = () => {
    const job = pytorchJob() as Record<string, unknown> & { spec: Record<string, unknown> };
    job.metadata = { labels: { [kueueQueueLabel]: 'other' } };
    job.spec.runPolicy = { schedulingPolicy: { minAvailable: 2 } };
    return job;
  };
  // [what, trialSpec, scheduling, path]
  const bad: [string, Record<string, unknown>, unknown, string][] = [
    ['minAvailable above the replicas (1 Master + 2 Workers)', pytorchJob(), { minAvailable: 4 }, 'minAvailable'],
    ['minAvailable 0', pytorchJob(), { minAvailable: 0 }, 'minAvailable'],
    ['minAvailable not a whole number', pytorchJob(), { minAvailable: 1.5 }, 'minAvailable'],
    ['a queue name that is not a DNS label', pytorchJob(), { queueName: 'Team_A' }, 'queueName'],
    ['a queue name over 63 characters', pytorchJob(), { queueName: 'q'.repeat(64) }, 'queueName'],
    ['a gang queue that is not a DNS label', pytorchJob(), { queue: 'GPU queue' }, 'queue'],
    ['a priorityClass that is not a DNS subdomain', pytorchJob(), { priorityClass: 'High!' }, 'priorityClass'],
    ['an unknown field', pytorchJob(), { queuename: 'a' }, 'queuename'],
    ['a policy on a TrainJob (its runtime gangs it)', trainJob(), { minAvailable: 2 }, 'minAvailable'],
    ['a policy on a batch Job', batchJob(), { priorityClass: 'high' }, 'priorityClass'],
    ['a label clash with the template', withClash(), { queueName: 'team-a' }, 'queueName'],
    ['a policy clash with the template', withClash(), { minAvailable: 3 }, 'minAvailable'],
  ];
  it.each(bad)('refuses %s with its path', (_what, job, scheduling, field) => {
    expect(paths(experiment(job, scheduling))).toContain(`spec.trialTemplate.scheduling.${field}`);
  });

  it('refuses a scheduling that is not a mapping', () => {
    expect(checkScheduling({ trialTemplate: { scheduling: 'team-a' } }).map((i) => i.path)).toEqual([
      'spec.trialTemplate.scheduling',
    ]);
  });

  it('puts the Kueue label on the job and the policy in runPolicy.schedulingPolicy, keeping what is there', () => {
    const job = pytorchJob() as Record<string, unknown> & { spec: Record<string, unknown> };
    job.spec.runPolicy = { backoffLimit: 2, schedulingPolicy: { scheduleTimeoutSeconds: 60 } };
    const applied = applyScheduling(job, { queueName: 'team-a', minAvailable: 3, queue: 'gpu', priorityClass: 'high' });
    expect(applied.issues).toEqual([]);
    expect(applied.job.metadata).toEqual({ labels: { [kueueQueueLabel]: 'team-a' } });
    expect((applied.job.spec as Record<string, unknown>).runPolicy).toEqual({
      backoffLimit: 2,
      schedulingPolicy: { scheduleTimeoutSeconds: 60, minAvailable: 3, queue: 'gpu', priorityClass: 'high' },
    });
    expect(job.metadata).toBeUndefined(); // the template itself is not changed
  });

  it('bakes the scheduling into the trialSpec for Katib, which would prune the field', () => {
    const m = experiment(pytorchJob(), { queueName: 'team-a', minAvailable: 3 });
    const baked = bakeScheduling(m);
    expect(baked.issues).toEqual([]);
    expect(baked.manifest.spec.trialTemplate?.scheduling).toBeUndefined();
    const spec = baked.manifest.spec.trialTemplate?.trialSpec as { metadata: unknown; spec: { runPolicy: unknown } };
    expect(spec.metadata).toEqual({ labels: { [kueueQueueLabel]: 'team-a' } });
    expect(spec.spec.runPolicy).toEqual({ schedulingPolicy: { minAvailable: 3 } });
    expect(bakeScheduling(experiment(pytorchJob(), undefined)).manifest.spec.trialTemplate?.trialSpec).toEqual(
      pytorchJob(),
    );
  });

  it('refuses to bake into a ConfigMap template, which Katib reads itself', () => {
    const m = experiment(pytorchJob(), { queueName: 'team-a' });
    if (m.spec.trialTemplate) {
      delete m.spec.trialTemplate.trialSpec;
      m.spec.trialTemplate.configMap = { configMapName: 'templates', templatePath: 'job.yaml' };
    }
    expect(bakeScheduling(m).issues.map((i) => i.path)).toEqual(['spec.trialTemplate.scheduling']);
  });
});
