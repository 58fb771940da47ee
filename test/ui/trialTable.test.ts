import { describe, expect, it } from 'vitest';
import type { TrialRecord } from '../../src/store/types.ts';
import { parseTrialQuery, trialPage } from '../../src/ui/trialTable.ts';
import { trial } from '../analysis/inputs.ts';

const trials: TrialRecord[] = [
  trial(0, { x: 3, k: 'b' }, { objective: 0.5, metrics: [{ name: 'acc', latest: '0.9' }] }),
  trial(1, { x: 1, k: 'a' }, { state: 'Running' }),
  trial(2, { x: 2, k: 'a' }, { objective: 0.1, metrics: [{ name: 'acc', latest: 'n/a' }] }),
  trial(3, { x: 1, k: 'c' }, { objective: 0.5, state: 'Failed' }),
];

const names = (query: string): string[] =>
  trialPage(trials, parseTrialQuery(new URLSearchParams(query))).rows.map((r) => r.name);

describe('trial table', () => {
  it.each([
    ['', ['exp-0', 'exp-1', 'exp-2', 'exp-3']],
    ['sort=objective', ['exp-2', 'exp-0', 'exp-3', 'exp-1']],
    // Missing values stay last when the order is reversed; ties keep creation order.
    ['sort=objective&order=desc', ['exp-0', 'exp-3', 'exp-2', 'exp-1']],
    ['sort=param:x', ['exp-1', 'exp-3', 'exp-2', 'exp-0']],
    ['sort=param:k&order=desc', ['exp-3', 'exp-0', 'exp-1', 'exp-2']],
    // Numbers before text, then trials without the metric.
    ['sort=metric:acc', ['exp-0', 'exp-2', 'exp-1', 'exp-3']],
    // One objective: no Pareto marks or objective values, so these sorts keep creation order.
    ['sort=pareto', ['exp-0', 'exp-1', 'exp-2', 'exp-3']],
    ['sort=value:loss&order=desc', ['exp-0', 'exp-1', 'exp-2', 'exp-3']],
    ['state=Running,Failed', ['exp-1', 'exp-3']],
    ['q=EXP-2', ['exp-2']],
    ['offset=1&limit=2', ['exp-1', 'exp-2']],
  ])('%s', (query, expected) => {
    expect(names(query)).toEqual(expected);
  });

  it('counts every trial and those the filter kept', () => {
    const page = trialPage(trials, parseTrialQuery(new URLSearchParams('state=Succeeded&limit=1')));
    expect(page).toMatchObject({ total: 4, matched: 2, offset: 0 });
    expect(page.rows[0]).toMatchObject({ name: 'exp-0', objective: 0.5, metrics: { acc: 0.9 }, budget: null });
  });

  it.each([
    ['order=up', 'order must be asc or desc'],
    ['sort=x;drop', 'sort must be'],
    ['limit=5001', 'limit must be a whole number from 0 to 5000'],
    ['offset=1.5', 'offset must be a whole number'],
  ])('refuses %s', (query, message) => {
    expect(() => parseTrialQuery(new URLSearchParams(query))).toThrow(message);
  });
});
