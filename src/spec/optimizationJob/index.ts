/** Kubeflow Trainer's OptimizationJob, read as a Katib Experiment and written from one. */
export { type OptimizationJobReading, readOptimizationJob } from './read.ts';
export {
  type OptimizationJobManifest,
  type OptimizationSearchSpace,
  optEnvName,
  optimizationJobApiVersion,
  optimizationJobKind,
} from './types.ts';
export { type OptimizationJobWriting, type ToOptimizationJobOptions, toOptimizationJob } from './write.ts';
