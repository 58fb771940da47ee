/**
 * The variables each training operator injects into a replica's containers (kubeflow REFERENCE §1b, §1d, §2,
 * read against the operators' `envvar.go`/plugin code), with the job's service names replaced by the local host
 * and the template's ports by free local ones.
 */
import type { DistributedKind, DistributedTopology } from './topology.ts';

type Env = Record<string, string>;

function total(t: DistributedTopology): number {
  return Object.values(t.replicas).reduce((a, b) => a + b, 0);
}

function port(t: DistributedTopology, role: string, index = 0): number {
  const p = t.ports[role]?.[index];
  if (p === undefined) throw new Error(`no port was allocated for replica ${role}-${index}`);
  return p;
}

/** PyTorchJob (`pytorch/envvar.go`, `master.go`, `elastic.go`). */
function pytorchEnv(role: string, index: number, t: DistributedTopology): Env {
  const env: Env = { PYTHONUNBUFFERED: '0' };
  const n = total(t);
  if ((t.replicas.Master ?? 0) > 0) {
    const rank = role === 'Worker' ? index + 1 : index;
    const nproc = Number(t.nprocPerNode);
    const masterPort = String(port(t, 'Master'));
    Object.assign(env, {
      MASTER_ADDR: t.host,
      MASTER_PORT: masterPort,
      PET_MASTER_ADDR: t.host,
      PET_MASTER_PORT: masterPort,
      // "auto" or any non-integer counts as one process per node, as the operator does.
      WORLD_SIZE: String(n * (Number.isInteger(nproc) && nproc > 0 ? nproc : 1)),
      RANK: String(rank),
      PET_NPROC_PER_NODE: t.nprocPerNode ?? 'auto',
      PET_NODE_RANK: String(rank),
      // Not set by the operator (torchrun sets it per process); each replica here is one process on its
      // own "node", so its local rank is 0.
      LOCAL_RANK: '0',
    });
  }
  const e = t.elasticPolicy;
  if (e === undefined) {
    env.PET_NNODES = String(n);
    return env;
  }
  const workers = t.replicas.Worker ?? 0;
  // The rendezvous runs on worker 0 (rdzvHost/rdzvPort name cluster addresses; locally it is a free port).
  const rdzvRole = workers > 0 ? 'Worker' : 'Master';
  env.PET_RDZV_ENDPOINT = `${t.host}:${port(t, rdzvRole)}`;
  env.PET_RDZV_BACKEND = e.rdzvBackend ?? 'c10d';
  env.PET_NNODES =
    e.minReplicas === undefined && e.maxReplicas === undefined
      ? String(workers)
      : `${e.minReplicas ?? workers}:${e.maxReplicas ?? workers}`;
  if (e.maxRestarts !== undefined) env.PET_MAX_RESTARTS = String(e.maxRestarts);
  if (e.nProcPerNode !== undefined) env.PET_NPROC_PER_NODE = String(e.nProcPerNode);
  if (e.rdzvId !== undefined) env.PET_RDZV_ID = e.rdzvId;
  if (e.rdzvConf !== undefined && e.rdzvConf.length > 0) {
    env.PET_RDZV_CONF = e.rdzvConf.map((c) => `${c.key}=${c.value}`).join(',');
  }
  if (e.standalone === true) env.PET_STANDALONE = '';
  return env;
}

/** TFJob (`tensorflow.go`): TF_CONFIG only when the job has more than one replica; evaluators are not in the cluster. */
function tensorflowEnv(role: string, index: number, t: DistributedTopology): Env {
  if (total(t) === 1) return {};
  const cluster: Record<string, string[]> = {};
  for (const [r, n] of Object.entries(t.replicas).sort(([a], [b]) => a.toLowerCase().localeCompare(b.toLowerCase()))) {
    if (r === 'Evaluator' || n <= 0) continue;
    cluster[r.toLowerCase()] = Array.from({ length: n }, (_, i) => `${t.host}:${port(t, r, i)}`);
  }
  const type = role.toLowerCase();
  const task = { type, index };
  if (t.enableDynamicWorker) {
    // The sparse form names only this task (and, for a worker, every PS).
    const sparse: { worker: Record<string, string>; ps: string[] | null } = { worker: {}, ps: [] };
    if (type === 'ps') sparse.ps = [cluster.ps?.[index] ?? ''];
    else if (type === 'worker') {
      sparse.ps = cluster.ps ?? null;
      sparse.worker[String(index)] = cluster.worker?.[index] ?? '';
    }
    return { TF_CONFIG: JSON.stringify({ sparseCluster: sparse, task }) };
  }
  return { TF_CONFIG: JSON.stringify({ cluster, task, environment: 'cloud' }) };
}

