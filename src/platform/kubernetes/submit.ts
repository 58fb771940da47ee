/**
 * `hpo submit FILE`: hands the Experiment itself to a cluster running Katib. Katib's pod webhook injects its
 * metrics collector only in namespaces labelled `katib.kubeflow.org/metrics-collector-injection: enabled`,
 * and its experiment webhook rejects the Experiment otherwise (katib REFERENCE §1.3 rule 0), so the label is
 * checked first and a missing one is reported with the exact kubectl command that adds it.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { ErrorCode, throwIfIssues, WorkbenchError } from '../../common/errors.ts';
import { bakeScheduling } from '../../spec/scheduling.ts';
import type { ExperimentManifest } from '../../spec/types.ts';
import { apiFailure, failureError } from './apiError.ts';
import { kubeClients } from './clients.ts';
import { experimentResource } from './resources.ts';
import { defaultRetryPolicy, type RetryPolicy, withRetry } from './retry.ts';
import type { KubeObject } from './types.ts';

/** The namespace label Katib's webhooks require. */
export const injectionLabel = 'katib.kubeflow.org/metrics-collector-injection';

/** What `submitExperiment` created. */
export interface SubmittedExperiment {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  /** Checks that could not be made (e.g. no permission to read the namespace). */
  readonly warnings: readonly string[];
}

/** Options of {@link submitExperiment}. */
export interface SubmitOptions {
  /** Overrides `metadata.namespace` (default `default`). */
  readonly namespace?: string;
  readonly retry?: Partial<RetryPolicy>;
}

/** The `kubectl` command that enables Katib's metrics collector injection in a namespace. */
export function injectionFix(namespace: string): string {
  return `kubectl label namespace ${namespace} ${injectionLabel}=enabled`;
}

/**
 * Checks the namespace label, then creates the Experiment. Throws `invalidArgument` (label missing),
 * `notFound` (no such namespace), `conflict` (an Experiment of that name exists) or `executorFailed`.
 */
export async function submitExperiment(
  kc: KubeConfig,
  manifest: ExperimentManifest,
  options: SubmitOptions = {},
): Promise<SubmittedExperiment> {
  const { core, custom } = kubeClients(kc);
  const policy = { ...defaultRetryPolicy, ...options.retry };
  const namespace = options.namespace ?? manifest.metadata.namespace ?? 'default';
  const name = manifest.metadata.name;
  const warnings: string[] = [];
  // Katib would prune trialTemplate.scheduling: it is written into the trialSpec so Katib's trials are queued too.
  const baked = bakeScheduling(manifest);
  throwIfIssues(baked.issues, `experiment '${name}'`);
  try {
    const ns = await withRetry(() => core.readNamespace({ name: namespace }), { policy });
    if (ns.metadata?.labels?.[injectionLabel] !== 'enabled') {
      const fix = injectionFix(namespace);
      throw new WorkbenchError(
        ErrorCode.invalidArgument,
        `namespace ${namespace} lacks the label ${injectionLabel}=enabled, so Katib would reject the Experiment and inject no metrics collector; run: ${fix}`,
        { issues: [{ path: `namespace ${namespace}`, message: `label ${injectionLabel} is not "enabled"`, fix }] },
      );
    }
  } catch (err) {
    if (err instanceof WorkbenchError) throw err;
    const f = apiFailure(err);
    if (f.status === 404) {
      throw new WorkbenchError(
        ErrorCode.notFound,
        `namespace ${namespace} does not exist: kubectl create namespace ${namespace}`,
        {
          cause: err,
        },
      );
    }
    // Reading a namespace is cluster-scoped and often not granted; Katib's webhook still checks the label.
    if (f.status !== 403)
      throw failureError({ verb: 'get', resource: { group: '', plural: 'namespaces' }, name: namespace }, err);
    warnings.push(
      `could not read namespace ${namespace} to check its ${injectionLabel} label (403); Katib will reject the Experiment if it is missing`,
    );
  }
  const body = { ...baked.manifest, metadata: { ...manifest.metadata, namespace } };
  try {
    const created = (await withRetry(
      () =>
        custom.createNamespacedCustomObject({
          group: experimentResource.group,
          version: experimentResource.version,
          namespace,
          plural: experimentResource.plural,
          body,
        }),
      { policy },
    )) as KubeObject;
    return { name, namespace, uid: created.metadata?.uid ?? '', warnings };
  } catch (err) {
    const f = apiFailure(err);
    if (f.status === 409) {
      throw new WorkbenchError(
        ErrorCode.conflict,
        `an Experiment named ${name} already exists in namespace ${namespace}: delete it (kubectl delete experiments.kubeflow.org ${name} -n ${namespace}) or change metadata.name`,
        { cause: err },
      );
    }
    if (f.status === 400 || f.status === 422) {
      // Katib's validating webhook answers with its own field errors.
      throw new WorkbenchError(ErrorCode.invalidSpec, `Katib rejected the Experiment: ${f.message}`, { cause: err });
    }
    throw failureError({ verb: 'create', resource: experimentResource, namespace }, err);
  }
}
