import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../src/common/errors.ts';
import { builtinEarlyStopping } from '../../../src/search/earlyStopping/index.ts';
import { MedianStopRule } from '../../../src/search/earlyStopping/medianStop.ts';
import type {
  EarlyStoppingRequest,
  Settings,
  TrialState,
  TrialView,
  ValidationContext,
} from '../../../src/search/types.ts';
import { deepFreeze } from '../../../src/testing/askTell.ts';

const ctx: ValidationContext = {
  space: [{ name: 'lr', domain: { kind: 'double', min: 0.001, max: 0.1, scale: 'uniform' } }],
  objective: { type: 'minimize', metricName: 'loss' },
  parallelTrialCount: 2,
};

/** A trial whose objective reported `values` at steps 1, 2, … */
function trial(name: string, state: TrialState, values: readonly number[]): TrialView {
  return { name, params: {}, state, intermediate: values.map((value, i) => ({ step: i + 1, value })) };
}

function request(
  running: readonly number[],
  others: readonly TrialView[],
  options: { type?: 'minimize' | 'maximize'; settings?: Settings } = {},
): EarlyStoppingRequest {
  const self = trial('running', 'Running', running);
  return deepFreeze({
    objective: { type: options.type ?? 'minimize', metricName: 'loss' },
    trials: [...others, self],
    trial: self,
    settings: options.settings ?? {},
  });
}

const rule = new MedianStopRule();

describe('MedianStopRule settings', () => {
  it.each([
    [{}, []],
    [{ min_trials_required: '1', start_step: '2' }, []],
    [{ min_trials_required: '0' }, ['min_trials_required must be greater than zero (>0)']],
    [{ min_trials_required: '-3' }, ['min_trials_required must be greater than zero (>0)']],
    [{ min_trials_required: 'two' }, ['min_trials_required must be an integer, got "two"']],
    [{ start_step: '0' }, ['start_step must be greater or equal than one (>=1)']],
    [{ start_step: '1.5' }, ['start_step must be an integer, got "1.5"']],
    [{ patience: '3' }, ['unknown setting patience for algorithm medianstop']],
    [
      { start_step: '0', min_trials_required: '0' },
      ['start_step must be greater or equal than one (>=1)', 'min_trials_required must be greater than zero (>0)'],
    ],
  ] as [Settings, string[]][])('validate(%o) → %o', (settings, messages) => {
    expect(rule.validate(settings, ctx).map((i) => i.message)).toEqual(messages);
  });

  it('points issues at spec.earlyStopping.algorithmSettings[i]', () => {
    const issues = rule.validate({ start_step: '2', min_trials_required: '0', x: '1' }, ctx);
    expect(issues.map((i) => i.path)).toEqual([
      'spec.earlyStopping.algorithmSettings[1].value',
      'spec.earlyStopping.algorithmSettings[2].name',
    ]);
  });

  it('refuses to decide with invalid settings', () => {
    const call = () => rule.shouldStop(request([1, 1, 1, 1], [], { settings: { start_step: '0' } }));
    expect(call).toThrow(WorkbenchError);
  });

  it('is registered as medianstop', () => {
    expect(builtinEarlyStopping.medianstop?.().name).toBe('medianstop');
  });
});

// Three completed trials, minimising: best-so-far at step 4 is 0.4, 0.5, 0.6 → median 0.5; at step 6: 0.3, 0.45, 0.6.
const finished = [
  trial('a', 'Succeeded', [0.9, 0.7, 0.5, 0.4, 0.35, 0.3]),
  trial('b', 'Succeeded', [0.8, 0.6, 0.5, 0.5, 0.45, 0.45]),
  trial('c', 'EarlyStopped', [0.7, 0.6, 0.6, 0.6, 0.6, 0.6]),
];
/** The same curves for a maximised metric (accuracy = 1 - loss): every decision must be the same. */
const mirrored: TrialView[] = finished.map((t) => ({
  ...t,
  intermediate: (t.intermediate ?? []).map((p) => ({ ...p, value: 1 - p.value })),
}));

