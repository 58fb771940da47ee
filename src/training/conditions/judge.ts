/**
 * Deciding whether a trial's job has finished, the way Katib's trial controller does (katib REFERENCE §3, §5.1):
 * evaluate `failureCondition` first, then `successCondition`; a match that is an object or a non-empty array
 * counts, and the matched condition's `reason`/`message` are carried over.
 */
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import { defaultConditions } from '../../spec/kinds.ts';
import { isRecord } from '../../spec/read.ts';
import { evaluateGjson } from './gjson.ts';

/** Where a job stands: finished either way, or still running (which includes "not started yet"). */
export type JobState = 'succeeded' | 'failed' | 'running';

/** A trial's success and failure conditions: GJSON paths evaluated on the job object. */
export interface JobConditions {
  readonly successCondition: string;
  readonly failureCondition: string;
}

/** The verdict on a job, with the reason and message of the condition that matched (when it has them). */
export interface JobJudgement {
  readonly state: JobState;
  readonly reason?: string;
  readonly message?: string;
}

/**
 * Katib's default conditions for a job kind: `Succeeded`/`Failed` for the training-operator kinds (and
 * mpi-operator's MPIJob), `Complete`/`Failed` for TrainJob and batch Job. Undefined for other kinds.
 */
export function defaultJobConditions(kind: string): JobConditions | undefined {
  const d = defaultConditions(kind === 'MPIJobV2' ? 'MPIJob' : kind);
  return d === undefined ? undefined : { successCondition: d.success, failureCondition: d.failure };
}

/** The matched condition when `expr` matches `job` by Katib's rule, else undefined. */
export function conditionMatch(job: unknown, expr: string): { reason?: string; message?: string } | undefined {
  const result = expr === '' ? undefined : evaluateGjson(job, expr);
  const first = Array.isArray(result) ? result[0] : result;
  if (!isRecord(result) && !(Array.isArray(result) && result.length > 0)) return undefined;
  // Katib unmarshals the object (or the array's first element) to pick up reason and message.
  const out: { reason?: string; message?: string } = {};
  if (isRecord(first) && typeof first.reason === 'string' && first.reason !== '') out.reason = first.reason;
  if (isRecord(first) && typeof first.message === 'string' && first.message !== '') out.message = first.message;
  return out;
}

/**
 * Judges a job object (with its `status`). Without `conditions`, uses Katib's defaults for the object's kind and
 * throws an `invalidArgument` WorkbenchError when that kind has none (Argo, Tekton… need explicit conditions).
 */
export function judgeJob(job: Record<string, unknown>, conditions?: JobConditions): JobJudgement {
  const c = conditions ?? defaultJobConditions(typeof job.kind === 'string' ? job.kind : '');
  if (c === undefined) {
    throw new WorkbenchError(
      ErrorCode.invalidArgument,
      `No default success/failure conditions for ${String(job.kind)}; pass successCondition and failureCondition.`,
    );
  }
  const failed = conditionMatch(job, c.failureCondition);
  if (failed) return { state: 'failed', ...failed };
  const succeeded = conditionMatch(job, c.successCondition);
  if (succeeded) return { state: 'succeeded', ...succeeded };
  return { state: 'running' };
}
