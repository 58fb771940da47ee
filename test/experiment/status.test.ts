import { describe, expect, it } from 'vitest';
import { countTrials, evaluateCompletion, type TrialCounts } from '../../src/experiment/status.ts';

const none: TrialCounts = countTrials([]);
const counts = (c: Partial<TrialCounts>): TrialCounts => {
  const all = { ...none, ...c };
  return { ...all, total: Object.entries(all).reduce((n, [k, v]) => (k === 'total' ? n : n + v), 0) };
};
const verdict = (c: Partial<TrialCounts>, more: { maxTrialCount?: number; exhausted?: boolean; max?: number } = {}) =>
  evaluateCompletion({
    counts: counts(c),
    objectiveType: 'minimize',
    best: c.succeeded ? 1 : undefined,
    goal: undefined,
    maxTrialCount: more.maxTrialCount,
    maxFailedTrialCount: more.max,
    exhausted: more.exhausted ?? false,
  });

describe('evaluateCompletion', () => {
  it.each([
    ['every trial failed', { failed: 4 }, { maxTrialCount: 4 }],
    ['failed and metrics unavailable', { failed: 2, metricsUnavailable: 2 }, { maxTrialCount: 4 }],
    ['a finished grid with only failures', { failed: 3 }, { exhausted: true }],
  ])('%s: the budget is used without one success, so the experiment failed', (_, c, more) => {
    expect(verdict(c, more)).toMatchObject({ phase: 'Failed', reason: 'ExperimentNoTrialSucceeded' });
    expect(verdict(c, more)?.message).toContain('no trial succeeded');
  });

  it.each([
    ['one success among failures', { failed: 3, succeeded: 1 }, 'ExperimentMaxTrialsReached'],
    ['early-stopped trials carry results', { earlyStopped: 4 }, 'ExperimentMaxTrialsReached'],
  ])('%s: succeeded as Katib says', (_, c, reason) => {
    expect(verdict(c, { maxTrialCount: 4 })).toMatchObject({ phase: 'Succeeded', reason });
  });

  it('keeps Katib order: max failed trials is reported before the budget', () => {
    expect(verdict({ failed: 4 }, { maxTrialCount: 4, max: 3 })).toMatchObject({ reason: 'ExperimentFailed' });
  });

  it('is undecided while trials remain to run', () => {
    expect(verdict({ failed: 2, running: 1 }, { maxTrialCount: 4 })).toBeUndefined();
    expect(verdict({ failed: 2, running: 1 }, { exhausted: true })).toBeUndefined();
  });
});