describe('MedianStopRule decisions', () => {
  it.each([
    ['worse than the median at start_step', [0.9, 0.8, 0.7, 0.55], true, 0.5],
    ['better than the median at start_step', [0.9, 0.8, 0.7, 0.45], false, 0.5],
    ['exactly at the median (ties continue)', [0.9, 0.8, 0.7, 0.5], false, 0.5],
    ['its best so far counts, not its latest value', [0.9, 0.45, 0.7, 0.8], false, 0.5],
    ['before start_step nothing is compared', [2, 2, 2], false, undefined],
    ['after start_step, at step 6, worse', [0.9, 0.8, 0.6, 0.5, 0.48, 0.46], true, 0.45],
    ['after start_step, at step 6, better', [0.9, 0.8, 0.6, 0.5, 0.46, 0.44], false, 0.45],
  ] as const)('%s', (_what, values, stop, threshold) => {
    for (const type of ['minimize', 'maximize'] as const) {
      const curve = type === 'minimize' ? values : values.map((v) => 1 - v);
      const decision = rule.shouldStop(request(curve, type === 'minimize' ? finished : mirrored, { type }));
      expect(decision.stop, type).toBe(stop);
      if (threshold === undefined) expect(decision.explain).toBeUndefined();
      else {
        const median = type === 'minimize' ? threshold : 1 - threshold;
        expect(decision.explain?.median).toBeCloseTo(median, 12);
        expect(decision.explain).toMatchObject({ step: values.length, trialsCompared: 3 });
      }
    }
  });

  it('explains a stop with the step, the median, the value and the trials compared', () => {
    const decision = rule.shouldStop(request([0.9, 0.8, 0.7, 0.55], finished));
    expect(decision).toEqual({
      stop: true,
      reason: expect.stringContaining('median 0.5'),
      explain: { step: 4, median: 0.5, value: 0.55, trialsCompared: 3 },
    });
  });

  it('needs min_trials_required completed trials that reached the step', () => {
    const running = [0.9, 0.8, 0.7, 0.9];
    expect(rule.shouldStop(request(running, finished.slice(0, 2))).stop).toBe(false);
    expect(
      rule.shouldStop(request(running, finished.slice(0, 2), { settings: { min_trials_required: '2' } })).stop,
    ).toBe(true);
  });

  it('ignores running, failed and killed trials, however good', () => {
    const others = [
      finished[0] as TrialView,
      finished[1] as TrialView,
      trial('r', 'Running', [0.1, 0.1, 0.1, 0.1]),
      trial('f', 'Failed', [0.1, 0.1, 0.1, 0.1]),
      trial('k', 'Killed', [0.1, 0.1, 0.1, 0.1]),
    ];
    expect(rule.shouldStop(request([0.9, 0.9, 0.9, 0.9], others)).stop).toBe(false);
  });

  it('ignores completed trials that never reached the step', () => {
    // Two short, excellent trials (stopped at step 3) would pull the median down if they were counted.
    const others = [
      ...finished,
      trial('s1', 'EarlyStopped', [0.1, 0.1, 0.1]),
      trial('s2', 'Succeeded', [0.1, 0.1, 0.1]),
    ];
    const decision = rule.shouldStop(request([0.9, 0.8, 0.7, 0.45], others));
    expect(decision).toMatchObject({ stop: false, explain: { trialsCompared: 3, median: 0.5 } });
  });

  it('compares completed trials only up to the step (their later values are the future)', () => {
    // Trial a ends at 0.01, but at step 4 its best so far is 0.4.
    const others = [trial('a', 'Succeeded', [0.9, 0.7, 0.5, 0.4, 0.01]), ...finished.slice(1)];
    expect(rule.shouldStop(request([0.9, 0.8, 0.7, 0.55], others)).explain?.median).toBe(0.5);
  });

  it('uses explicit steps: start_step counts reports, the comparison is at the reported step', () => {
    const at = (name: string, state: TrialState, points: [number, number][]): TrialView => ({
      name,
      params: {},
      state,
      intermediate: points.map(([step, value]) => ({ step, value })),
    });
    const others = [
      at('a', 'Succeeded', [
        [100, 0.9],
        [200, 0.5],
        [300, 0.4],
        [400, 0.3],
        [500, 0.3],
      ]),
      at('b', 'Succeeded', [
        [100, 0.9],
        [200, 0.6],
        [300, 0.5],
        [400, 0.5],
        [500, 0.5],
      ]),
      at('c', 'Succeeded', [
        [150, 0.9],
        [250, 0.7],
        [350, 0.6],
        [450, 0.6],
      ]),
    ];
    const self = at('running', 'Running', [
      [100, 0.9],
      [200, 0.8],
      [300, 0.7],
      [400, 0.55],
    ]);
    const decision = rule.shouldStop({
      objective: ctx.objective,
      trials: [...others, self],
      trial: self,
      settings: {},
    });
    // At step 400: a 0.3, b 0.5, c (best of steps ≤ 400) 0.6 → median 0.5.
    expect(decision).toMatchObject({ stop: true, explain: { step: 400, median: 0.5, trialsCompared: 3 } });
  });

  it('skips non-finite reports', () => {
    const others = [...finished, trial('nan', 'Succeeded', [Number.NaN, Number.NaN, Number.NaN, Number.NaN])];
    expect(rule.shouldStop(request([0.9, 0.8, 0.7, 0.55], others)).explain?.trialsCompared).toBe(3);
  });

  it('is pure: same request, same answer, input untouched (frozen)', () => {
    const req = request([0.9, 0.8, 0.7, 0.55], finished);
    const first = rule.shouldStop(req);
    expect(new MedianStopRule().shouldStop(req)).toEqual(first);
    expect(rule.shouldStop(structuredClone(req))).toEqual(first);
  });
});

/** Katib's medianstop threshold: the MEAN over succeeded trials of the average of their first start_step values. */
function katibThreshold(trials: readonly TrialView[], startStep: number): number {
  const averages = trials
    .filter((t) => t.state === 'Succeeded')
    .map((t) => (t.intermediate ?? []).slice(0, startStep).reduce((s, p) => s + p.value, 0) / startStep);
  return averages.reduce((s, v) => s + v, 0) / averages.length;
}

describe('MedianStopRule versus Katib’s mean of averages', () => {
  it('is not dragged by one diverged trial', () => {
    // Four healthy trials near 0.3 and one that diverged to a loss of 50: a skewed set.
    const skewed = [
      trial('a', 'Succeeded', [0.5, 0.4, 0.3, 0.3]),
      trial('b', 'Succeeded', [0.5, 0.4, 0.35, 0.3]),
      trial('c', 'Succeeded', [0.6, 0.4, 0.3, 0.25]),
      trial('d', 'Succeeded', [0.5, 0.45, 0.35, 0.35]),
      trial('diverged', 'Succeeded', [5, 20, 40, 50]),
    ];
    const running = [3, 2.5, 2.2, 2];
    // Katib's threshold (≈ 6.1) is far above the running trial's loss of 2: Katib would let it run on.
    expect(katibThreshold(skewed, 4)).toBeGreaterThan(2);
    const decision = rule.shouldStop(request(running, skewed));
    expect(decision.stop).toBe(true);
    expect(decision.explain?.median).toBe(0.3);
  });
});
