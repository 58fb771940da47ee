import { describe, expect, it } from 'vitest';
import { AshaStopper } from '../../../src/search/asha/stopper.ts';
import type { CurvePoint } from '../../../src/search/earlyStopping/curve.ts';
import { MedianStopRule } from '../../../src/search/earlyStopping/medianStop.ts';
import { decideEarlyStop, evaluateRules } from '../../../src/search/earlyStopping/rules.ts';
import type {
  EarlyStoppingAlgorithm,
  EarlyStoppingRequest,
  EarlyStoppingRule,
  ObjectiveSpec,
  TrialView,
} from '../../../src/search/types.ts';

const minimize: ObjectiveSpec = { type: 'minimize', metricName: 'loss' };
const maximize: ObjectiveSpec = { type: 'maximize', metricName: 'loss' };

/** Reports at steps 1, 2, … */
const curve = (...values: number[]): CurvePoint[] => values.map((value, i) => ({ step: i + 1, value }));

const rule = (over: Partial<EarlyStoppingRule> = {}): EarlyStoppingRule => ({
  name: 'loss',
  value: 0.5,
  comparison: 'GREATER',
  ...over,
});

describe('evaluateRules (Katib collector semantics)', () => {
  it.each([
    // rules, curve, objective → stop?
    ['no rules never stop', [], curve(9, 9, 9), minimize, false],
    ['best so far (min) 0.6 > 0.5', [rule()], curve(0.9, 0.6, 0.7), minimize, true],
    ['best so far 0.4 is not > 0.5, though the latest is', [rule()], curve(0.9, 0.4, 0.7), minimize, false],
    ['latest 0.7 > 0.5 with of: latest', [rule({ of: 'latest' })], curve(0.9, 0.4, 0.7), minimize, true],
    ['strict: best exactly at the value runs on', [rule()], curve(0.5, 0.6), minimize, false],
    ['maximize: best 0.45 < 0.5', [rule({ comparison: 'LESS' })], curve(0.3, 0.45), maximize, true],
    ['maximize: best 0.55 is not < 0.5', [rule({ comparison: 'LESS' })], curve(0.3, 0.55, 0.1), maximize, false],
    ['EQUAL', [rule({ comparison: 'EQUAL', value: 0.6 })], curve(0.9, 0.6), minimize, true],
    ['before start_step: not applied', [rule({ startStep: 4 })], curve(0.9, 0.9, 0.9), minimize, false],
    ['at start_step', [rule({ startStep: 4 })], curve(0.9, 0.9, 0.9, 0.9), minimize, true],
    [
      'after start_step too (rules are recomputed per report)',
      [rule({ startStep: 2 })],
      curve(1, 1, 1),
      minimize,
      true,
    ],
    ['non-finite reports do not count', [rule({ startStep: 3 })], curve(0.9, Number.NaN, 0.9), minimize, false],
    ['another metric is not followed: never met', [rule({ name: 'acc' })], curve(0.9), minimize, false],
    ['an empty curve never stops', [rule({ value: -1 })], [], minimize, false],
    ['every rule must hold (one fails)', [rule(), rule({ value: 0.95 })], curve(0.9), minimize, false],
    ['every rule must hold (both do)', [rule(), rule({ value: 0.8 })], curve(0.9), minimize, true],
  ] as [string, EarlyStoppingRule[], CurvePoint[], ObjectiveSpec, boolean][])(
    '%s',
    (_, rules, points, objective, stop) => {
      expect(evaluateRules(rules, points, objective).stop).toBe(stop);
    },
  );

  it('names the met rule and the value it compared', () => {
    const first = rule({ value: 0.2 });
    expect(evaluateRules([first, rule()], curve(0.9, 0.6), minimize)).toEqual({
      stop: true,
      rule: first,
      observed: 0.6,
    });
    expect(evaluateRules([rule({ value: 0.7 })], curve(0.9, 0.6), minimize)).toEqual({
      stop: false,
      rule: rule({ value: 0.7 }),
      observed: 0.6,
    });
  });
});

/** A user's early-stopping algorithm: only `rules`, no decision code of its own. */
class Threshold implements EarlyStoppingAlgorithm {
  readonly name = 'threshold';
  validate(): [] {
    return [];
  }
  rules(req: EarlyStoppingRequest): EarlyStoppingRule[] {
    return [{ name: req.objective.metricName, value: 1, comparison: 'GREATER', startStep: 2 }];
  }
}

function request(values: number[], others: TrialView[] = []): EarlyStoppingRequest {
  const trial: TrialView = { name: 't', params: {}, state: 'Running', intermediate: curve(...values) };
  return { objective: minimize, trials: [...others, trial], trial, settings: {} };
}

describe('decideEarlyStop', () => {
  it('decides for an algorithm that only declares rules, with a reason saying what was compared', () => {
    expect(decideEarlyStop(new Threshold(), request([2]))).toEqual({ stop: false });
    expect(decideEarlyStop(new Threshold(), request([2, 1.5]))).toEqual({
      stop: true,
      reason: 'best loss 1.5 is above 1',
    });
    expect(decideEarlyStop(new Threshold(), request([2, 0.5]))).toEqual({ stop: false });
  });

  it('medianstop gives Katib’s rule shape: objective GREATER (minimize) the median from start_step', () => {
    const done = ['a', 'b', 'c'].map(
      (name, i): TrialView => ({
        name,
        params: {},
        state: 'Succeeded',
        intermediate: curve(0.9, 0.7, 0.5, 0.4 + i / 10),
      }),
    );
    // A new trial (no reports): the rule it will be judged by at its 4th report.
    const fresh = {
      ...request([], done),
      trial: { name: 'new', params: {}, state: 'Pending' },
    } as EarlyStoppingRequest;
    expect(new MedianStopRule().rules(fresh)).toMatchObject([
      { name: 'loss', value: 0.5, comparison: 'GREATER', startStep: 4 },
    ]);
    expect(decideEarlyStop(new MedianStopRule(), request([0.9, 0.8, 0.7, 0.55], done)).stop).toBe(true);
  });

  it('asha’s rung rule compares the latest value at the rung (of: latest)', () => {
    const others = [0.3, 0.5, 0.6].map(
      (v, i): TrialView => ({ name: `o${i}`, params: {}, state: 'Running', intermediate: curve(v) }),
    );
    expect(new AshaStopper().rules(request([0.55], others))).toMatchObject([
      { name: 'loss', value: 0.5, comparison: 'GREATER', startStep: 1, of: 'latest' },
    ]);
  });
});
