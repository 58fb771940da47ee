// Katib's trial success/failure decision per job kind (failure first, then success), table-driven. The GJSON
// evaluator itself is tested in test/training/conditions; this covers the defaults and the verdict shape.
import { describe, expect, it } from 'vitest';
import { jobJudge } from '../../../src/platform/kubernetes/judge.ts';

const c = (type: string, status = 'True', reason?: string, message?: string) => ({
  type,
  status,
  ...(reason === undefined ? {} : { reason }),
  ...(message === undefined ? {} : { message }),
});
const job = (...conditions: object[]) => ({ status: { conditions } });

describe('jobJudge with Katib default conditions', () => {
  it.each([
    ['PyTorchJob created', 'PyTorchJob', job(c('Created')), { state: 'running' }],
    ['PyTorchJob running', 'PyTorchJob', job(c('Created'), c('Running')), { state: 'running' }],
    [
      'PyTorchJob succeeded',
      'PyTorchJob',
      job(c('Created'), c('Running', 'False'), c('Succeeded', 'True', 'PyTorchJobSucceeded', 'done')),
      { state: 'succeeded', reason: 'PyTorchJobSucceeded', message: 'done' },
    ],
    [
      'TFJob failed',
      'TFJob',
      job(c('Created'), c('Failed', 'True', 'TFJobFailed', 'chief failed')),
      { state: 'failed', reason: 'TFJobFailed', message: 'chief failed' },
    ],
    ['a False Succeeded condition is not success', 'XGBoostJob', job(c('Succeeded', 'False')), { state: 'running' }],
    // v1 jobs never say Complete; TrainJob and batch Job never say Succeeded.
    ['MPIJob with Complete is still running', 'MPIJob', job(c('Complete')), { state: 'running' }],
    [
      'TrainJob complete',
      'TrainJob',
      job(c('Complete', 'True', 'JobSetCompleted')),
      { state: 'succeeded', reason: 'JobSetCompleted' },
    ],
    ['TrainJob with Succeeded is still running', 'TrainJob', job(c('Succeeded')), { state: 'running' }],
    ['batch Job success criteria met is not complete yet', 'Job', job(c('SuccessCriteriaMet')), { state: 'running' }],
    ['batch Job complete', 'Job', job(c('SuccessCriteriaMet'), c('Complete')), { state: 'succeeded' }],
    [
      'failure is checked before success',
      'PyTorchJob',
      job(c('Succeeded'), c('Failed', 'True', 'X', 'both')),
      { state: 'failed', reason: 'X', message: 'both' },
    ],
    ['no status yet', 'PyTorchJob', {}, { state: 'running' }],
  ])('%s', (_name, kind, obj, verdict) => {
    expect(jobJudge(kind).judge(obj)).toEqual(verdict);
  });
});

describe('jobJudge with the experiment’s own conditions', () => {
  it('evaluates Argo’s status.[@this].#(phase=="Succeeded")# form', () => {
    const j = jobJudge('Workflow', 'status.[@this].#(phase=="Succeeded")#', 'status.[@this].#(phase=="Failed")#');
    expect(j.judge({ status: { phase: 'Running' } })).toEqual({ state: 'running' });
    expect(j.judge({ status: { phase: 'Succeeded' } })).toEqual({ state: 'succeeded' });
    expect(j.judge({ status: { phase: 'Failed', message: 'step failed' } })).toEqual({
      state: 'failed',
      message: 'step failed',
    });
  });

  it('uses a custom condition type instead of the default', () => {
    const j = jobJudge('PyTorchJob', 'status.conditions.#(type=="Done")#|#(status=="True")#');
    expect(j.judge(job(c('Succeeded')))).toEqual({ state: 'running' });
    expect(j.judge(job(c('Done')))).toEqual({ state: 'succeeded' });
  });

  it('takes any GJSON path: an object or a non-empty array matches, a bare value does not', () => {
    const j = jobJudge('PyTorchJob', 'status.replicaStatuses.Master', 'status.conditions.#(reason%"*OOM*")#');
    expect(j.judge({ status: { replicaStatuses: { Master: { succeeded: 1 } } } })).toEqual({ state: 'succeeded' });
    expect(j.judge({ status: { replicaStatuses: { Master: 1 } } })).toEqual({ state: 'running' });
    expect(j.judge(job(c('Failed', 'True', 'PodOOMKilled', 'out of memory')))).toEqual({
      state: 'failed',
      reason: 'PodOOMKilled',
      message: 'out of memory',
    });
  });

  it('refuses a kind without defaults when no conditions are given', () => {
    expect(() => jobJudge('Workflow')).toThrow(/no default success\/failure conditions for kind Workflow/);
  });
});
