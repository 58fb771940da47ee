import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../src/common/errors.ts';
import {
  conditionMatch,
  defaultJobConditions,
  type JobConditions,
  type JobJudgement,
  judgeJob,
} from '../../../src/training/conditions/index.ts';
import { buildJobManifest, validateAgainstCrd } from '../../../src/training/jobs/index.ts';
import { crdText } from '../jobs/fixtures.ts';

const t = '2026-08-01T10:00:00Z';
/** A condition as the controllers write it (v1 JobCondition / metav1.Condition / batch JobCondition). */
const cond = (type: string, status: 'True' | 'False' | 'Unknown', reason?: string, message?: string) => ({
  type,
  status,
  ...(reason ? { reason } : {}),
  ...(message ? { message } : {}),
  lastUpdateTime: t,
  lastTransitionTime: t,
});
const tcond = (type: string, status: 'True' | 'False', reason: string, message: string) => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: t,
});

const pytorch = buildJobManifest({
  name: 'pytorch-simple',
  kind: 'PyTorchJob',
  image: 'img',
  replicas: { Master: 1, Worker: 1 },
});
const mpiV2 = buildJobManifest({ name: 'pi', kind: 'MPIJobV2', image: 'img' });
const trainJob = buildJobManifest({ name: 'tj', kind: 'TrainJob', runtimeRef: { name: 'torch-distributed' } });
const batch = buildJobManifest({ name: 'trial-1', kind: 'Job', image: 'img' });
const withStatus = (job: Record<string, unknown>, status: Record<string, unknown> | undefined) =>
  status === undefined ? job : { ...job, status };

