/**
 * Turns one trial into the job object the cluster runs (the rendered trial template plus Katib's trial
 * labels), and says which pods of that job are primary and which container in them holds the metrics.
 */
import { ErrorCode, throwIfIssues, WorkbenchError } from '../../common/errors.ts';
import type { Assignment } from '../../search/space.ts';
import { findContainers, findPrimaryContainer, trialKindInfo } from '../../spec/containers.ts';
import { defaultPrimaryPodLabels } from '../../spec/kinds.ts';
import { applyScheduling } from '../../spec/scheduling.ts';
import { renderTrialSpec } from '../../spec/template.ts';
import type { TrialTemplate } from '../../spec/types.ts';
import { type ArtifactStorage, mountArtifacts } from './artifactStorage.ts';
import { addMetricsSidecar, type MetricsSource } from './metricsSidecar.ts';
import type { KubeObject } from './types.ts';

/** Label naming the experiment a job belongs to (Katib sets the same on its trial jobs). */
export const experimentLabel = 'katib.kubeflow.org/experiment';
/** Label naming the trial a job runs; a leftover job is adopted only when it carries our trial's name. */
export const trialLabel = 'katib.kubeflow.org/trial';
/** Annotation holding the trial's parameter assignment, so an adopted job is known to run the same values. */
export const assignmentAnnotation = 'hpo-workbench/assignment';

/** Which trial a job is for. */
export interface TrialIdentity {
  readonly experiment: string;
  readonly trial: string;
  readonly namespace: string;
  readonly params: Assignment;
  /** PBT's `suggestion_trial_dir`: where the trial's checkpoint folder is mounted, and whose folder seeds it. */
  readonly checkpoint?: { readonly mountPath: string; readonly parent?: string };
  /** Where the trial's artifacts go (artifactStorage.ts), and the inventory sidecar's image. */
  readonly artifacts?: { readonly storage: ArtifactStorage; readonly image?: string };
}

/** Katib's PBT volume: the claim `<experiment>-pbt` (Katib's `<experiment>-<algorithm>` suggestion PVC). */
export function checkpointClaim(experiment: string): string {
  return `${experiment}-pbt`;
}

const checkpointVolume = 'hpo-pbt-checkpoints';

/**
 * Katib's PBT volume layout: the suggestion PVC is mounted into the primary container at
 * `suggestion_trial_dir` with subPath `<experiment>/<trial>`. A trial with a parent gets an init container that
 * copies the parent's folder (`<experiment>/<parent>`) into its own first — on the cluster, as Katib's
 * suggestion service does with copytree on its volume.
 */
function mountCheckpoint(job: KubeObject, primary: string, id: TrialIdentity): void {
  const ck = id.checkpoint;
  if (!ck) return;
  for (const found of findContainers(job as Record<string, unknown>)) {
    if (found.container.name !== primary) continue;
    const podPath = found.path.replace(/\.spec\.containers\[\d+\]$/, '.spec');
    const pod = podPath
      .split('.')
      .reduce<Record<string, unknown> | undefined>(
        (o, k) => o?.[k] as Record<string, unknown> | undefined,
        job as Record<string, unknown>,
      );
    if (!pod) continue;
    const volumes = (pod.volumes as unknown[] | undefined) ?? [];
    pod.volumes = [
      ...volumes,
      { name: checkpointVolume, persistentVolumeClaim: { claimName: checkpointClaim(id.experiment) } },
    ];
    const mounts = (found.container.volumeMounts as unknown[] | undefined) ?? [];
    found.container.volumeMounts = [
      ...mounts,
      { name: checkpointVolume, mountPath: ck.mountPath, subPath: `${id.experiment}/${id.trial}` },
    ];
    if (ck.parent !== undefined) {
      const init = (pod.initContainers as unknown[] | undefined) ?? [];
      pod.initContainers = [
        ...init,
        {
          name: 'hpo-pbt-seed',
          image: 'busybox:1.36',
          // argv, no shell: copy the parent's folder to the trial's (which must not exist yet).
          command: ['cp', '-a', `/pbt/${id.experiment}/${ck.parent}`, `/pbt/${id.experiment}/${id.trial}`],
          volumeMounts: [{ name: checkpointVolume, mountPath: '/pbt' }],
        },
      ];
    }
  }
}

/** How the trial's metrics leave its pods, when not through the primary container's log (metricsSidecar.ts). */
export interface TrialJobMetrics {
  readonly source: MetricsSource;
  /** The sidecar's image; default `busybox:1.36`. */
  readonly image?: string;
}

/** A canonical JSON of an assignment (sorted keys), as stored in {@link assignmentAnnotation}. */
export function assignmentText(params: Assignment): string {
  return JSON.stringify(Object.fromEntries(Object.entries(params).sort(([a], [b]) => (a < b ? -1 : 1))));
}

/**
 * Renders the trial template for one trial (Katib's substitution, name and namespace set) and labels it with
 * the experiment and trial. `template` is the inline trialSpec or the ConfigMap template text. With `metrics`
 * (File and TensorFlowEvent collectors) the collector sidecar is added to the primary container's pods; with
 * `id.artifacts` the artifacts folder and its inventory sidecar are.
 */
