import { describe, expect, it } from 'vitest';
import { findContainers, findPrimaryContainer, trialKindInfo } from '../../src/spec/containers.ts';
import { loadExperiments } from '../../src/spec/load.ts';
import { type Loose, readExample } from './helpers.ts';

function trialSpecOf(file: string): Record<string, unknown> {
  const [m] = loadExperiments(readExample(file));
  return m!.spec.trialTemplate!.trialSpec!;
}

describe('findContainers', () => {
  it.each([
    ['hp-tuning__random.yaml', [['spec.template.spec.containers[0]', undefined, 'training-container']]],
    [
      'kubeflow-training-operator__pytorchjob-mnist.yaml',
      [
        ['spec.pytorchReplicaSpecs.Master.template.spec.containers[0]', 'Master', 'pytorch'],
        ['spec.pytorchReplicaSpecs.Worker.template.spec.containers[0]', 'Worker', 'pytorch'],
      ],
    ],
    [
      'kubeflow-training-operator__mpijob-horovod.yaml',
      [
        ['spec.mpiReplicaSpecs.Launcher.template.spec.containers[0]', 'Launcher', 'mpi-launcher'],
        ['spec.mpiReplicaSpecs.Worker.template.spec.containers[0]', 'Worker', 'mpi-worker'],
      ],
    ],
    [
      'kubeflow-training-operator__tfjob-mnist-with-summaries.yaml',
      [['spec.tfReplicaSpecs.Worker.template.spec.containers[0]', 'Worker', 'tensorflow']],
    ],
    ['kubeflow-trainer__trainjob-pytorch.yaml', [['spec.trainer', 'node', 'node']]],
    ['argo__argo-workflow.yaml', []],
    ['tekton__pipeline-run.yaml', []],
  ])('%s', (file, expected) => {
    const found = findContainers(trialSpecOf(file)).map((c) => [c.path, c.role, c.container.name]);
    expect(found).toEqual(expected);
  });

  it('presents a TrainJob trainer as the container node with its command', () => {
    const [c] = findContainers(trialSpecOf('kubeflow-trainer__trainjob-pytorch.yaml'));
    expect(c?.container.command).toContain('/opt/pytorch-mnist/mnist.py');
  });
});

describe('findPrimaryContainer', () => {
  it('prefers the master role when roles share the container name', () => {
    const xgb = trialSpecOf('kubeflow-training-operator__xgboostjob-lightgbm.yaml');
    expect(findPrimaryContainer(xgb, 'xgboost')?.role).toBe('Master');
    const spec = trialSpecOf('kubeflow-training-operator__pytorchjob-mnist.yaml') as Loose;
    const roles = spec.spec.pytorchReplicaSpecs;
    spec.spec.pytorchReplicaSpecs = { Worker: roles.Worker, Master: roles.Master };
    expect(findPrimaryContainer(spec, 'pytorch')?.role).toBe('Master');
    expect(findPrimaryContainer(spec, 'missing')).toBeUndefined();
  });
});

describe('trialKindInfo', () => {
  it.each([
    ['hp-tuning__random.yaml', { kind: 'Job', apiVersion: 'batch/v1', family: 'batchJob', replicas: { Job: 1 } }],
    [
      'kubeflow-training-operator__pytorchjob-mnist.yaml',
      { kind: 'PyTorchJob', apiVersion: 'kubeflow.org/v1', family: 'kubeflowJob', replicas: { Master: 1, Worker: 1 } },
    ],
    [
      'kubeflow-training-operator__mpijob-horovod.yaml',
      { kind: 'MPIJob', apiVersion: 'kubeflow.org/v1', family: 'kubeflowJob', replicas: { Launcher: 1, Worker: 2 } },
    ],
    [
      'kubeflow-trainer__trainjob-pytorch.yaml',
      { kind: 'TrainJob', apiVersion: 'trainer.kubeflow.org/v1alpha1', family: 'trainJob', replicas: { node: 2 } },
    ],
    [
      'argo__argo-workflow.yaml',
      { kind: 'Workflow', apiVersion: 'argoproj.io/v1alpha1', family: 'other', replicas: {} },
    ],
  ])('%s', (file, expected) => {
    expect(trialKindInfo(trialSpecOf(file))).toEqual(expected);
  });
});
