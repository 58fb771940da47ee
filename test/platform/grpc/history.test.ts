import { describe, expect, it } from 'vitest';
import { buildHistory } from '../../../src/platform/grpc/history.ts';
import type { TrialConditionName, TrialMessage } from '../../../src/platform/grpc/messages.ts';
import type { IssuedEntry } from '../../../src/platform/grpc/state.ts';
import type { SearchSpace } from '../../../src/search/space.ts';

const space: SearchSpace = [
  { name: 'lr', domain: { kind: 'double', min: 0, max: 1, scale: 'uniform' } },
  { name: 'opt', domain: { kind: 'categorical', values: ['sgd', 'adam'] } },
];

function message(name: string, condition: TrialConditionName, lr: string, start = '', loss?: string): TrialMessage {
  return {
    name,
    spec: {
      objective: null,
      parameter_assignments: {
        assignments: [
          { name: 'lr', value: lr },
          { name: 'opt', value: 'sgd' },
        ],
      },
      labels: {},
    },
    status: {
      start_time: start,
      completion_time: '',
      condition,
      observation: { metrics: loss === undefined ? [] : [{ name: 'loss', value: loss }] },
    },
  };
}

const entry = (n: string, lr: string, seen = false): IssuedEntry => ({ n, v: [lr, 'sgd'], ...(seen ? { s: 1 } : {}) });

function history(trials: TrialMessage[], issued: IssuedEntry[], overdue = false) {
  return buildHistory({ space, metricName: 'loss', trials, issued, overdue: () => overdue });
}

describe('buildHistory', () => {
  it('reads names, numbers, conditions and the objective (as the one value) of the trials Katib sends', () => {
    const h = history([message('t1', 'SUCCEEDED', '0.5', '', '0.25'), message('t2', 'CREATED', '0.1')], []);
    expect(h.trials).toEqual([
      { name: 't1', params: { lr: 0.5, opt: 'sgd' }, state: 'Succeeded', objective: 0.25, values: [0.25] },
      { name: 't2', params: { lr: 0.1, opt: 'sgd' }, state: 'Pending' },
    ]);
  });

  it.each([
    ['RUNNING', 'Running'],
    ['KILLED', 'Killed'],
    ['FAILED', 'Failed'],
    ['EARLYSTOPPED', 'EarlyStopped'],
    ['METRICSUNAVAILABLE', 'MetricsUnavailable'],
    ['UNKNOWN', 'Running'],
  ] as const)('maps condition %s to %s', (condition, state) => {
    expect(history([message('t', condition, '0.5')], []).trials[0]?.state).toBe(state);
  });

  it('ignores an objective value that is no number ("unavailable")', () => {
    expect(history([message('t', 'SUCCEEDED', '0.5', '', 'unavailable')], []).trials[0]).not.toHaveProperty(
      'objective',
    );
  });

  it('puts trials we did not issue first, by start time, then ours in issue order', () => {
    const trials = [
      message('b', 'RUNNING', '0.2', '2024-01-01T00:00:05Z'),
      message('ours-2', 'RUNNING', '0.4', '2024-01-01T00:00:01Z'),
      message('a', 'RUNNING', '0.1', '2024-01-01T00:00:02Z'),
      message('ours-1', 'RUNNING', '0.3', '2024-01-01T00:00:09Z'),
      message('c', 'CREATED', '0.6'),
    ];
    const h = history(trials, [entry('ours-1', '0.3'), entry('ours-2', '0.4')]);
    expect(h.trials.map((t) => t.name)).toEqual(['a', 'b', 'c', 'ours-1', 'ours-2']);
    expect(h.issued.every((e) => e.s === 1)).toBe(true);
  });

  it('gives back a missing trial as MetricsUnavailable once it or a later one has been seen', () => {
    const h = history(
      [message('t3', 'RUNNING', '0.3')],
      [entry('t1', '0.1', true), entry('t2', '0.2'), entry('t3', '0.3')],
    );
    expect(h.trials).toEqual([
      { name: 't1', params: { lr: 0.1, opt: 'sgd' }, state: 'MetricsUnavailable' },
      { name: 't2', params: { lr: 0.2, opt: 'sgd' }, state: 'MetricsUnavailable' },
      { name: 't3', params: { lr: 0.3, opt: 'sgd' }, state: 'Running' },
    ]);
    expect(h.unseen).toEqual([]);
  });

  it('takes never-seen trials at the end as not created yet (Pending), until they are overdue', () => {
    const issued = [entry('t1', '0.1'), entry('t2', '0.2')];
    const fresh = history([message('t1', 'SUCCEEDED', '0.1', '', '1')], issued);
    expect(fresh.trials.map((t) => t.state)).toEqual(['Succeeded', 'Pending']);
    expect(fresh.unseen).toEqual([1]);
    const late = history([message('t1', 'SUCCEEDED', '0.1', '', '1')], issued, true);
    expect(late.trials.map((t) => t.state)).toEqual(['Succeeded', 'MetricsUnavailable']);
  });

  it('collects every name, so new names avoid them', () => {
    const h = history([message('x', 'RUNNING', '0.1')], [entry('t1', '0.1')]);
    expect([...h.names].sort()).toEqual(['t1', 'x']);
  });
});
