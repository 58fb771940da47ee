/**
 * Trial job kinds Katib knows how to default, and where each keeps its pod templates
 * (REFERENCE §1.1 defaults; kubeflow REFERENCE §1a replica maps).
 */

/** Training-operator v1 kinds → the field holding their replica specs. */
export const kubeflowReplicaKeys: Readonly<Record<string, string>> = {
  TFJob: 'tfReplicaSpecs',
  PyTorchJob: 'pytorchReplicaSpecs',
  MPIJob: 'mpiReplicaSpecs',
  XGBoostJob: 'xgbReplicaSpecs',
  JAXJob: 'jaxReplicaSpecs',
  PaddleJob: 'paddleReplicaSpecs',
};

/** Kinds that run pods we cannot see into statically (their containers live in kind-specific structures). */
export const opaqueKinds: ReadonlySet<string> = new Set(['Workflow', 'PipelineRun']);

/** A GJSON condition on `status.conditions` that matches a True condition of `type` (Katib's default form). */
export function conditionOf(type: string): string {
  return `status.conditions.#(type=="${type}")#|#(status=="True")#`;
}

/** Katib's default success/failure conditions for an inline trialSpec of `kind`, or undefined when it has none. */
export function defaultConditions(kind: string): { success: string; failure: string } | undefined {
  if (kind === 'Job' || kind === 'TrainJob')
    return { success: conditionOf('Complete'), failure: conditionOf('Failed') };
  if (kind in kubeflowReplicaKeys) return { success: conditionOf('Succeeded'), failure: conditionOf('Failed') };
  return undefined;
}

/** Katib's default `primaryPodLabels` for `kind`, or undefined (all pods of the trial are primary). */
export function defaultPrimaryPodLabels(kind: string): Record<string, string> | undefined {
  // The training operator labels the master/chief/launcher/worker-0 pod with job-role=master.
  if (kind in kubeflowReplicaKeys) return { 'training.kubeflow.org/job-role': 'master' };
  if (kind === 'TrainJob') {
    return { 'jobset.sigs.k8s.io/replicatedjob-name': 'node', 'batch.kubernetes.io/job-completion-index': '0' };
  }
  return undefined;
}
