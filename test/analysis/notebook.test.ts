import { describe, expect, it } from 'vitest';
import { progressHtml, trialsTableHtml } from '../../src/analysis/notebook.ts';
import { categorical, double, input, trial } from './inputs.ts';

const rowsOf = (html: string) => [...html.matchAll(/<tr><td>(.*?)<\/td>/g)].map((m) => m[1]);

describe('progressHtml', () => {
  it('shows done of total, running, failed, the best value and the elapsed time', () => {
    const html = progressHtml(
      { done: 7, total: 12, running: 2, failed: 1, best: 0.259045, bestTrial: 'qs-<1>', elapsedMs: 3100 },
      { metric: 'loss' },
    );
    expect(html).toContain('<progress value="7" max="12"></progress>');
    expect(html).toContain('<b>7/12</b> trials · running 2 · failed 1 · best loss = 0.259 (qs-&#60;1&#62;) · 3.1 s');
  });

  it('before any trial completed, and without a budget', () => {
    const html = progressHtml({
      done: 0,
      total: undefined,
      running: 3,
      failed: 0,
      best: undefined,
      bestTrial: undefined,
      elapsedMs: 125_000,
    });
    expect(html).toContain('<progress value="0" max="3"></progress> <b>0/?</b>');
    expect(html).toContain('no completed trial yet · 2 min 5 s');
  });
});

describe('trialsTableHtml', () => {
  const space = [double('lr'), categorical('kernel', ['rbf', '<b>'])];
  const trials = [
    trial(0, { lr: 0.5, kernel: 'rbf' }, { objective: 3 }),
    trial(1, { lr: 0.25, kernel: '<b>' }, { objective: 1 }),
    trial(2, { lr: 0.125, kernel: 'rbf' }, { state: 'Failed' }),
    trial(3, { lr: 0.0625, kernel: 'rbf' }, { objective: 2 }),
  ];

  it('puts the best objective first (by direction), unscored trials last, and escapes values', () => {
    const min = trialsTableHtml(input(space, trials));
    expect(rowsOf(min)).toEqual(['exp-1', 'exp-3', 'exp-0', 'exp-2']);
    expect(min).toContain('<th>trial</th><th>state</th><th>loss</th><th>lr</th><th>kernel</th>');
    expect(min).toContain('<tr><td>exp-1</td><td>Succeeded</td><td>1</td><td>0.25</td><td>&#60;b&#62;</td></tr>');
    expect(min).toContain('<caption>exp: 4 trials, lowest loss first</caption>');
    const max = trialsTableHtml(input(space, trials, { objective: { type: 'maximize', metricName: 'loss' } }));
    expect(rowsOf(max)).toEqual(['exp-0', 'exp-3', 'exp-1', 'exp-2']);
  });

  it('shows at most `limit` rows and says how many were left out', () => {
    const html = trialsTableHtml(input(space, trials), { limit: 2 });
    expect(rowsOf(html)).toEqual(['exp-1', 'exp-3']);
    expect(html).toContain('(2 more not shown)');
  });
});
