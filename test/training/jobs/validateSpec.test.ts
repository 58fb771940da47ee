/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: Katib's ${trialSpec.Name} placeholders are data here. */
import { describe, expect, it } from 'vitest';
import { type TrainingJobSpec, validateJobSpec } from '../../../src/training/jobs/index.ts';

const image = 'img:1';
const ok: Record<string, TrainingJobSpec> = {
  pytorch: { name: 'ok', kind: 'PyTorchJob', image, replicas: { Master: 1, Worker: 2 } },
  tf: { name: 'ok', kind: 'TFJob', image, replicas: { Chief: 1, Worker: 2 } },
  mpi: { name: 'ok', kind: 'MPIJobV2', image, replicas: { Launcher: 1, Worker: 2 } },
  xgb: { name: 'ok', kind: 'XGBoostJob', image, replicas: { Master: 1 } },
  train: { name: 'ok', kind: 'TrainJob', runtimeRef: { name: 'torch-distributed' } },
  job: { name: 'ok', kind: 'Job', image },
};

type Case = [string, TrainingJobSpec, string[]];

describe('validateJobSpec', () => {
  it.each(Object.entries(ok))('accepts %s', (_, spec) => {
    expect(validateJobSpec(spec)).toEqual([]);
  });

  const cases: Case[] = [
    ['an upper-case name', { ...ok.pytorch!, name: 'MyJob' }, ['name']],
    ['a name starting with a digit', { ...ok.tf!, name: '1job' }, ['name']],
    ['a 64-character name', { ...ok.pytorch!, name: `a${'b'.repeat(63)}` }, ['name']],
    ['a bad namespace', { ...ok.pytorch!, namespace: 'Team_A' }, ['namespace']],
    ['two PyTorch masters', { ...ok.pytorch!, replicas: { Master: 2, Worker: 1 } }, ['replicas.Master']],
    ['zero PyTorch workers', { ...ok.pytorch!, replicas: { Master: 1, Worker: 0 } }, ['replicas.Worker']],
    ['TF Chief and Master together', { ...ok.tf!, replicas: { Chief: 1, Master: 1, Worker: 1 } }, ['replicas']],
    ['two TF chiefs', { ...ok.tf!, replicas: { Chief: 2, Worker: 1 } }, ['replicas.Chief']],
    ['an XGBoostJob without Master', { ...ok.xgb!, replicas: { Worker: 2 } }, ['replicas.Master']],
    ['an MPIJob without Launcher', { ...ok.mpi!, replicas: { Worker: 2 } }, ['replicas.Launcher']],
    ['two MPI launchers', { ...ok.mpi!, replicas: { Launcher: 2, Worker: 2 } }, ['replicas.Launcher']],
    ['a role the kind lacks', { ...ok.pytorch!, replicas: { Master: 1, Chief: 1 } }, ['replicas.Chief']],
    ['a fractional replica count', { ...ok.pytorch!, replicas: { Master: 1, Worker: 1.5 } }, ['replicas.Worker']],
    ['no roles at all', { ...ok.pytorch!, replicas: {} }, ['replicas']],
    ['overrides for a role not run', { ...ok.pytorch!, roles: { Chief: { image } } }, ['roles.Chief']],
    ['the wrong PyTorch container name', { ...ok.pytorch!, containerName: 'main' }, ['containerName']],
    [
      'the wrong container name on one role',
      { ...ok.pytorch!, roles: { Worker: { containerName: 'worker' } } },
      ['roles.Worker.containerName'],
    ],
    ['a TrainJob container not called node', { ...ok.train!, containerName: 'trainer' }, ['containerName']],
    ['an invalid Job container name', { ...ok.job!, containerName: 'Main_Container' }, ['containerName']],
    ['no image', { name: 'x', kind: 'JAXJob' }, ['image']],
    ['an empty image on one role', { ...ok.pytorch!, roles: { Worker: { image: '' } } }, ['roles.Worker.image']],
    ['processes per node on a TFJob', { ...ok.tf!, processesPerNode: 2 }, ['processesPerNode']],
    ['processes per node "auto" on an MPIJob', { ...ok.mpi!, processesPerNode: 'auto' }, ['processesPerNode']],
    ['processes per node 0 on PyTorch', { ...ok.pytorch!, processesPerNode: 0 }, ['processesPerNode']],
    ['a bad v1 restart policy', { ...ok.pytorch!, restartPolicy: 'Sometimes' }, ['restartPolicy']],
    ['restartPolicy Always on a batch Job', { ...ok.job!, restartPolicy: 'Always' }, ['restartPolicy']],
    ['a restart policy on a TrainJob', { ...ok.train!, restartPolicy: 'Never' }, ['restartPolicy']],
    ['negative GPUs', { ...ok.pytorch!, gpusPerReplica: -1 }, ['gpusPerReplica']],
    ['a bad GPU resource name', { ...ok.pytorch!, gpusPerReplica: 1, gpuResource: 'nvidia.com/ gpu' }, ['gpuResource']],
    [
      'two GPU resource types',
      { ...ok.pytorch!, gpusPerReplica: 1, resources: { limits: { 'amd.com/gpu': 1 } } },
      ['resources'],
    ],
    ['a malformed quantity', { ...ok.job!, resources: { limits: { memory: '2 GB' } } }, ['resources.limits.memory']],
    [
      'a toleration with Exists and a value',
      { ...ok.job!, tolerations: [{ key: 'k', operator: 'Exists', value: 'v' }] },
      ['tolerations[0].value'],
    ],
    [
      'a cleanPodPolicy on a TrainJob',
      { ...ok.train!, runPolicy: { cleanPodPolicy: 'All' } },
      ['runPolicy.cleanPodPolicy'],
    ],
    ['a backoffLimit on a TrainJob', { ...ok.train!, runPolicy: { backoffLimit: 2 } }, ['runPolicy.backoffLimit']],
    [
      'a cleanPodPolicy on a batch Job',
      { ...ok.job!, runPolicy: { cleanPodPolicy: 'All' } },
      ['runPolicy.cleanPodPolicy'],
    ],
    [
      'activeDeadlineSeconds 0',
      { ...ok.pytorch!, runPolicy: { activeDeadlineSeconds: 0 } },
      ['runPolicy.activeDeadlineSeconds'],
    ],
    ['a TrainJob without runtimeRef', { name: 'x', kind: 'TrainJob' }, ['runtimeRef.name']],
    ['a runtimeRef on a PyTorchJob', { ...ok.pytorch!, runtimeRef: { name: 'torch' } }, ['runtimeRef']],
    ['sidecars on a TrainJob', { ...ok.train!, passthrough: { sidecars: [{ name: 'x' }] } }, ['passthrough.sidecars']],
    ['an unknown kind', { name: 'x', kind: 'SparkJob' } as unknown as TrainingJobSpec, ['kind']],
  ];

  it.each(cases)('reports %s', (_, spec, paths) => {
    expect(validateJobSpec(spec).map((i) => i.path)).toEqual(paths);
  });

  it('says which name the webhook wants', () => {
    expect(validateJobSpec({ ...ok.pytorch!, containerName: 'main' })[0]?.message).toMatch(/named "pytorch"/);
  });

  it('accepts Katib placeholders and template names, which are filled in later', () => {
    expect(validateJobSpec({ ...ok.pytorch!, name: '' })).toEqual([]);
    expect(validateJobSpec({ ...ok.pytorch!, name: '${trialSpec.Name}' })).toEqual([]);
  });

  it('warns when MIG hides GPUs from Trainer and numProcPerNode is not set', () => {
    const mig = { ...ok.train!, gpusPerReplica: 1, gpuResource: 'nvidia.com/mig-1g.10gb' };
    expect(validateJobSpec(mig)).toEqual([expect.objectContaining({ path: 'processesPerNode', severity: 'warning' })]);
    expect(validateJobSpec({ ...mig, processesPerNode: 1 })).toEqual([]);
  });

  it('warns about torch env vars the Trainer runtime owns', () => {
    const spec = { ...ok.train!, env: [{ name: 'PET_NNODES', value: '2' }] };
    expect(validateJobSpec(spec)).toEqual([expect.objectContaining({ path: 'env', severity: 'warning' })]);
  });

  it('reports a job-wide problem once, not once per role', () => {
    expect(validateJobSpec({ ...ok.pytorch!, image: '' })).toHaveLength(1);
  });
});
