/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: Katib's ${trialParameters.x} placeholders are data here. */
/* biome-ignore-all lint/suspicious/noExplicitAny: tests walk and edit manifests freely. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, WorkbenchError } from '../../../src/common/errors.ts';
import {
  buildJobManifest,
  describeJob,
  type TrainingJobKind,
  type TrainingJobSpec,
} from '../../../src/training/jobs/index.ts';
import { katibTrialSpecs, kubeflowSamples } from './fixtures.ts';

const samples = [...kubeflowSamples(), ...katibTrialSpecs()];
const find = (file: string): Record<string, unknown> => {
  const s = samples.find((x) => x.file.endsWith(file));
  if (!s) throw new Error(`no sample ${file}`);
  return s.job;
};

describe('describeJob → buildJobManifest round trips every sample', () => {
  it('covers every kind', () => {
    const kinds = new Set(samples.map((s) => describeJob(s.job).kind));
    expect([...kinds].sort()).toEqual([
      'JAXJob',
      'Job',
      'MPIJob',
      'MPIJobV2',
      'PaddleJob',
      'PyTorchJob',
      'TFJob',
      'TrainJob',
      'XGBoostJob',
    ]);
  });

  it.each(samples.map((s) => [s.file, s.job] as const))('%s', (_, job) => {
    expect(buildJobManifest(describeJob(job))).toEqual(job);
  });

  it('fills in defaults it cannot leave implicit (replicas: 1)', () => {
    const job: any = structuredClone(find('jax__cpu-demo__demo.yaml'));
    delete job.spec.jaxReplicaSpecs.Worker.replicas;
    const rebuilt: any = buildJobManifest(describeJob(job));
    expect(rebuilt.spec.jaxReplicaSpecs.Worker.replicas).toBe(1);
    delete rebuilt.spec.jaxReplicaSpecs.Worker.replicas;
    expect(rebuilt).toEqual(job);
  });
});

describe('describeJob reads samples into the common description', () => {
  it('shares what every PyTorch replica has (Katib example)', () => {
    const d = describeJob(find('katib/kubeflow-training-operator__pytorchjob-mnist.yaml'));
    expect(d).toMatchObject({
      name: '',
      kind: 'PyTorchJob',
      image: 'ghcr.io/kubeflow/katib/pytorch-mnist-cpu:latest',
      replicas: { Master: 1, Worker: 1 },
    });
    expect(d.command).toContain('--lr=${trialParameters.learningRate}');
    expect(d.roles).toBeUndefined();
  });

  it('keeps MPI launcher and worker differences as role overrides', () => {
    const d = describeJob(find('katib/kubeflow-training-operator__mpijob-horovod.yaml'));
    expect(d).toMatchObject({
      kind: 'MPIJob',
      containerName: 'mpi-launcher',
      command: ['mpirun'],
      processesPerNode: 1,
    });
    expect(d.roles).toEqual({
      Worker: { containerName: 'mpi-worker', resources: { limits: { cpu: '500m', memory: '4Gi' } } },
    });
    expect(d.passthrough?.spec).toEqual({ cleanPodPolicy: 'Running' });
  });

  it('tells mpi-operator v2beta1 MPIJobs from v1 ones', () => {
    expect(describeJob(find('v2beta1__pi__pi.yaml')).kind).toBe('MPIJobV2');
    expect(describeJob(find('mpi__tensorflow-mnist.yaml')).kind).toBe('MPIJob');
  });

  it('reads GPUs, and keeps ports, mounts and volumes as passthrough (Paddle GPU sample)', () => {
    const d = describeJob(find('paddlepaddle__simple-gpu.yaml'));
    expect(d).toMatchObject({
      kind: 'PaddleJob',
      gpusPerReplica: 2,
      replicas: { Worker: 2 },
      restartPolicy: 'OnFailure',
    });
    expect(d.gpuResource).toBeUndefined();
    expect(Object.keys(d.passthrough?.container ?? {}).sort()).toEqual(['imagePullPolicy', 'ports', 'volumeMounts']);
    expect(d.passthrough?.pod).toEqual({ volumes: [{ name: 'dshm', emptyDir: { medium: 'Memory' } }] });
  });

  it('puts GPUs only where the sample has them (MPI workers)', () => {
    const d = describeJob(find('v2beta1__tensorflow-benchmarks__tensorflow-benchmarks.yaml'));
    expect(d.gpusPerReplica).toBe(1);
    expect(d.roles?.Launcher?.gpusPerReplica).toBeUndefined();
  });

  it('reads a TrainJob and keeps foreign runtime patches', () => {
    const d = describeJob(find('examples__yaml__02-runtime-patches.yaml'));
    expect(d).toMatchObject({
      kind: 'TrainJob',
      replicas: { node: 2 },
      runtimeRef: { name: 'torch-distributed', kind: 'ClusterTrainingRuntime' },
    });
    expect(d.resources).toEqual({ requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '4', memory: '8Gi' } });
    expect(d.passthrough?.spec?.runtimePatches).toHaveLength(1);
  });

  it('reads back its own TrainJob placement patch as node selector and tolerations', () => {
    const spec: TrainingJobSpec = {
      name: 't',
      kind: 'TrainJob',
      runtimeRef: { name: 'torch-distributed' },
      nodeSelector: { pool: 'gpu' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      passthrough: { spec: { runtimePatches: [{ manager: 'kueue.x-k8s.io/manager' }] } },
    };
    expect(describeJob(buildJobManifest(spec))).toEqual(spec);
  });

  it('keeps fields of unexpected shape verbatim', () => {
    const job = {
      apiVersion: 'kubeflow.org/v1',
      kind: 'PyTorchJob',
      metadata: { name: 'odd', generateName: 'odd-' },
      spec: {
        pytorchReplicaSpecs: {
          Master: {
            replicas: '${trialParameters.n}',
            template: {
              spec: { containers: [{ name: 'pytorch', image: 'i', command: 'python train.py', env: 'X=1' }] },
            },
          },
          Worker: { replicas: 2, template: 'see-configmap' },
          PS: 'unparsed',
        },
        nprocPerNode: 'gpu',
        runPolicy: { suspend: true, schedulingPolicy: { queue: 'q' } },
      },
    };
    const d = describeJob(job);
    expect(d.processesPerNode).toBe('gpu');
    expect(d.passthrough?.runPolicy).toEqual({ suspend: true, schedulingPolicy: { queue: 'q' } });
    expect(buildJobManifest({ ...d, name: 'odd' })).toEqual(job);
  });

  it('keeps odd TrainJob fields verbatim', () => {
    const job = {
      apiVersion: 'trainer.kubeflow.org/v1alpha1',
      kind: 'TrainJob',
      metadata: { name: 'odd' },
      spec: {
        runtimeRef: { name: 'torch-distributed', future: true },
        trainer: {
          numNodes: '${trialParameters.nodes}',
          numProcPerNode: 'auto',
          resourcesPerNode: { claims: [{ name: 'gpu' }] },
        },
        suspend: true,
      },
    };
    const d = describeJob(job);
    expect(d.runtimeRef).toEqual({ name: 'torch-distributed' });
    expect(d.passthrough?.spec).toEqual({ runtimeRef: { future: true }, suspend: true });
    expect(d.passthrough?.container).toEqual({
      numNodes: '${trialParameters.nodes}',
      numProcPerNode: 'auto',
      resourcesPerNode: { claims: [{ name: 'gpu' }] },
    });
    const rebuilt = buildJobManifest(d);
    expect(rebuilt).toEqual(job);
  });

  it('refuses kinds it does not model', () => {
    const err = (() => {
      try {
        describeJob({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(WorkbenchError);
    expect((err as WorkbenchError).code).toBe(ErrorCode.unsupported);
  });
});

const roleSets: Record<TrainingJobKind, Record<string, number>[]> = {
  PyTorchJob: [{ Master: 1 }, { Master: 1, Worker: 3 }, { Worker: 2 }],
  TFJob: [{ Worker: 2 }, { Chief: 1, PS: 2, Worker: 3 }],
  MPIJob: [{ Launcher: 1, Worker: 2 }],
  MPIJobV2: [{ Launcher: 1 }, { Launcher: 1, Worker: 4 }],
  XGBoostJob: [{ Master: 1, Worker: 2 }],
  JAXJob: [{ Worker: 2 }],
  PaddleJob: [{ Master: 1, Worker: 2 }],
  TrainJob: [{ node: 2 }],
  Job: [{ Job: 1 }],
};

const kindArb = fc.constantFrom(...(Object.keys(roleSets) as TrainingJobKind[]));
const podArb = fc.record(
  {
    image: fc.constantFrom('a:1', 'b:2'),
    command: fc.constantFrom(['python3', 'train.py'], ['mpirun']),
    args: fc.constantFrom(['--lr=0.1'], ['-np', '2']),
    env: fc.constant([{ name: 'A', value: '1' }]),
    gpusPerReplica: fc.integer({ min: 0, max: 4 }),
    gpuResource: fc.constantFrom('nvidia.com/gpu', 'nvidia.com/mig-1g.10gb'),
    resources: fc.constantFrom({ limits: { cpu: '1' } }, { requests: { memory: '1Gi' }, limits: { cpu: 2 } }),
    nodeSelector: fc.constant({ pool: 'x' }),
    tolerations: fc.constant([{ key: 'k', operator: 'Exists' as const }]),
  },
  { requiredKeys: [] },
);

describe('describeJob inverts buildJobManifest', () => {
  it('for random descriptions with role overrides', () => {
    const specArb = kindArb.chain((kind) =>
      fc.record({
        kind: fc.constant(kind),
        replicas: fc.constantFrom(...roleSets[kind]),
        common: podArb,
        override: kind === 'TrainJob' || kind === 'Job' ? fc.constant({}) : podArb,
      }),
    );
    fc.assert(
      fc.property(specArb, ({ kind, replicas, common, override }) => {
        const roles = Object.keys(replicas);
        const spec = {
          name: 'job',
          kind,
          image: 'base:1',
          replicas,
          ...common,
          ...(kind === 'TrainJob' ? { runtimeRef: { name: 'torch-distributed' }, processesPerNode: 1 } : {}),
          ...(Object.keys(override).length > 0 ? { roles: { [roles[roles.length - 1] as string]: override } } : {}),
        } as TrainingJobSpec;
        const manifest = buildJobManifest(spec);
        expect(buildJobManifest(describeJob(manifest))).toEqual(manifest);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