/** XGBoostJob (`xgboost/xgboost.go`): workers' ranks follow the master's; WORKER_* are for LightGBM. */
function xgboostEnv(role: string, index: number, t: DistributedTopology): Env {
  const n = total(t);
  const rank = role === 'Worker' ? index + (t.replicas.Master ?? 0) : index;
  const env: Env = {
    MASTER_PORT: String(port(t, 'Master')),
    MASTER_ADDR: t.host,
    WORLD_SIZE: String(n),
    RANK: String(rank),
    PYTHONUNBUFFERED: '0',
  };
  if (n > 1) {
    // One port for every worker, as on a cluster where each worker has its own address.
    env.WORKER_PORT = String(port(t, (t.replicas.Worker ?? 0) > 0 ? 'Worker' : 'Master'));
    env.WORKER_ADDRS = Array.from({ length: n - 1 }, () => t.host).join(',');
  }
  return env;
}

/** JAXJob (`jax/envvar.go`): worker 0 coordinates. */
function jaxEnv(_role: string, index: number, t: DistributedTopology): Env {
  return {
    PYTHONUNBUFFERED: '1',
    COORDINATOR_PORT: String(port(t, 'Worker')),
    COORDINATOR_ADDRESS: t.host,
    NUM_PROCESSES: String(total(t)),
    PROCESS_ID: String(index),
  };
}

/**
 * PaddleJob (`paddlepaddle/envvar.go`): collective mode without a Master (worker 0 is the endpoint), PS mode
 * with one. The endpoint replica gets `POD_IP_DUMMY` (its pod IP; here the local host).
 */
function paddleEnv(role: string, index: number, t: DistributedTopology): Env {
  const env: Env = { PYTHONUNBUFFERED: '0', PADDLE_JOB_ID: t.jobName, PADDLE_NNODES: String(total(t)) };
  const psMode = (t.replicas.Master ?? 0) > 0;
  const endpointRole = psMode ? 'Master' : 'Worker';
  if (index === 0 && (!psMode || role === 'Master')) env.POD_IP_DUMMY = t.host;
  env.PADDLE_MASTER = `${t.host}:${port(t, endpointRole)}`;
  if (psMode) {
    if (role === 'Master') env.PADDLE_SERVER_NUM = '1';
    else env.PADDLE_TRAINER_NUM = '1';
  }
  return env;
}

/** MPIJob launcher (`mpi/mpijob.go` for v1, mpi-operator v2beta1); workers get nothing from v1. */
function mpiEnv(role: string, _index: number, t: DistributedTopology): Env {
  const mpi = t.mpi;
  if (mpi === undefined) throw new Error('MPIJob topology without MPI settings');
  if (mpi.version === 'v1') {
    // kubexec.sh (OMPI_MCA_plm_rsh_agent) is not needed: every rank starts on this machine.
    return role === 'Launcher' ? { OMPI_MCA_orte_default_hostfile: mpi.hostfile } : {};
  }
  if (role !== 'Launcher') return { K_MPI_JOB_ROLE: 'worker' };
  return {
    K_MPI_JOB_ROLE: 'launcher',
    OMPI_MCA_orte_keep_fqdn_hostnames: 'true',
    OMPI_MCA_orte_default_hostfile: mpi.hostfile,
    OMPI_MCA_orte_set_default_slots: String(mpi.slotsPerWorker),
  };
}

/** TrainJob, by the runtime's ML policy (Trainer v2 torch/jax/xgboost plugins); node 0 is the master. */
function trainJobEnv(_role: string, index: number, t: DistributedTopology): Env {
  const nodes = t.replicas.node ?? 1;
  const p = String(port(t, 'node'));
  switch (t.mlPolicy) {
    case 'jax':
      return {
        JAX_NUM_PROCESSES: String(nodes),
        JAX_PROCESS_ID: String(index),
        JAX_COORDINATOR_ADDRESS: `${t.host}:${p}`,
      };
    case 'xgboost':
      return {
        DMLC_TRACKER_URI: t.host,
        DMLC_TRACKER_PORT: p,
        DMLC_TASK_ID: String(index),
        DMLC_NUM_WORKER: String(nodes * (t.workersPerNode ?? 1)),
      };
    case 'mpi':
      throw new Error('TrainJob runtimes with the MPI policy are not run locally');
    default:
      return {
        PET_NNODES: String(nodes),
        PET_NPROC_PER_NODE: t.nprocPerNode ?? 'auto',
        PET_NODE_RANK: String(index),
        PET_MASTER_ADDR: t.host,
        PET_MASTER_PORT: p,
      };
  }
}

const builders: Readonly<Record<DistributedKind, (role: string, index: number, t: DistributedTopology) => Env>> = {
  PyTorchJob: pytorchEnv,
  TFJob: tensorflowEnv,
  MPIJob: mpiEnv,
  XGBoostJob: xgboostEnv,
  JAXJob: jaxEnv,
  PaddleJob: paddleEnv,
  TrainJob: trainJobEnv,
};

/**
 * The variables the operator of `kind` injects into replica `role`-`index` (role spelled as in
 * {@link kindRoles}). TFJob's TF_CONFIG goes only into the container named `tensorflow`; the caller applies that.
 */
export function distributedEnv(
  kind: DistributedKind,
  role: string,
  index: number,
  topology: DistributedTopology,
): Record<string, string> {
  return builders[kind](role, index, topology);
}
