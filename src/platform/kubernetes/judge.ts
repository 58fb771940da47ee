/**
 * Decides whether a trial's job has succeeded or failed from its status, like Katib's trial controller:
 * the failure condition first, then the success condition (GJSON on the job object), the matched
 * condition's reason/message becoming the trial's (katib REFERENCE §3, §5.1). The evaluation itself is
 * `judgeJob` of src/training/conditions; this adds Katib's per-kind defaults and an up-front error for a
 * kind that has none.
 */
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import { defaultJobConditions, judgeJob } from '../../training/conditions/judge.ts';
import type { KubeObject } from './types.ts';

/** The job's state as the conditions read it. */
export type JobVerdict =
  | { readonly state: 'running' }
  | { readonly state: 'succeeded' | 'failed'; readonly reason?: string; readonly message?: string };

/** The success and failure conditions of one trial template, ready to judge job objects. */
export interface JobJudge {
  readonly success: string;
  readonly failure: string;
  judge(job: KubeObject): JobVerdict;
}

/**
 * The judge for a trial template: its own `successCondition`/`failureCondition` where set, else Katib's
 * defaults for the job's kind (v1 jobs `Succeeded`/`Failed`, TrainJob and batch Job `Complete`/`Failed`).
 * Throws `invalidSpec` for a kind without defaults (Argo Workflow, Tekton PipelineRun) and no conditions.
 */
export function jobJudge(kind: string, successCondition?: string, failureCondition?: string): JobJudge {
  const defaults = defaultJobConditions(kind);
  const success = successCondition || defaults?.successCondition;
  const failure = failureCondition || defaults?.failureCondition;
  if (success === undefined || failure === undefined) {
    throw new WorkbenchError(
      ErrorCode.invalidSpec,
      `spec.trialTemplate: Katib has no default success/failure conditions for kind ${kind}; set successCondition and failureCondition`,
    );
  }
  const conditions = { successCondition: success, failureCondition: failure };
  return {
    success,
    failure,
    judge(job: KubeObject): JobVerdict {
      const j = judgeJob(job as Record<string, unknown>, conditions);
      if (j.state === 'running') return { state: 'running' };
      return {
        state: j.state,
        ...(j.reason === undefined ? {} : { reason: j.reason }),
        ...(j.message === undefined ? {} : { message: j.message }),
      };
    },
  };
}
