import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import type { ResourceRef } from './types.ts';

/** Plurals of the kinds Katib runs as trials, and of Katib's own Experiment. */
const plurals: Readonly<Record<string, string>> = {
  PyTorchJob: 'pytorchjobs',
  TFJob: 'tfjobs',
  MPIJob: 'mpijobs',
  XGBoostJob: 'xgboostjobs',
  JAXJob: 'jaxjobs',
  PaddleJob: 'paddlejobs',
  TrainJob: 'trainjobs',
  Job: 'jobs',
  Experiment: 'experiments',
  Workflow: 'workflows',
  PipelineRun: 'pipelineruns',
};

/**
 * The REST coordinates of an object's kind. Known kinds use their registered plural; any other kind gets
 * Kubernetes' default (lower-case + `s`), which is right for most CRDs but not guaranteed without discovery.
 */
export function resourceFor(apiVersion: string, kind: string): ResourceRef {
  if (apiVersion === '' || kind === '') {
    throw new WorkbenchError(
      ErrorCode.invalidSpec,
      'the trial template needs apiVersion and kind to run on Kubernetes',
    );
  }
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  return { group, version, plural: plurals[kind] ?? `${kind.toLowerCase()}s`, kind };
}

/** Katib's Experiment resource (`experiments.kubeflow.org/v1beta1`). */
export const experimentResource: ResourceRef = {
  group: 'kubeflow.org',
  version: 'v1beta1',
  plural: 'experiments',
  kind: 'Experiment',
};

/** `/apis/{group}/{version}/namespaces/{ns}/{plural}`, or `/api/v1/...` for the core group. */
export function collectionPath(ref: ResourceRef, namespace: string): string {
  const base = ref.group === '' ? `/api/${ref.version}` : `/apis/${ref.group}/${ref.version}`;
  return `${base}/namespaces/${encodeURIComponent(namespace)}/${ref.plural}`;
}

/** `pytorchjobs.kubeflow.org`, or just `pods` for the core group: how kubectl and RBAC messages name a resource. */
export function qualifiedResource(ref: Pick<ResourceRef, 'group' | 'plural'>): string {
  return ref.group === '' ? ref.plural : `${ref.plural}.${ref.group}`;
}
