import { describe, expect, it } from 'vitest';
import { paretoData, paretoPlot } from '../../src/analysis/pareto.ts';
import { renderSvg } from '../../src/analysis/render.ts';
import { ErrorCode } from '../../src/common/errors.ts';
import type { ObjectiveSpec } from '../../src/search/types.ts';
import type { TrialRecord } from '../../src/store/types.ts';
import { caught } from '../helpers.ts';
import { double, input, markGroups, markItems, trial } from './inputs.ts';

const space = [double('x')];
const accuracy: ObjectiveSpec = { type: 'maximize', metricName: 'accuracy' };
const latency: ObjectiveSpec = { type: 'minimize', metricName: 'latency.ms' };
const size: ObjectiveSpec = { type: 'minimize', metricName: 'size' };

/** A trial with `accuracy` as its objective and the other metrics as summaries (latest value). */
function scored(seq: number, acc: number, metrics: Record<string, number>, over: Partial<TrialRecord> = {}) {
  return trial(
    seq,
    { x: seq / 10 },
    {
      objective: acc,
      metrics: Object.entries(metrics).map(([name, v]) => ({ name, latest: String(v), min: v, max: v })),
      ...over,
    },
  );
}

// Accuracy up, latency down: 0, 1 and 3 trade off; 2 is beaten by 1 (less accurate, slower); 4 ties 3 exactly
// (both on the front); 5 failed; 6 has no latency; 7 reported a latency that is not a number.
const trials = [
  scored(0, 0.8, { 'latency.ms': 1 }),
  scored(1, 0.9, { 'latency.ms': 3 }),
  scored(2, 0.85, { 'latency.ms': 4 }),
  scored(3, 0.95, { 'latency.ms': 9 }),
  scored(4, 0.95, { 'latency.ms': 9 }),
  trial(5, { x: 0.5 }, { state: 'Failed' }),
  scored(6, 0.99, {}),
  trial(7, { x: 0.7 }, { objective: 0.99, metrics: [{ name: 'latency.ms', latest: 'n/a' }] }),
];
const two = input(space, trials, { objective: accuracy, objectives: [accuracy, latency] });

describe('pareto plot data', () => {
  it('keeps the completed trials with every objective and marks the front by the directions', () => {
    const rows = paretoData(two);
    expect(rows.map((r) => r.trial)).toEqual(['exp-0', 'exp-1', 'exp-2', 'exp-3', 'exp-4']);
    expect(rows.filter((r) => r.front).map((r) => r.trial)).toEqual(['exp-0', 'exp-1', 'exp-3', 'exp-4']);
    expect(rows[1]).toEqual({
      trial: 'exp-1',
      number: 2,
      state: 'Succeeded',
      values: { accuracy: 0.9, 'latency.ms': 3 },
      front: true,
    });
  });

  it('turns with the directions: minimising accuracy puts the least accurate fast trial alone on the front', () => {
    const worse = input(space, trials, {
      objective: { ...accuracy, type: 'minimize' },
      objectives: [{ ...accuracy, type: 'minimize' }, latency],
    });
    expect(
      paretoData(worse)
        .filter((r) => r.front)
        .map((r) => r.trial),
    ).toEqual(['exp-0']);
  });

  it('takes each further objective by its metric strategy', () => {
    const ts = [
      scored(0, 0.8, {}, { metrics: [{ name: 'latency.ms', latest: '5', min: 1, max: 5 }] }),
      scored(1, 0.9, {}, { metrics: [{ name: 'latency.ms', latest: '2', min: 2, max: 2 }] }),
    ];
    const latest = input(space, ts, { objective: accuracy, objectives: [accuracy, latency] });
    expect(paretoData(latest).map((r) => r.front)).toEqual([false, true]);
    const byMin = { ...latest, metricStrategies: { 'latency.ms': 'min' as const } };
    expect(paretoData(byMin).map((r) => r.front)).toEqual([true, true]);
  });

  it('says why not with one objective, or with no trial that has them all', () => {
    const one = caught(() => paretoPlot(input(space, trials, { objective: accuracy })));
    expect(one.code).toBe(ErrorCode.invalidArgument);
    expect(one.message).toContain('needs several objectives');
    expect(one.message).toContain('additionalObjectives');
    const none = caught(() => paretoData({ ...two, trials: [scored(0, 0.5, {})] }));
    expect(none.message).toContain('no completed trial with a value of every objective');
  });
});

describe('pareto plot', () => {
  it('draws two objectives as one scatter: a point per trial and one staircase through the front', async () => {
    const plot = paretoPlot(two);
    const rows = (plot.spec.data as { values: Record<string, unknown>[] }).values;
    expect(rows).toHaveLength(5);
    expect(rows[3]).toMatchObject({ trial: 'exp-3', front: true, member: 'Pareto front', o0: 0.95, o1: 9 });
    // Accuracy (x) is maximised: the staircase climbs before each point rather than after.
    const layers = plot.spec.layer as { name: string; mark: { interpolate?: string } }[];
    expect(layers.find((l) => l.name === 'front')!.mark.interpolate).toBe('step-before');
    const svg = await renderSvg(plot.spec);
    expect(markItems(svg, 'trials')).toBe(5);
    expect(markGroups(svg, 'front')).toBe(1);
    expect(svg).toContain('4 of 5 trials on the front');
  });

  it('draws three objectives as a scatter per pair, every trial in each', async () => {
    const three = input(
      space,
      [
        scored(0, 0.8, { 'latency.ms': 1, size: 9 }),
        scored(1, 0.7, { 'latency.ms': 2, size: 1 }),
        scored(2, 0.6, { 'latency.ms': 3, size: 5 }),
      ],
      { objective: accuracy, objectives: [accuracy, latency, size] },
    );
    const plot = paretoPlot(three);
    expect(plot.data.map((r) => r.front)).toEqual([true, true, false]);
    expect(plot.spec.concat).toHaveLength(3);
    const svg = await renderSvg(plot.spec);
    for (const pair of ['pair_0_1', 'pair_0_2', 'pair_1_2']) expect(markItems(svg, pair)).toBe(3);
  });
});
