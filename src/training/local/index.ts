/**
 * The local distributed launcher: multi-replica Kubeflow training jobs (PyTorchJob, TFJob, MPIJob, XGBoostJob,
 * JAXJob, PaddleJob) and TrainJobs run as local processes with the variables their operators inject.
 */
export { distributedEnv } from './distributedEnv.ts';
export { type LauncherOptions, LocalDistributedExecutor, type LocalDistributedExecutorOptions } from './executor.ts';
export {
  containerGpuRequests,
  detectGpus,
  GpuAllocator,
  type GpuDevice,
  type GpuLease,
  type GpuRequest,
  parseNvidiaSmiList,
  sharedGpuAllocator,
} from './gpu.ts';
export { hostfileText, isMpiLauncher, localMpirunArgv, type MpiLaunchOptions, mpiSlots } from './mpi.ts';
export { needsDistributedLauncher, planTrial, type ReplicaPlan, type TrialPlan } from './plan.ts';
export { freePorts } from './ports.ts';
export {
  canonicalRole,
  type DistributedKind,
  type DistributedTopology,
  type ElasticPolicy,
  isDistributedKind,
  type JobShape,
  jobShape,
  kindRoles,
  type MpiTopology,
  masterReplica,
  type TrainerPolicy,
} from './topology.ts';
