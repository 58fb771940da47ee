import { describe, expect, it } from 'vitest';
import { validateUpdate } from '../../src/spec/validateUpdate.ts';
import { baseManifest, lines, mutated } from './helpers.ts';

const longRunning = () => mutated((m) => (m.spec.resumePolicy = 'LongRunning'));
const maxReached = { phase: 'Succeeded', reason: 'ExperimentMaxTrialsReached', trials: 6 };

describe('validateUpdate', () => {
  it('lets a max-trials-reached LongRunning experiment raise its budget', () => {
    const next = mutated((m) => {
      m.spec.resumePolicy = 'LongRunning';
      m.spec.maxTrialCount = 10;
      m.spec.parallelTrialCount = 3;
      m.spec.maxFailedTrialCount = 2;
    });
    expect(validateUpdate(longRunning(), next, maxReached)).toEqual([]);
  });

  it('accepts an unchanged spec whatever the state', () => {
    expect(validateUpdate(baseManifest(), baseManifest(), { phase: 'Failed', trials: 6 })).toEqual([]);
  });

  it.each([
    ['7 resumePolicy Never', baseManifest, maxReached, 'spec.resumePolicy', 'can be restarted'],
    [
      '7 succeeded by goal',
      longRunning,
      { ...maxReached, reason: 'ExperimentGoalReached' },
      'spec.resumePolicy',
      'can be restarted',
    ],
    [
      '7 failed',
      longRunning,
      { phase: 'Failed', reason: 'ExperimentFailed', trials: 6 },
      'spec.resumePolicy',
      'can be restarted',
    ],
    [
      '8 budget not above trials',
      longRunning,
      { phase: 'Running', trials: 12 },
      'spec.maxTrialCount',
      'greater than status.trials',
    ],
  ])('rule %s', (_rule, old, status, path, fragment) => {
    const next = mutated((m) => {
      m.spec.resumePolicy = old().spec.resumePolicy;
      m.spec.maxTrialCount = 12;
    });
    const issues = validateUpdate(old(), next, status);
    expect(
      issues.some((i) => i.path === path && i.message.includes(fragment)),
      lines(issues).join('\n'),
    ).toBe(true);
  });

  it('rule 9 forbids editing anything but the budget', () => {
    const next = mutated((m) => {
      m.spec.resumePolicy = 'LongRunning';
      m.spec.maxTrialCount = 10;
      m.spec.algorithm.algorithmName = 'tpe';
      m.spec.parameters[0].feasibleSpace.max = '0.5';
    });
    expect(lines(validateUpdate(longRunning(), next, maxReached))).toEqual([
      'spec.algorithm: Forbidden: only spec.parallelTrialCount, spec.maxTrialCount and spec.maxFailedTrialCount are editable.',
      'spec.parameters: Forbidden: only spec.parallelTrialCount, spec.maxTrialCount and spec.maxFailedTrialCount are editable.',
    ]);
  });

  it('compares defaulted specs, so writing a default out is not an edit', () => {
    const old = mutated((m) => delete m.spec.parallelTrialCount);
    const next = mutated((m) => {
      m.spec.parallelTrialCount = 3;
      m.spec.resumePolicy = 'Never';
      m.spec.maxTrialCount = 8;
    });
    expect(validateUpdate(old, next, { phase: 'Running', trials: 2 })).toEqual([]);
  });
});