export function buildTrialJob(
  tt: TrialTemplate,
  template: Record<string, unknown> | string,
  id: TrialIdentity,
  metrics?: TrialJobMetrics,
): KubeObject {
  const job = renderTrialSpec({
    template,
    trialParameters: tt.trialParameters ?? [],
    assignment: id.params,
    trialName: id.trial,
    namespace: id.namespace,
  }) as KubeObject;
  scheduleTrialJob(job, tt);
  const meta = job.metadata ?? {};
  job.metadata = {
    ...meta,
    labels: { ...(meta.labels ?? {}), [experimentLabel]: id.experiment, [trialLabel]: id.trial },
    annotations: { ...(meta.annotations ?? {}), [assignmentAnnotation]: assignmentText(id.params) },
  };
  mountCheckpoint(job, tt.primaryContainerName ?? '', id);
  if (id.artifacts !== undefined) {
    mountArtifacts(job, primaryContainerName(job, tt), {
      storage: id.artifacts.storage,
      experiment: id.experiment,
      trial: id.trial,
      ...(id.artifacts.image === undefined ? {} : { image: id.artifacts.image }),
    });
  }
  if (metrics !== undefined) {
    addMetricsSidecar(job, primaryContainerName(job, tt), metrics.source, {
      ...(metrics.image === undefined ? {} : { image: metrics.image }),
    });
  }
  return job;
}

/** Applies `trialTemplate.scheduling` (Kueue label, gang policy) to a rendered job, in place. */
function scheduleTrialJob(job: KubeObject, tt: TrialTemplate): void {
  if (!tt.scheduling) return;
  // An inline template was checked when the experiment was; a ConfigMap template is seen only now.
  const applied = applyScheduling(job as Record<string, unknown>, tt.scheduling);
  throwIfIssues(applied.issues, `trial ${job.metadata?.name ?? ''}`);
  Object.assign(job, applied.job);
}

/** The label each operator puts on a job's pods to name the job (kubeflow REFERENCE §1b, §2). */
function jobNameLabel(job: KubeObject): string {
  const info = trialKindInfo(job as Record<string, unknown>);
  if (info.family === 'kubeflowJob') return 'training.kubeflow.org/job-name';
  if (info.family === 'trainJob') return 'jobset.sigs.k8s.io/jobset-name';
  if (info.family === 'batchJob') return 'job-name';
  if (info.kind === 'Workflow') return 'workflows.argoproj.io/workflow';
  if (info.kind === 'PipelineRun') return 'tekton.dev/pipelineRun';
  throw new WorkbenchError(
    ErrorCode.unsupported,
    `spec.trialTemplate.trialSpec: the kubernetes backend cannot tell which pods belong to a ${info.kind}; use a batch Job, a Kubeflow training job or a TrainJob`,
  );
}

/**
 * Labels selecting the job's primary pods: the template's `primaryPodLabels` (else Katib's default for the
 * kind) plus the label naming this job, since Katib's role labels alone match every job in the namespace.
 */
export function primaryPodLabels(job: KubeObject, tt: TrialTemplate): Record<string, string> {
  const kind = job.kind ?? '';
  const own = tt.primaryPodLabels !== undefined && Object.keys(tt.primaryPodLabels).length > 0;
  let labels: Record<string, string> = own ? { ...tt.primaryPodLabels! } : { ...(defaultPrimaryPodLabels(kind) ?? {}) };
  // mpi-operator v2beta1 labels its launcher `job-role: launcher`; Katib's v1 default (`master`) matches no pod.
  if (
    kind === 'MPIJob' &&
    job.apiVersion === 'kubeflow.org/v2beta1' &&
    labels['training.kubeflow.org/job-role'] === 'master'
  ) {
    labels = { ...labels, 'training.kubeflow.org/job-role': 'launcher' };
  }
  return { ...labels, [jobNameLabel(job)]: job.metadata?.name ?? '' };
}

/** The label selecting every pod of the job, whatever its role (the stuck-pod watch looks at all of them). */
export function jobPodLabels(job: KubeObject): Record<string, string> {
  return { [jobNameLabel(job)]: job.metadata?.name ?? '' };
}

/** `a=b,c=d`, a Kubernetes equality label selector. */
export function labelSelector(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/**
 * The container whose log holds the metrics: `primaryContainerName` (Katib requires it), checked against the
 * rendered job when its containers are visible; without a name, the job's only container.
 */
export function primaryContainerName(job: KubeObject, tt: TrialTemplate): string {
  const spec = job as Record<string, unknown>;
  const containers = findContainers(spec);
  const name = tt.primaryContainerName;
  if (name !== undefined && name !== '') {
    if (containers.length > 0 && !findPrimaryContainer(spec, name)) {
      throw new WorkbenchError(
        ErrorCode.invalidSpec,
        `spec.trialTemplate.primaryContainerName: no container named '${name}' in the trial template (found: ${containers.map((c) => String(c.container.name)).join(', ')})`,
      );
    }
    return name;
  }
  const names = [...new Set(containers.map((c) => String(c.container.name)))];
  if (names.length === 1) return names[0]!;
  throw new WorkbenchError(
    ErrorCode.invalidSpec,
    'spec.trialTemplate.primaryContainerName is required: it names the container whose output holds the metrics',
  );
}
