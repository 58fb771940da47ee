/**
 * Trial job kinds Katib knows how to default, and where each keeps its pod templates (REFERENCE §1.1 defaults;
 * kubeflow REFERENCE §1a replica maps), read from the one table in `jobKinds.ts` by manifest kind.
 */
import { jobKindOfManifestKind, jobKindTable } from './jobKinds.ts';

/** Training-operator v1 (and mpi-operator v2beta1) manifest kinds → the field holding their replica specs. */
export const kubeflowReplicaKeys: Readonly<Record<string, string>> = Object.fromEntries(
  Object.values(jobKindTable).flatMap((info) =>
    info.family === 'kubeflow' && info.replicaKey !== undefined ? [[info.manifestKind, info.replicaKey]] : [],
  ),
);

/** The field holding the replica specs of a manifest `kind`, or undefined when it is not a Kubeflow replica kind. */
export function replicaKeyOf(kind: string): string | undefined {
  // Object.hasOwn, not `in`: a kind named `toString` or `constructor` is not a Kubeflow kind.
  return Object.hasOwn(kubeflowReplicaKeys, kind) ? kubeflowReplicaKeys[kind] : undefined;
}

/** Kinds that run pods we cannot see into statically (their containers live in kind-specific structures). */
export const opaqueKinds: ReadonlySet<string> = new Set(['Workflow', 'PipelineRun']);

/** A GJSON condition on `status.conditions` that matches a True condition of `type` (Katib's default form). */
export function conditionOf(type: string): string {
  return `status.conditions.#(type=="${type}")#|#(status=="True")#`;
}

/** Katib's default success/failure conditions for an inline trialSpec of `kind`, or undefined when it has none. */
export function defaultConditions(kind: string): { success: string; failure: string } | undefined {
  const info = jobKindOfManifestKind(kind);
  if (info === undefined) return undefined;
  return { success: conditionOf(info.successCondition), failure: conditionOf('Failed') };
}

/** Katib's default `primaryPodLabels` for `kind`, or undefined (all pods of the trial are primary). */
export function defaultPrimaryPodLabels(kind: string): Record<string, string> | undefined {
  const labels = jobKindOfManifestKind(kind)?.primaryPodLabels;
  return labels === undefined ? undefined : { ...labels };
}
