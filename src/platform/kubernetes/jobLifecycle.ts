/**
 * Create, watch and delete one trial job, with the recoveries a controller needs: a 409 on create adopts
 * our own leftover job (same trial label and assignment) and refuses anyone else's; the watch judges every
 * state with the trial's conditions; deletion uses foreground propagation, as Katib does, so the pods go
 * before the job object does.
 */
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import { apiFailure, failureError } from './apiError.ts';
import type { KubeClients } from './clients.ts';
import type { JobJudge, JobVerdict } from './judge.ts';
import { collectionPath, qualifiedResource } from './resources.ts';
import { backoffMs, pause, type RetryPolicy, StoppedError, withRetry } from './retry.ts';
import { assignmentAnnotation, assignmentText, experimentLabel, type TrialIdentity, trialLabel } from './trialJob.ts';
import type { KubeObject, ResourceRef } from './types.ts';
import { type FollowRecovery, followObjects } from './watch.ts';

/** One job's coordinates and the call settings. */
export interface JobTarget {
  readonly clients: KubeClients;
  readonly ref: ResourceRef;
  readonly namespace: string;
  readonly name: string;
  readonly policy: RetryPolicy;
  readonly signal: AbortSignal;
  readonly onRetry?: (detail: string) => void;
}

function coords(t: JobTarget): { group: string; version: string; namespace: string; plural: string } {
  return { group: t.ref.group, version: t.ref.version, namespace: t.namespace, plural: t.ref.plural };
}

function retryOptions(t: JobTarget, what: string) {
  return {
    policy: t.policy,
    signal: t.signal,
    ...(t.onRetry === undefined
      ? {}
      : { onRetry: (f: { message: string }, ms: number) => t.onRetry!(`${what}: ${f.message}; retrying in ${ms} ms`) }),
  };
}

async function getJob(t: JobTarget): Promise<KubeObject | undefined> {
  try {
    return (await withRetry(
      () => t.clients.custom.getNamespacedCustomObject({ ...coords(t), name: t.name }),
      retryOptions(t, `get ${t.name}`),
    )) as KubeObject;
  } catch (err) {
    if (err instanceof StoppedError) throw err;
    if (apiFailure(err).status === 404) return undefined;
    throw failureError({ verb: 'get', resource: t.ref, namespace: t.namespace, name: t.name }, err);
  }
}

/** Why a job of our name is not ours, or undefined when it is this trial's. */
function notOurs(job: KubeObject, id: TrialIdentity): string | undefined {
  const labels = job.metadata?.labels ?? {};
  const trial = labels[trialLabel];
  const experiment = labels[experimentLabel];
  if (trial !== id.trial || experiment !== id.experiment) {
    return `its labels say ${trialLabel}=${trial ?? '(none)'}, ${experimentLabel}=${experiment ?? '(none)'}`;
  }
  const assignment = job.metadata?.annotations?.[assignmentAnnotation];
  if (assignment !== undefined && assignment !== assignmentText(id.params)) {
    return `it runs other parameter values (${assignment})`;
  }
  return undefined;
}

/**
 * Creates the job. On 409 it reads the existing job: ours (a leftover from a crashed run) is adopted and
 * returned with `adopted: true`; if ours is being deleted, it waits for it to go and creates again; anyone
 * else's is a `conflict` error naming the kubectl command that clears it.
 */
export async function createOrAdopt(
  t: JobTarget,
  job: KubeObject,
  id: TrialIdentity,
): Promise<{ readonly job: KubeObject; readonly adopted: boolean }> {
  const op = { verb: 'create', resource: t.ref, namespace: t.namespace };
  for (let round = 0; round < t.policy.attempts; round++) {
    try {
      const created = await withRetry(
        () => t.clients.custom.createNamespacedCustomObject({ ...coords(t), body: job }),
        retryOptions(t, `create ${t.name}`),
      );
      return { job: created as KubeObject, adopted: false };
    } catch (err) {
      if (err instanceof StoppedError) throw err;
      if (apiFailure(err).status !== 409) throw failureError(op, err);
    }
    const existing = await getJob(t);
    if (existing === undefined) continue; // it went away between the two calls: create again
    const why = notOurs(existing, id);
    if (why !== undefined) {
      throw new WorkbenchError(
        ErrorCode.conflict,
        `a ${t.ref.kind} named ${t.name} already exists in namespace ${t.namespace} and is not this trial's job (${why}); delete it with 'kubectl delete ${qualifiedResource(t.ref)} ${t.name} -n ${t.namespace}' or rename the experiment`,
      );
    }
    if (existing.metadata?.deletionTimestamp === undefined) return { job: existing, adopted: true };
    await pause(t.policy, backoffMs(t.policy, round), t.signal);
  }
  throw new WorkbenchError(
    ErrorCode.conflict,
    `cannot create ${qualifiedResource(t.ref)} ${t.name} in namespace ${t.namespace}: it kept conflicting with an object of the same name being deleted`,
  );
}

/** Deletes the job with foreground propagation (pods first, as Katib does); a job already gone is fine. */
export async function deleteJob(t: JobTarget): Promise<void> {
  try {
    await withRetry(
      () =>
        t.clients.custom.deleteNamespacedCustomObject({ ...coords(t), name: t.name, propagationPolicy: 'Foreground' }),
      retryOptions(t, `delete ${t.name}`),
    );
  } catch (err) {
    if (err instanceof StoppedError) throw err;
    if (apiFailure(err).status === 404) return;
    throw failureError({ verb: 'delete', resource: t.ref, namespace: t.namespace, name: t.name }, err);
  }
}

/** How a watched job ended: judged finished, or deleted by someone else before it finished. */
export type JobEnd =
  | { readonly kind: 'finished'; readonly verdict: Exclude<JobVerdict, { state: 'running' }>; readonly job: KubeObject }
  | { readonly kind: 'deleted' };

/** Watches the job until `judge` calls it finished or it disappears; undefined when the signal aborted first. */
export async function watchJob(
  t: JobTarget,
  judge: JobJudge,
  onRecover?: (what: FollowRecovery, detail: string) => void,
): Promise<JobEnd | undefined> {
  let end: JobEnd | undefined;
  const gone = new AbortController();
  const fieldSelector = `metadata.name=${t.name}`;
  await followObjects({
    clients: t.clients,
    path: collectionPath(t.ref, t.namespace),
    fieldSelector,
    list: async () => {
      const r = (await t.clients.custom.listNamespacedCustomObject({ ...coords(t), fieldSelector })) as {
        items?: KubeObject[];
        metadata?: { resourceVersion?: string };
      };
      const items = r.items ?? [];
      if (items.length === 0) {
        end = { kind: 'deleted' };
        gone.abort();
      }
      return { items, resourceVersion: r.metadata?.resourceVersion ?? '' };
    },
    onEvent: (type, obj) => {
      if (type === 'DELETED') {
        end = { kind: 'deleted' };
        return true;
      }
      const verdict = judge.judge(obj);
      if (verdict.state === 'running') return undefined;
      end = { kind: 'finished', verdict, job: obj };
      return true;
    },
    signal: AbortSignal.any([t.signal, gone.signal]),
    policy: t.policy,
    operation: { verb: 'watch', resource: t.ref, namespace: t.namespace, name: t.name },
    ...(onRecover === undefined ? {} : { onRecover }),
  });
  return end;
}
