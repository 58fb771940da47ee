/** The Kubernetes backend (`hpo-workbench/kubernetes`): trial jobs in a cluster, dry runs, and Katib submission. */
export { type ApiFailure, apiFailure, describeFailure } from './apiError.ts';
export { type KubeClients, kubeClients, loadKubeConfig } from './clients.ts';
export {
  type DoctorCheck,
  type DoctorOptions,
  type DoctorPurpose,
  formatDoctor,
  runDoctor,
} from './doctor.ts';
export { type DryRunOptions, dryRunManifests, renderDryRun } from './dryRun.ts';
export { type ClusterExecutorOptions, KubernetesExecutor, type KubernetesExecutorOptions } from './executor.ts';
export {
  type ClusterCondition,
  type ClusterExperimentStatus,
  type ClusterOptimalTrial,
  type ClusterTrialCounts,
  experimentStatusFrom,
  formatExperimentStatus,
  readExperimentStatus,
} from './experimentStatus.ts';
export { type JobJudge, type JobVerdict, jobJudge } from './judge.ts';
export { diagnosePod, type PodEvent, type PodTrouble, type TroubleAction } from './podTrouble.ts';
export { defaultRetryPolicy, type RetryPolicy } from './retry.ts';
export {
  checkKatibWebhook,
  injectionFix,
  injectionLabel,
  type SubmitOptions,
  type SubmittedExperiment,
  submitExperiment,
} from './submit.ts';
export { assignmentAnnotation, buildTrialJob, experimentLabel, trialLabel } from './trialJob.ts';
export {
  earlyStoppedCondition,
  earlyStoppedMarker,
  type MarkEarlyStoppedOptions,
  markTrialEarlyStopped,
  trialNamespace,
} from './trialStatus.ts';
export type { KubeObject, ResourceRef } from './types.ts';