const created = cond('Created', 'True', 'PyTorchJobCreated', 'PyTorchJob pytorch-simple is created.');
const running = cond('Running', 'True', 'PyTorchJobRunning', 'PyTorchJob pytorch-simple is running.');
const stopped = cond('Running', 'False', 'PyTorchJobRunning', 'PyTorchJob pytorch-simple is running.');
const v1Statuses: [string, Record<string, unknown>, Record<string, unknown> | undefined, JobJudgement][] = [
  ['a job with no status yet', pytorch, undefined, { state: 'running' }],
  ['a created PyTorchJob', pytorch, { conditions: [created] }, { state: 'running' }],
  [
    'a running PyTorchJob',
    pytorch,
    { conditions: [created, running], replicaStatuses: { Master: { active: 1 } }, startTime: t },
    { state: 'running' },
  ],
  [
    'a restarting PyTorchJob',
    pytorch,
    { conditions: [created, cond('Restarting', 'True', 'PyTorchJobRestarting')] },
    { state: 'running' },
  ],
  [
    'a succeeded PyTorchJob',
    pytorch,
    {
      conditions: [
        created,
        stopped,
        cond('Succeeded', 'True', 'PyTorchJobSucceeded', 'PyTorchJob pytorch-simple is successfully completed.'),
      ],
      replicaStatuses: { Master: { succeeded: 1 }, Worker: { succeeded: 1 } },
      completionTime: t,
    },
    {
      state: 'succeeded',
      reason: 'PyTorchJobSucceeded',
      message: 'PyTorchJob pytorch-simple is successfully completed.',
    },
  ],
  [
    'a failed PyTorchJob',
    pytorch,
    {
      conditions: [
        created,
        stopped,
        cond(
          'Failed',
          'True',
          'PyTorchJobFailed',
          'PyTorchJob pytorch-simple is failed because 1 Master replica(s) failed.',
        ),
      ],
    },
    {
      state: 'failed',
      reason: 'PyTorchJobFailed',
      message: 'PyTorchJob pytorch-simple is failed because 1 Master replica(s) failed.',
    },
  ],
  [
    'a Succeeded condition that is not True',
    pytorch,
    { conditions: [created, cond('Succeeded', 'False')] },
    { state: 'running' },
  ],
  [
    'both Failed and Succeeded (failure is checked first)',
    pytorch,
    { conditions: [cond('Succeeded', 'True', 'A'), cond('Failed', 'True', 'B')] },
    { state: 'failed', reason: 'B' },
  ],
  [
    'a succeeded mpi-operator MPIJob',
    mpiV2,
    { conditions: [cond('Created', 'True'), cond('Succeeded', 'True', 'MPIJobSucceeded')] },
    { state: 'succeeded', reason: 'MPIJobSucceeded' },
  ],
  [
    'a completed TrainJob',
    trainJob,
    { conditions: [tcond('Complete', 'True', 'JobsCompleted', 'jobset completed successfully')] },
    { state: 'succeeded', reason: 'JobsCompleted', message: 'jobset completed successfully' },
  ],
  [
    'a TrainJob past its deadline',
    trainJob,
    { conditions: [tcond('Failed', 'True', 'DeadlineExceeded', 'TrainJob exceeded its activeDeadlineSeconds')] },
    { state: 'failed', reason: 'DeadlineExceeded', message: 'TrainJob exceeded its activeDeadlineSeconds' },
  ],
  [
    'a suspended TrainJob',
    trainJob,
    { conditions: [tcond('Suspended', 'True', 'Suspended', 'TrainJob is suspended')] },
    { state: 'running' },
  ],
  [
    'a complete batch Job',
    batch,
    {
      conditions: [
        cond('SuccessCriteriaMet', 'True', 'CompletionsReached'),
        cond('Complete', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods'),
      ],
      succeeded: 1,
    },
    { state: 'succeeded', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' },
  ],
  [
    'a batch Job out of retries',
    batch,
    {
      conditions: [
        cond('FailureTarget', 'True', 'BackoffLimitExceeded'),
        cond('Failed', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'),
      ],
      failed: 1,
    },
    { state: 'failed', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' },
  ],
];

describe('judgeJob with Katib default conditions per kind', () => {
  it.each(v1Statuses)('%s', (_, job, status, expected) => {
    expect(judgeJob(withStatus(job, status))).toEqual(expected);
  });

  it('uses statuses the CRDs accept', () => {
    for (const [, job, status] of v1Statuses) {
      if (job.kind === 'Job' || status === undefined) continue;
      const kind = job === mpiV2 ? 'MPIJobV2' : (job.kind as 'PyTorchJob' | 'TrainJob');
      expect(validateAgainstCrd(withStatus(job, status), crdText(kind))).toEqual([]);
    }
  });

  it.each([
    ['PyTorchJob', 'Succeeded'],
    ['JAXJob', 'Succeeded'],
    ['MPIJobV2', 'Succeeded'],
    ['TrainJob', 'Complete'],
    ['Job', 'Complete'],
  ])('%s succeeds on %s', (kind, type) => {
    expect(defaultJobConditions(kind)).toEqual({
      successCondition: `status.conditions.#(type=="${type}")#|#(status=="True")#`,
      failureCondition: 'status.conditions.#(type=="Failed")#|#(status=="True")#',
    });
  });

  it('needs explicit conditions for kinds without defaults', () => {
    expect(defaultJobConditions('Workflow')).toBeUndefined();
    expect(() => judgeJob({ kind: 'Workflow', status: { phase: 'Succeeded' } })).toThrow(WorkbenchError);
  });
});

describe('judgeJob with the custom conditions of Katib examples', () => {
  const argo: JobConditions = {
    successCondition: 'status.[@this].#(phase=="Succeeded")#',
    failureCondition: 'status.[@this].#(phase=="Failed")#',
  };
  const tekton: JobConditions = {
    successCondition: 'status.conditions.#(type=="Succeeded")#|#(status=="True")#',
    failureCondition: 'status.conditions.#(type=="Succeeded")#|#(status=="False")#',
  };
  const wf = (status: Record<string, unknown>) => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', status });
  const pr = (status: Record<string, unknown>) => ({ apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', status });

  it.each<[string, Record<string, unknown>, JobConditions, JobJudgement]>([
    ['a running Argo Workflow', wf({ phase: 'Running', startedAt: t }), argo, { state: 'running' }],
    [
      'a succeeded Argo Workflow',
      wf({ phase: 'Succeeded', startedAt: t, finishedAt: t }),
      argo,
      { state: 'succeeded' },
    ],
    [
      'a failed Argo Workflow',
      wf({ phase: 'Failed', message: "child 'train' failed" }),
      argo,
      { state: 'failed', message: "child 'train' failed" },
    ],
    [
      'a running Tekton PipelineRun',
      pr({ conditions: [cond('Succeeded', 'Unknown', 'Running')] }),
      tekton,
      { state: 'running' },
    ],
    [
      'a failed Tekton PipelineRun',
      pr({ conditions: [cond('Succeeded', 'False', 'Failed', 'Tasks Completed: 1 (Failed: 1)')] }),
      tekton,
      { state: 'failed', reason: 'Failed', message: 'Tasks Completed: 1 (Failed: 1)' },
    ],
    [
      'a succeeded Tekton PipelineRun',
      pr({ conditions: [cond('Succeeded', 'True', 'Succeeded')] }),
      tekton,
      { state: 'succeeded', reason: 'Succeeded' },
    ],
  ])('%s', (_, job, conditions, expected) => {
    expect(judgeJob(job, conditions)).toEqual(expected);
  });
});

describe("Katib's match rule", () => {
  const job = { status: { phase: 'Succeeded', conditions: [cond('Complete', 'False', 'NotYet')], empty: [], obj: {} } };

  it.each<[string, boolean]>([
    ['status.phase', false], // a string is neither an object nor an array
    ['status.conditions.#', false], // nor is a count
    ['status.empty', false], // an empty array does not count
    ['status.obj', true], // any object does, even an empty one
    ['status.conditions.#(type=="Complete")', true], // a first-match query yields the object, whatever its status
    ['status.conditions.#(type=="Complete")#|#(status=="True")#', false],
    ['', false],
  ])('%s matches: %s', (expr, matches) => {
    expect(conditionMatch(job, expr) !== undefined).toBe(matches);
  });

  it('copies reason and message from the first element of an array match', () => {
    expect(conditionMatch(job, 'status.conditions')).toEqual({ reason: 'NotYet' });
  });
});
