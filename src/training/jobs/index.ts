/** Kubeflow job kinds: one description, manifest builders, describe-back, admission and CRD-schema validation. */
export { buildJobManifest, placementPatchManager } from './build.ts';
export { validateAgainstCrd } from './crdValidator.ts';
export { describeJob } from './describe.ts';
export {
  appliesTo,
  defaultContainerName,
  isTrainingJobKind,
  type JobKindInfo,
  jobKinds,
  kindOfManifest,
  primaryRole,
  trainingJobKinds,
} from './kinds.ts';
export { gpuResourceName, isGpuResource, isMigResource } from './names.ts';
export { validateOptimizationJob } from './optimizationJob.ts';
export type { GpuRequest, RoleValues } from './pod.ts';
export { jobReplicas, resolveRole } from './resolve.ts';
export type {
  ComputeResources,
  EnvVar,
  JobPassthrough,
  JsonObject,
  PodPassthrough,
  PodShape,
  Quantity,
  RoleSpec,
  RunPolicy,
  RuntimeRef,
  Toleration,
  TrainingJobKind,
  TrainingJobSpec,
} from './types.ts';
export { validateJobManifest } from './validateManifest.ts';
export { validateJobSpec } from './validateSpec.ts';
