import { describe, expect, it } from 'vitest';
import { curvesData } from '../../src/analysis/curves.ts';
import { parallelData, parallelPlot } from '../../src/analysis/parallel.ts';
import { plotOf } from '../../src/analysis/plot.ts';
import { rungsData } from '../../src/analysis/rungs.ts';
import { sliceData, slicePlot } from '../../src/analysis/slice.ts';
import { plotKinds } from '../../src/analysis/types.ts';
import { caught } from '../helpers.ts';
import { categorical, curve, double, input, trial } from './inputs.ts';

const space = [double('lr', 1e-4, 1, 'logUniform'), double('x', 0, 10), categorical('k', ['a', 'b', 'c'])];
const trials = [
  trial(0, { lr: 1e-4, x: 0, k: 'a' }, { objective: 3 }),
  trial(1, { lr: 1e-2, x: 5, k: 'c' }, { objective: 1 }),
  trial(2, { lr: 1, x: 10, k: 'b' }, { objective: 2 }),
  trial(3, { lr: 1e-3, x: 1, k: 'a' }, { state: 'Failed' }),
];

describe('parallel coordinates', () => {
  it('places each trial on every axis in [0, 1]: log ranges in log space, categories by position', () => {
    const rows = parallelData(input(space, trials));
    const of = (t: string) => rows.filter((r) => r.trial === t).map((r) => [r.axis, r.y]);
    expect(of('exp-1')).toEqual([
      ['lr', 0.5],
      ['x', 0.5],
      ['k', 1],
      ['loss', 0],
    ]);
    expect(of('exp-2')).toEqual([
      ['lr', 1],
      ['x', 1],
      ['k', 0.5],
      ['loss', 0.5],
    ]);
    expect(rows.some((r) => r.trial === 'exp-3')).toBe(false);
  });

  it('keeps the chosen parameters in the order given, and names unknown ones', () => {
    const rows = parallelData(input(space, trials), { params: ['k', 'lr'] });
    expect([...new Set(rows.map((r) => r.axis))]).toEqual(['k', 'lr', 'loss']);
    const e = caught(() => parallelPlot(input(space, trials), { params: ['lr', 'momentum'] }));
    expect(e.message).toContain("no parameter 'momentum'; its parameters are lr, x, k");
    expect(e.isBadInput).toBe(true);
  });
});

describe('slice plot', () => {
  it('has one row per scored trial and parameter, and a panel per parameter with the right axis type', () => {
    const p = slicePlot(input(space, trials));
    expect(sliceData(input(space, trials))).toHaveLength(3 * 3);
    const panels = p.spec.concat as { encoding: { x: { type: string; scale?: { type?: string } } } }[];
    expect(panels.map((q) => q.encoding.x.type)).toEqual(['quantitative', 'quantitative', 'nominal']);
    expect(panels[0]!.encoding.x.scale?.type).toBe('log');
  });
});

describe('learning curves', () => {
  it("draws every trial's reported values by step and marks the early-stopped trials' last point", () => {
    const ts = [
      trial(0, { x: 0 }),
      trial(1, { x: 1 }, { state: 'EarlyStopped' }),
      trial(2, { x: 2 }, { state: 'Running' }),
    ];
    const observations = [
      ...curve('exp-0', [4, 3, 2]),
      ...curve('exp-1', [5, 4.5]),
      ...curve('exp-2', [6]),
      { trial: 'exp-0', metric: 'accuracy', value: '0.9', step: 1 },
      { trial: 'exp-2', metric: 'loss', value: 'nan', step: 2 },
    ];
    const rows = curvesData(input([double('x')], ts, { observations }));
    expect(rows).toHaveLength(6);
    expect(rows.filter((r) => r.earlyStopped && r.last).map((r) => [r.trial, r.step, r.value])).toEqual([
      ['exp-1', 2, 4.5],
    ]);
    expect(rows.filter((r) => r.trial === 'exp-2').map((r) => r.state)).toEqual(['Running']);
  });

  it('refuses an experiment without observations of the objective', () => {
    const e = caught(() =>
      curvesData(input([double('x')], [trial(0, { x: 0 }, { objective: 1 })], { observations: [] })),
    );
    expect(e.message).toContain("reported 'loss' in its observation log");
  });
});

describe('rungs', () => {
  it('links each promoted trial to its parent, and refuses trials without budgets', () => {
    const ts = [
      trial(0, { x: 0 }, { objective: 3, budget: 1 }),
      trial(1, { x: 1 }, { objective: 2, budget: 1 }),
      trial(2, { x: 1 }, { objective: 1.5, budget: 3, parent: 'exp-1' }),
    ];
    const rows = rungsData(input([double('x')], ts));
    expect(rows.map((r) => [r.trial, r.budget, r.parent ?? null, r.parentBudget ?? null])).toEqual([
      ['exp-0', 1, null, null],
      ['exp-1', 1, null, null],
      ['exp-2', 3, 'exp-1', 1],
    ]);
    const e = caught(() => rungsData(input([double('x')], [trial(0, { x: 0 }, { objective: 1 })])));
    expect(e.message).toContain('carries a budget');
  });
});

describe('plotOf', () => {
  it('builds every kind as plain JSON with the rows inlined', () => {
    // A second objective (`cost`) too, so that the pareto plot can be drawn.
    const ts = trials.map((t) => ({ ...t, budget: 1, metrics: [{ name: 'cost', latest: String(t.seq) }] }));
    const observations = ts.flatMap((t) => curve(t.name, [2, 1]));
    const objectives = [
      { type: 'minimize', metricName: 'loss' },
      { type: 'minimize', metricName: 'cost' },
    ] as const;
    for (const kind of plotKinds) {
      const p = plotOf(input(space, ts, { observations, objectives }), kind);
      expect(p.kind).toBe(kind);
      expect(JSON.parse(JSON.stringify(p.spec))).toEqual(p.spec);
      expect(p.spec.$schema).toMatch(/vega-lite\/v6/);
    }
    expect(caught(() => plotOf(input(space, ts), 'pie' as never)).message).toContain('unknown plot kind');
  });
});
