/**
 * The TrainJob spec that runs a batch Job's primary container under a Trainer runtime, for
 * `hpo convert --to optimizationjob` of a Katib Experiment whose trials are plain Jobs (our quick start's).
 */
import type { Issue } from '../../common/issue.ts';
import { isRecord, type Obj } from '../read.ts';

// Container fields a TrainJob trainer carries; the rest of the pod is the runtime's to decide.
const carried = new Set(['name', 'image', 'command', 'args', 'env', 'resources']);

/**
 * `{runtimeRef: {name: runtime}, trainer: {image, command, args, env, resourcesPerNode, numNodes: 1}}` from
 * `container`, with the Job's `activeDeadlineSeconds`. Each container or pod field left behind is a warning.
 */
export function trainJobOfContainer(job: Obj, container: Obj, runtime: string, warnings: Issue[]): Obj {
  const trainer: Obj = { numNodes: 1 };
  for (const k of ['image', 'command', 'args', 'env'] as const)
    if (container[k] !== undefined) trainer[k] = structuredClone(container[k]);
  if (isRecord(container.resources)) trainer.resourcesPerNode = structuredClone(container.resources);
  for (const k of Object.keys(container)) {
    if (!carried.has(k))
      warnings.push({
        path: `spec.trialTemplate.trialSpec (container ${String(container.name)}).${k}`,
        message: "dropped: a TrainJob's trainer has no such field (the runtime's pod template decides it).",
        severity: 'warning',
      });
  }
  const spec: Obj = { runtimeRef: { name: runtime }, trainer };
  const jobSpec = isRecord(job.spec) ? job.spec : {};
  if (typeof jobSpec.activeDeadlineSeconds === 'number') spec.activeDeadlineSeconds = jobSpec.activeDeadlineSeconds;
  const pod = isRecord(jobSpec.template) && isRecord(jobSpec.template.spec) ? jobSpec.template.spec : {};
  const containers = Array.isArray(pod.containers) ? pod.containers.length : 0;
  const podFields = Object.keys(pod).filter((k) => k !== 'containers' && k !== 'restartPolicy');
  if (containers > 1 || podFields.length > 0)
    warnings.push({
      path: 'spec.trialTemplate.trialSpec.spec.template.spec',
      message: `dropped: only the primary container becomes the trainer${podFields.length > 0 ? ` (not ${podFields.join(', ')})` : ''}.`,
      severity: 'warning',
    });
  return spec;
}
