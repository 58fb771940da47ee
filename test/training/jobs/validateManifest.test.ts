/* biome-ignore-all lint/suspicious/noExplicitAny: tests walk and edit manifests freely. */
import { describe, expect, it } from 'vitest';
import { buildJobManifest, validateJobManifest } from '../../../src/training/jobs/index.ts';
import { katibTrialSpecs, kubeflowSamples } from './fixtures.ts';

type Edit = (m: any) => void;

const pytorch = (): any =>
  buildJobManifest({ name: 'p', kind: 'PyTorchJob', image: 'img:1', replicas: { Master: 1, Worker: 2 } });
const master = 'spec.pytorchReplicaSpecs.Master';

describe('validateJobManifest: the training webhooks and admission rules', () => {
  it.each([...kubeflowSamples(), ...katibTrialSpecs()].map((s) => [s.file, s.job] as const))('accepts %s', (_, job) => {
    expect(validateJobManifest(job)).toEqual([]);
  });

  const cases: [string, () => any, Edit, string[]][] = [
    [
      'a missing pytorch container name',
      pytorch,
      (m) => {
        m.spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].name = 'main';
      },
      ['spec.pytorchReplicaSpecs.Worker.template.spec.containers'],
    ],
    [
      'two Masters',
      pytorch,
      (m) => {
        m.spec.pytorchReplicaSpecs.Master.replicas = 2;
      },
      [`${master}.replicas`],
    ],
    [
      'an upper-case name',
      pytorch,
      (m) => {
        m.metadata.name = 'PyTorch-Job';
      },
      ['metadata.name'],
    ],
    [
      'a name with a dot',
      pytorch,
      (m) => {
        m.metadata.name = 'job.v1';
      },
      ['metadata.name'],
    ],
    [
      'a container without image',
      pytorch,
      (m) => {
        delete m.spec.pytorchReplicaSpecs.Master.template.spec.containers[0].image;
      },
      [`${master}.template.spec.containers[0].image`],
    ],
    [
      'a role without containers',
      pytorch,
      (m) => {
        m.spec.pytorchReplicaSpecs.Master.template.spec.containers = [];
      },
      [`${master}.template.spec.containers`],
    ],
    [
      'an unknown role',
      pytorch,
      (m) => {
        m.spec.pytorchReplicaSpecs.Chief = m.spec.pytorchReplicaSpecs.Worker;
      },
      ['spec.pytorchReplicaSpecs.Chief.replicas'],
    ],
    [
      'a bad restartPolicy',
      pytorch,
      (m) => {
        m.spec.pytorchReplicaSpecs.Master.restartPolicy = 'Sometimes';
      },
      [`${master}.restartPolicy`],
    ],
    [
      'a bad cleanPodPolicy',
      pytorch,
      (m) => {
        m.spec.runPolicy = { cleanPodPolicy: 'Some' };
      },
      ['spec.runPolicy.cleanPodPolicy'],
    ],
    [
      'no replica specs',
      pytorch,
      (m) => {
        delete m.spec.pytorchReplicaSpecs;
      },
      ['spec.pytorchReplicaSpecs'],
    ],
    [
      'elastic without Worker',
      () =>
        buildJobManifest({
          name: 'e',
          kind: 'PyTorchJob',
          image: 'i',
          passthrough: { spec: { elasticPolicy: { minReplicas: 1 } } },
        }),
      () => {},
      ['spec.pytorchReplicaSpecs.Worker'],
    ],
    [
      'TF Chief and Master together',
      () => buildJobManifest({ name: 't', kind: 'TFJob', image: 'i', replicas: { Chief: 1, Worker: 1 } }),
      (m) => {
        m.spec.tfReplicaSpecs.Master = m.spec.tfReplicaSpecs.Chief;
      },
      ['spec.tfReplicaSpecs'],
    ],
    [
      'an XGBoostJob without Master',
      () => buildJobManifest({ name: 'x', kind: 'XGBoostJob', image: 'i', replicas: { Master: 1, Worker: 1 } }),
      (m) => {
        delete m.spec.xgbReplicaSpecs.Master;
      },
      ['spec.xgbReplicaSpecs.Master'],
    ],
    [
      'a TrainJob without runtimeRef',
      () => buildJobManifest({ name: 't', kind: 'TrainJob', runtimeRef: { name: 'r' } }),
      (m) => {
        delete m.spec.runtimeRef;
      },
      ['spec.runtimeRef.name'],
    ],
    [
      'a TrainJob name with upper case (CEL rule)',
      () => buildJobManifest({ name: 't', kind: 'TrainJob', runtimeRef: { name: 'r' } }),
      (m) => {
        m.metadata.name = 'Train';
      },
      ['metadata.name'],
    ],
    [
      'a batch Job that restarts Always',
      () => buildJobManifest({ name: 'j', kind: 'Job', image: 'i' }),
      (m) => {
        m.spec.template.spec.restartPolicy = 'Always';
      },
      ['spec.template.spec.restartPolicy'],
    ],
    [
      'a v1 apiVersion on a TrainJob',
      () => buildJobManifest({ name: 't', kind: 'TrainJob', runtimeRef: { name: 'r' } }),
      (m) => {
        m.apiVersion = 'trainer.kubeflow.org/v1';
      },
      ['apiVersion'],
    ],
  ];

  it.each(cases)('reports %s', (_, make, edit, paths) => {
    const m = make();
    edit(m);
    expect(validateJobManifest(m).map((i) => i.path)).toEqual(paths);
  });

  it('normalises role case as the defaulter does', () => {
    const m = pytorch();
    m.spec.pytorchReplicaSpecs = {
      master: m.spec.pytorchReplicaSpecs.Master,
      worker: m.spec.pytorchReplicaSpecs.Worker,
    };
    expect(validateJobManifest(m)).toEqual([]);
  });

  it('does not require a container name for MPI or batch Jobs', () => {
    const m: any = buildJobManifest({ name: 'm', kind: 'MPIJob', image: 'i', containerName: 'horovod' });
    expect(validateJobManifest(m)).toEqual([]);
  });

  it('rejects kinds it does not know', () => {
    expect(validateJobManifest({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow' }).map((i) => i.path)).toEqual([
      'kind',
    ]);
  });
});
