import { describe, expect, it } from 'vitest';
import {
  type DistributedTopology,
  distributedEnv,
  jobShape,
  needsDistributedLauncher,
  planTrial,
} from '../../../src/training/local/index.ts';

const host = '127.0.0.1';

function topo(
  over: Partial<DistributedTopology> & Pick<DistributedTopology, 'replicas' | 'ports'>,
): DistributedTopology {
  return { jobName: 'job', host, ...over };
}

describe('distributedEnv: operator variables the executor tests do not reach', () => {
  it('PyTorchJob elasticPolicy: rendezvous at worker 0, PET_NNODES min:max and the optional PET_* fields', () => {
    const t = topo({
      replicas: { Worker: 3 },
      ports: { Worker: [5001, 5002, 5003] },
      nprocPerNode: '2',
      elasticPolicy: {
        minReplicas: 1,
        maxReplicas: 3,
        maxRestarts: 2,
        rdzvId: 'r1',
        rdzvConf: [
          { key: 'a', value: '1' },
          { key: 'b', value: '2' },
        ],
        standalone: true,
      },
    });
    expect(distributedEnv('PyTorchJob', 'Worker', 1, t)).toEqual({
      PYTHONUNBUFFERED: '0',
      PET_RDZV_ENDPOINT: '127.0.0.1:5001',
      PET_RDZV_BACKEND: 'c10d',
      PET_NNODES: '1:3',
      PET_MAX_RESTARTS: '2',
      PET_RDZV_ID: 'r1',
      PET_RDZV_CONF: 'a=1,b=2',
      PET_STANDALONE: '',
    });
  });

  it('PyTorchJob nprocPerNode multiplies WORLD_SIZE; a worker-only job without elasticPolicy gets PET_NNODES only', () => {
    const withMaster = topo({
      replicas: { Master: 1, Worker: 1 },
      ports: { Master: [7000], Worker: [7001] },
      nprocPerNode: '4',
    });
    expect(distributedEnv('PyTorchJob', 'Worker', 0, withMaster)).toMatchObject({
      WORLD_SIZE: '8',
      RANK: '1',
      PET_NPROC_PER_NODE: '4',
    });
    const workersOnly = topo({ replicas: { Worker: 2 }, ports: { Worker: [1, 2] }, nprocPerNode: 'auto' });
    expect(distributedEnv('PyTorchJob', 'Worker', 1, workersOnly)).toEqual({ PYTHONUNBUFFERED: '0', PET_NNODES: '2' });
  });

  it('TFJob: a single replica gets no TF_CONFIG; enableDynamicWorker gives the sparse form', () => {
    expect(distributedEnv('TFJob', 'Worker', 0, topo({ replicas: { Worker: 1 }, ports: { Worker: [1] } }))).toEqual({});
    const t = topo({
      replicas: { PS: 1, Worker: 2 },
      ports: { PS: [10], Worker: [11, 12] },
      enableDynamicWorker: true,
    });
    expect(JSON.parse(distributedEnv('TFJob', 'Worker', 1, t).TF_CONFIG!)).toEqual({
      sparseCluster: { worker: { '1': '127.0.0.1:12' }, ps: ['127.0.0.1:10'] },
      task: { type: 'worker', index: 1 },
    });
  });

  it('MPIJob launcher: v1 gets the hostfile; v2beta1 also the job role and default slots', () => {
    const mpi = { hostfile: '/t/hostfile', slotsPerWorker: 2, launcherAsWorker: false, implementation: 'OpenMPI' };
    const v1 = topo({ replicas: { Launcher: 1, Worker: 2 }, ports: {}, mpi: { ...mpi, version: 'v1' } });
    expect(distributedEnv('MPIJob', 'Launcher', 0, v1)).toEqual({ OMPI_MCA_orte_default_hostfile: '/t/hostfile' });
    const v2 = topo({ replicas: { Launcher: 1, Worker: 2 }, ports: {}, mpi: { ...mpi, version: 'v2beta1' } });
    expect(distributedEnv('MPIJob', 'Launcher', 0, v2)).toEqual({
      K_MPI_JOB_ROLE: 'launcher',
      OMPI_MCA_orte_keep_fqdn_hostnames: 'true',
      OMPI_MCA_orte_default_hostfile: '/t/hostfile',
      OMPI_MCA_orte_set_default_slots: '2',
    });
  });

  it('TrainJob: the runtime name picks the jax or xgboost plugin variables', () => {
    const jax = topo({ replicas: { node: 2 }, ports: { node: [9, 10] }, mlPolicy: 'jax' });
    expect(distributedEnv('TrainJob', 'node', 1, jax)).toEqual({
      JAX_NUM_PROCESSES: '2',
      JAX_PROCESS_ID: '1',
      JAX_COORDINATOR_ADDRESS: '127.0.0.1:9',
    });
    const xgb = topo({ replicas: { node: 2 }, ports: { node: [9, 10] }, mlPolicy: 'xgboost', workersPerNode: 2 });
    expect(distributedEnv('TrainJob', 'node', 0, xgb)).toEqual({
      DMLC_TRACKER_URI: host,
      DMLC_TRACKER_PORT: '9',
      DMLC_TASK_ID: '0',
      DMLC_NUM_WORKER: '4',
    });
  });
});

