/**
 * Manifest builders: one `TrainingJobSpec` → a PyTorchJob/TFJob/MPIJob/XGBoostJob/JAXJob/PaddleJob (kubeflow.org/v1),
 * an mpi-operator MPIJob (kubeflow.org/v2beta1), a Trainer v2 TrainJob or a batch/v1 Job.
 */
import { throwIfIssues } from '../../common/errors.ts';
import { isRecord } from '../../spec/read.ts';
import { compact, overlay } from './json.ts';
import { jobKinds } from './kinds.ts';
import { buildPodTemplate, buildResources } from './pod.ts';
import { jobReplicas, resolveRole } from './resolve.ts';
import type { JsonObject, TrainingJobSpec } from './types.ts';
import { validateJobSpec } from './validateSpec.ts';

/** The `manager` of the runtime patch that carries a TrainJob's node selector and tolerations. */
export const placementPatchManager = 'hpo-workbench.io/placement';

function nonEmpty(o: JsonObject): JsonObject | undefined {
  return Object.keys(o).length > 0 ? o : undefined;
}

function metadataOf(spec: TrainingJobSpec): JsonObject | undefined {
  const base = compact({
    name: spec.name === '' ? undefined : spec.name,
    namespace: spec.namespace,
    labels: spec.labels,
    annotations: spec.annotations,
  });
  return nonEmpty(overlay(base, spec.passthrough?.metadata));
}

function processesValue(spec: TrainingJobSpec): unknown {
  const p = spec.processesPerNode;
  // PyTorchJob's nprocPerNode is a string field (`auto`, `cpu`, `gpu` or a number as text).
  if (p !== undefined && jobKinds[spec.kind].processesField === 'nprocPerNode') return String(p);
  return p;
}

function kubeflowSpec(spec: TrainingJobSpec): JsonObject {
  const info = jobKinds[spec.kind];
  const replicaSpecs: JsonObject = {};
  for (const [role, replicas] of Object.entries(jobReplicas(spec))) {
    const v = resolveRole(spec, role);
    const base = compact({ replicas, restartPolicy: v.restartPolicy, template: buildPodTemplate(v) });
    replicaSpecs[role] = overlay(base, v.replicaSpec);
  }
  const rp = spec.runPolicy;
  const runPolicy = overlay(
    compact({
      cleanPodPolicy: rp?.cleanPodPolicy,
      ttlSecondsAfterFinished: rp?.ttlSecondsAfterFinished,
      activeDeadlineSeconds: rp?.activeDeadlineSeconds,
      backoffLimit: rp?.backoffLimit,
    }),
    spec.passthrough?.runPolicy,
  );
  const out: JsonObject = {};
  if (info.processesField !== undefined && spec.processesPerNode !== undefined) {
    out[info.processesField] = processesValue(spec);
  }
  if (Object.keys(runPolicy).length > 0) out.runPolicy = runPolicy;
  out[info.replicaKey ?? ''] = replicaSpecs;
  return overlay(out, spec.passthrough?.spec);
}

/** The runtime patch placing a TrainJob's nodes (node selector, tolerations, other pod fields), or undefined. */
function placementPatch(spec: TrainingJobSpec): JsonObject | undefined {
  const v = resolveRole(spec, 'node');
  const podSpec = overlay(compact({ nodeSelector: v.nodeSelector, tolerations: v.tolerations }), v.pod);
  if (Object.keys(podSpec).length === 0) return undefined;
  const replicatedJob = { name: 'node', template: { spec: { template: { spec: podSpec } } } };
  return {
    manager: placementPatchManager,
    trainingRuntimeSpec: { template: { spec: { replicatedJobs: [replicatedJob] } } },
  };
}

function trainJobSpec(spec: TrainingJobSpec): JsonObject {
  const v = resolveRole(spec, 'node');
  const ref = spec.runtimeRef;
  const trainer = overlay(
    compact({
      image: v.image,
      command: v.command,
      args: v.args,
      env: v.env,
      numNodes: spec.replicas?.node,
      numProcPerNode: spec.processesPerNode,
      resourcesPerNode: buildResources(v.resources, v.gpu),
    }),
    v.container,
  );
  const patch = placementPatch(spec);
  const extra = spec.passthrough?.spec;
  const userPatches = isRecord(extra) && Array.isArray(extra.runtimePatches) ? extra.runtimePatches : [];
  const base = compact({
    runtimeRef: ref === undefined ? undefined : compact({ apiGroup: ref.apiGroup, kind: ref.kind, name: ref.name }),
    trainer: nonEmpty(trainer),
    activeDeadlineSeconds: spec.runPolicy?.activeDeadlineSeconds,
  });
  const out = overlay(base, extra);
  // Ours goes after any patches carried through, so both survive (arrays would otherwise replace).
  if (patch !== undefined) out.runtimePatches = [...userPatches, patch];
  return out;
}

function batchJobSpec(spec: TrainingJobSpec): JsonObject {
  const v = resolveRole(spec, 'Job');
  const rp = spec.runPolicy;
  const base = compact({
    parallelism: spec.replicas?.Job,
    backoffLimit: rp?.backoffLimit,
    activeDeadlineSeconds: rp?.activeDeadlineSeconds,
    ttlSecondsAfterFinished: rp?.ttlSecondsAfterFinished,
    // A Job's pods must say Never or OnFailure; the pod default (Always) is rejected.
    template: buildPodTemplate(v, v.restartPolicy ?? 'Never'),
  });
  return overlay(overlay(base, v.replicaSpec), spec.passthrough?.spec);
}

/**
 * The manifest for `spec` (a plain object ready for YAML or the Kubernetes API). Throws an `invalidSpec`
 * WorkbenchError listing every problem `validateJobSpec` finds. An empty name leaves `metadata.name` out
 * (a Katib trial template, named later).
 */
export function buildJobManifest(spec: TrainingJobSpec): Record<string, unknown> {
  throwIfIssues(validateJobSpec(spec), `The ${spec.kind} description`);
  const info = jobKinds[spec.kind];
  const body =
    info.family === 'kubeflow'
      ? kubeflowSpec(spec)
      : info.family === 'trainJob'
        ? trainJobSpec(spec)
        : batchJobSpec(spec);
  return compact({ apiVersion: info.apiVersion, kind: info.manifestKind, metadata: metadataOf(spec), spec: body });
}
