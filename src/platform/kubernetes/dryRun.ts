/**
 * What `hpo run FILE --backend kubernetes --dry-run` prints: the job each of the first trials would create,
 * rendered exactly as {@link KubernetesExecutor} renders it (same substitution, labels and annotation), as
 * YAML documents. Nothing is sent to a cluster.
 */
import { stringify } from 'yaml';
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import type { Assignment } from '../../search/space.ts';
import { configOf } from '../../spec/config.ts';
import type { ExperimentManifest } from '../../spec/types.ts';
import { trialName } from '../../trial/naming.ts';
import { artifactStorageOf } from './artifactStorage.ts';
import { podMetricsSource } from './metricsSidecar.ts';
import { buildTrialJob } from './trialJob.ts';
import type { KubeObject } from './types.ts';

/** Options of {@link dryRunManifests}. */
export interface DryRunOptions {
  /** Namespace of the jobs; default the experiment's, else `default`. */
  readonly namespace?: string;
  /** Trial names; missing ones are made like the controller makes them from `seed`. */
  readonly names?: readonly string[];
  /** The controller's naming seed; default 0. */
  readonly seed?: number;
  /** The template text when `trialTemplate.configMap` is used (a dry run does not read the cluster). */
  readonly templateText?: string;
  /** Image of the File/TensorFlowEvent collector sidecar and of the artifact inventory sidecar; default `busybox:1.36`. */
  readonly collectorImage?: string;
}

/** The job objects the trials with these assignments would create, in order. */
export function dryRunManifests(
  manifest: ExperimentManifest,
  assignments: readonly Assignment[],
  options: DryRunOptions = {},
): KubeObject[] {
  const tt = manifest.spec.trialTemplate;
  const template = tt?.trialSpec ?? options.templateText;
  if (!tt || template === undefined) {
    throw new WorkbenchError(
      ErrorCode.unsupported,
      tt?.configMap
        ? 'spec.trialTemplate.configMap: a dry run does not read the cluster; pass the template text or inline it as trialSpec'
        : 'spec.trialTemplate.trialSpec is required for a kubernetes dry run',
    );
  }
  // File and TensorFlowEvent metrics need the collector sidecar in the job, as the executor adds it.
  const source = podMetricsSource(configOf(manifest).collector);
  const metrics =
    source === undefined
      ? undefined
      : { source, ...(options.collectorImage === undefined ? {} : { image: options.collectorImage }) };
  // Where artifacts go, as the executor reads it: a bad annotation fails the dry run as it would fail the run.
  const storage = artifactStorageOf(manifest.metadata.annotations);
  const artifacts =
    storage === undefined
      ? {}
      : { artifacts: { storage, ...(options.collectorImage === undefined ? {} : { image: options.collectorImage }) } };
  const experiment = manifest.metadata.name;
  const namespace = options.namespace ?? manifest.metadata.namespace ?? 'default';
  return assignments.map((params, i) =>
    buildTrialJob(
      tt,
      template,
      {
        experiment,
        trial: options.names?.[i] ?? trialName(experiment, options.seed ?? 0, i),
        namespace,
        params,
        ...artifacts,
      },
      metrics,
    ),
  );
}

/** The same jobs as YAML documents separated by `---`, each headed by a comment naming its trial's values. */
export function renderDryRun(
  manifest: ExperimentManifest,
  assignments: readonly Assignment[],
  options: DryRunOptions = {},
): string {
  const jobs = dryRunManifests(manifest, assignments, options);
  return jobs
    .map((job, i) => {
      const values = Object.entries(assignments[i] ?? {})
        // A value with a line break would end the comment and add its own lines to the YAML.
        .map(
          ([k, v]) =>
            `${k}=${typeof v === 'string' && /[\u0000-\u001f\u007f\u2028\u2029]/.test(v) ? JSON.stringify(v) : v}`,
        )
        .join(', ');
      return `---\n# trial ${job.metadata?.name}: ${values}\n${stringify(job, { lineWidth: 0 })}`;
    })
    .join('');
}