describe('jobShape and planTrial', () => {
  it('reads TrainJob runtimes and numProcPerNode the way the Trainer plugins do', () => {
    const tj = (runtime: string, trainer: Record<string, unknown>) => ({
      kind: 'TrainJob',
      spec: { runtimeRef: { name: runtime }, trainer },
    });
    expect(jobShape('TrainJob', tj('torch-distributed', {}), { node: 1 })).toMatchObject({
      mlPolicy: 'torch',
      nprocPerNode: 'auto',
    });
    expect(
      jobShape('TrainJob', tj('torch-distributed', { resourcesPerNode: { limits: { cpu: '3' } } }), { node: 1 })
        .nprocPerNode,
    ).toBe('3');
    expect(
      jobShape('TrainJob', tj('torch-distributed', { resourcesPerNode: { limits: { 'nvidia.com/gpu': 1, cpu: 4 } } }), {
        node: 1,
      }).nprocPerNode,
    ).toBe('auto');
    expect(
      jobShape('TrainJob', tj('xgboost-distributed', { resourcesPerNode: { limits: { 'nvidia.com/gpu': 2 } } }), {
        node: 1,
      }),
    ).toMatchObject({
      mlPolicy: 'xgboost',
      workersPerNode: 2,
    });
    expect(() => planTrial(tj('deepspeed-distributed', { numNodes: 2, command: ['x'] }), 'node')).toThrow(
      /MPI runtime/,
    );
  });

  it('normalises role names, finds the master replica and skips MPI workers as processes', () => {
    const c = (name: string) => ({ template: { spec: { containers: [{ name, image: 'x', command: ['x'] }] } } });
    const plan = planTrial(
      { kind: 'MPIJob', spec: { mpiReplicaSpecs: { launcher: c('l'), worker: { replicas: 2, ...c('w') } } } },
      'l',
    );
    expect(plan.replicas.map((r) => [r.name, r.master, r.runsProcess])).toEqual([
      ['launcher-0', true, true],
      ['worker-0', false, false],
      ['worker-1', false, false],
    ]);
    const tf = planTrial(
      { kind: 'TFJob', spec: { tfReplicaSpecs: { ps: c('tensorflow'), Worker: { replicas: 2, ...c('tensorflow') } } } },
      'tensorflow',
    );
    expect(tf.replicas.filter((r) => r.master).map((r) => r.name)).toEqual(['worker-0']);
    expect(() =>
      planTrial({ kind: 'PyTorchJob', spec: { pytorchReplicaSpecs: { Chief: c('pytorch') } } }, 'pytorch'),
    ).toThrow("PyTorchJob has no replica type 'Chief'");
  });

  const needs: [string, Record<string, unknown>, boolean][] = [
    ['a 2-replica PyTorchJob', { kind: 'PyTorchJob', spec: { pytorchReplicaSpecs: { Master: {}, Worker: {} } } }, true],
    ['a 1-replica PyTorchJob', { kind: 'PyTorchJob', spec: { pytorchReplicaSpecs: { Master: {} } } }, false],
    ['any MPIJob', { kind: 'MPIJob', spec: { mpiReplicaSpecs: { Launcher: {} } } }, true],
    ['a TrainJob with 2 nodes', { kind: 'TrainJob', spec: { trainer: { numNodes: 2 } } }, true],
    [
      'a 1-replica job requesting a GPU',
      {
        kind: 'PyTorchJob',
        spec: {
          pytorchReplicaSpecs: {
            Master: {
              template: { spec: { containers: [{ name: 'pytorch', resources: { limits: { 'nvidia.com/gpu': 1 } } }] } },
            },
          },
        },
      },
      true,
    ],
    ['a batch Job', { apiVersion: 'batch/v1', kind: 'Job', spec: { parallelism: 3 } }, false],
  ];
  for (const [name, spec, want] of needs) {
    it(`needsDistributedLauncher: ${name} → ${want}`, () => expect(needsDistributedLauncher(spec)).toBe(want));
  }
});
