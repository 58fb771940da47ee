import { describe, expect, it } from 'vitest';
import { historyData, historyPlot } from '../../src/analysis/history.ts';
import { caught } from '../helpers.ts';
import { double, input, trial } from './inputs.ts';

const space = [double('x')];
const values = [5, 7, 3, 4, 3, 1, 8];
const trials = values.map((v, i) => trial(i, { x: i / 10 }, { objective: v }));

describe('optimisation history', () => {
  it('keeps the best so far: never rising when minimising', () => {
    const rows = historyData(input(space, trials));
    expect(rows.map((r) => r.best)).toEqual([5, 5, 3, 3, 3, 1, 1]);
    expect(rows.map((r) => r.number)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('never falling when maximising', () => {
    const rows = historyData(input(space, trials, { objective: { type: 'maximize', metricName: 'acc' } }));
    expect(rows.map((r) => r.best)).toEqual([5, 7, 7, 7, 7, 7, 8]);
  });

  it('counts Succeeded and EarlyStopped trials with a value, as the best trial does, and skips the rest', () => {
    const mixed = [
      trial(0, { x: 0 }, { objective: 2 }),
      trial(1, { x: 0 }, { state: 'Failed', objective: 0 }),
      trial(2, { x: 0 }, { state: 'Running' }),
      trial(3, { x: 0 }, { state: 'EarlyStopped', objective: 1 }),
      trial(4, { x: 0 }, { state: 'Succeeded', objective: Number.NaN }),
    ];
    const rows = historyData(input(space, mixed));
    expect(rows.map((r) => [r.trial, r.state, r.best])).toEqual([
      ['exp-0', 'Succeeded', 2],
      ['exp-3', 'EarlyStopped', 1],
    ]);
  });

  it('refuses an experiment with no completed trial, saying so', () => {
    const e = caught(() => historyData(input(space, [trial(0, { x: 0 }, { state: 'Failed' })])));
    expect(e.isBadInput).toBe(true);
    expect(e.message).toContain("no completed trial with the objective 'loss'");
  });

  it('inlines the rows in a layered Vega-Lite spec', () => {
    const p = historyPlot(input(space, trials));
    expect(p.kind).toBe('history');
    expect((p.spec.data as { values: unknown }).values).toBe(p.data);
    expect((p.spec.layer as { name: string }[]).map((l) => l.name)).toEqual(['trials', 'best']);
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });
});
