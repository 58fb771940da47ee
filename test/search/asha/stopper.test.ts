import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../src/common/errors.ts';
import { rungsCrossed } from '../../../src/search/asha/rungs.ts';
import { parseAshaSettings } from '../../../src/search/asha/settings.ts';
import { AshaStopper } from '../../../src/search/asha/stopper.ts';
import { builtinEarlyStopping } from '../../../src/search/earlyStopping/index.ts';
import type { EarlyStoppingRequest, Settings, TrialState, TrialView } from '../../../src/search/types.ts';
import { deepFreeze } from '../../../src/testing/askTell.ts';

/** A trial reporting `values` at steps 1, 2, … (or at `steps` when given). */
function trial(
  name: string,
  values: readonly number[],
  state: TrialState = 'Running',
  steps?: readonly number[],
): TrialView {
  const intermediate = values.map((value, i) => ({ step: steps?.[i] ?? i + 1, value }));
  return { name, params: {}, state, intermediate };
}

function request(
  self: TrialView,
  others: readonly TrialView[],
  settings: Settings = {},
  type: 'minimize' | 'maximize' = 'minimize',
): EarlyStoppingRequest {
  return deepFreeze({ objective: { type, metricName: 'loss' }, trials: [...others, self], trial: self, settings });
}

const asha = new AshaStopper();

describe('ASHA rungs', () => {
  it.each([
    [{}, 0, 100, [1, 3, 9, 27, 81]],
    [{ max_resource: '27' }, 0, 100, [1, 3, 9]],
    [{ max_resource: '28' }, 0, 100, [1, 3, 9, 27]],
    [{ eta: '2', min_resource: '2', max_resource: '32' }, 0, 100, [2, 4, 8, 16]],
    [{ grace_period: '5', eta: '4' }, 5, 80, [20, 80]],
    [{}, 3, 8, []],
    [{ min_resource: '0.1' }, 0.1, 0.9, [0.3, 0.9]],
  ] as [Settings, number, number, number[]][])('%o in (%d, %d] → %o', (settings, from, to, rungs) => {
    expect(rungsCrossed(parseAshaSettings(settings).values, from, to)).toEqual(rungs);
  });
});

describe('AshaStopper', () => {
  it('is registered as asha', () => {
    expect(builtinEarlyStopping.asha?.().name).toBe('asha');
  });

  it('lets the first trial at a rung continue, however bad', () => {
    const decision = asha.shouldStop(request(trial('t', [1e9]), [trial('pending', [], 'Pending')]));
    expect(decision).toEqual({
      stop: false,
      explain: { rung: 1, value: 1e9, rank: 1, keep: 1, recorded: 1, cutoff: 1e9, eta: 3 },
    });
  });

  it.each([
    // values already at rung 1, the new value, eta → stop?
    ['second arrival, better', [0.5], 0.4, '3', false],
    ['second arrival, worse', [0.5], 0.6, '3', true],
    ['second arrival, tied', [0.5], 0.5, '3', false],
    ['third arrival, second best of 3 (keep 1)', [0.3, 0.5], 0.4, '3', true],
    ['fourth arrival, second best of 4 (keep 2)', [0.3, 0.5, 0.6], 0.4, '3', false],
    ['fourth arrival, third best of 4 (keep 2)', [0.3, 0.5, 0.6], 0.55, '3', true],
    ['eta 2: second best of 4 (keep 2)', [0.3, 0.5, 0.6], 0.4, '2', false],
    ['eta 2: third best of 4 (keep 2)', [0.3, 0.5, 0.6], 0.55, '2', true],
    ['eta 4: second best of 4 (keep 1)', [0.3, 0.5, 0.6], 0.4, '4', true],
    ['eta 4: second best of 5 (keep 2)', [0.3, 0.5, 0.6, 0.7], 0.4, '4', false],
  ] as const)('%s', (_what, recorded, value, eta, stop) => {
    for (const type of ['minimize', 'maximize'] as const) {
      const sign = type === 'minimize' ? 1 : -1;
      const others = recorded.map((v, i) => trial(`o${i}`, [sign * v]));
      const decision = asha.shouldStop(request(trial('t', [sign * value]), others, { eta }, type));
      expect(decision.stop, type).toBe(stop);
      expect(decision.explain).toMatchObject({ rung: 1, recorded: recorded.length + 1 });
    }
  });

  it('explains a stop with the rung, rank, how many continue and the cutoff', () => {
    const others = [trial('a', [0.3]), trial('b', [0.5]), trial('c', [0.6])];
    expect(asha.shouldStop(request(trial('t', [0.55]), others))).toEqual({
      stop: true,
      reason: 'loss 0.55 at rung step 1 ranks 3 of 4; only the top 2 (1/3) continue',
      explain: { rung: 1, value: 0.55, rank: 3, keep: 2, recorded: 4, cutoff: 0.5, eta: 3 },
    });
  });

  it('decides only at rung steps: reports between rungs never stop a trial', () => {
    // Others are far better at every step; the trial is judged at steps 1, 3 and 9 only.
    const others = [1, 2, 3].map((i) =>
      trial(
        `o${i}`,
        Array.from({ length: 12 }, () => 0.01 * i),
      ),
    );
    for (let step = 1; step <= 12; step++) {
      const decision = asha.shouldStop(
        request(
          trial(
            't',
            Array.from({ length: step }, () => 1),
          ),
          others,
        ),
      );
      expect(decision.stop, `step ${step}`).toBe([1, 3, 9].includes(step));
      if (!decision.stop) expect(decision.explain).toBeUndefined();
    }
  });

  it('makes no decision at or beyond max_resource', () => {
    const others = [
      trial(
        'a',
        Array.from({ length: 9 }, () => 0.1),
      ),
    ];
    const self = trial(
      't',
      Array.from({ length: 9 }, () => 1),
    );
    expect(asha.shouldStop(request(self, others, { max_resource: '9' }))).toEqual({ stop: false });
    expect(asha.shouldStop(request(self, others, { max_resource: '10' })).stop).toBe(true);
  });

  it('counts every trial that recorded a value at the rung, in any state', () => {
    const states: TrialState[] = ['Succeeded', 'EarlyStopped', 'Failed', 'Killed', 'Running'];
    for (const state of states) {
      const others = [trial('a', [0.1, 0.1, 0.1], state)];
      expect(asha.shouldStop(request(trial('t', [0.05, 0.2, 0.3]), others)).stop, state).toBe(true);
    }
  });

  it('ignores trials that have not reached the rung yet', () => {
    const others = [trial('a', [0.1, 0.1]), trial('b', [0.1])];
    expect(asha.shouldStop(request(trial('t', [0.5, 0.5, 0.5]), others))).toMatchObject({
      stop: false,
      explain: { rung: 3, recorded: 1 },
    });
  });

  it('uses a trial’s value at the rung, not its later values', () => {
    // a is now at 0.01 but recorded 0.9 at rung 3; t's 0.5 beats it there.
    const others = [trial('a', [0.9, 0.9, 0.9, 0.01])];
    expect(asha.shouldStop(request(trial('t', [0.5, 0.5, 0.5]), others)).stop).toBe(false);
  });

  it('with explicit steps, records a rung at the first report at or past it', () => {
    const settings = { min_resource: '100', eta: '2' };
    // a reported at 150 and 250: its value at rung 100 is the one at step 150, at rung 200 the one at 250.
    const others = [trial('a', [0.4, 0.3], 'Succeeded', [150, 250]), trial('b', [0.2, 0.1], 'Running', [100, 200])];
    const at = (values: number[], steps: number[]) =>
      asha.shouldStop(request(trial('t', values, 'Running', steps), others, settings));
    expect(at([0.3], [100])).toMatchObject({ stop: false, explain: { rung: 100, rank: 2, keep: 2, recorded: 3 } });
    expect(at([0.3, 0.35], [100, 199])).toEqual({ stop: false });
    expect(at([0.3, 0.35, 0.32], [100, 199, 230])).toMatchObject({ stop: true, explain: { rung: 200, rank: 3 } });
  });

  it('judges every rung a single report jumps over', () => {
    // Steps 1 → 10 cross rungs 3 and 9; the trial is fine at rung 3 (first there) but last at rung 9.
    const others = [
      trial('a', [1, 1, 1, 1, 1, 1, 1, 1, 0.1], 'Running', [1, 2, 3, 4, 5, 6, 7, 8, 9]),
      trial('b', [0.5], 'Running', [1]),
    ];
    const self = trial('t', [0.2, 0.3], 'Running', [1, 10]);
    expect(asha.shouldStop(request(self, others))).toMatchObject({ stop: true, explain: { rung: 9 } });
  });

  it('skips non-finite values, and a trial with no report yet is never stopped', () => {
    const others = [trial('nan', [Number.NaN]), trial('a', [0.5])];
    expect(asha.shouldStop(request(trial('t', [0.4]), others)).explain).toMatchObject({ recorded: 2 });
    expect(asha.shouldStop(request(trial('t', []), others))).toEqual({ stop: false });
  });

  it('refuses to decide with invalid settings', () => {
    expect(() => asha.shouldStop(request(trial('t', [1]), [], { eta: '1' }))).toThrow(WorkbenchError);
  });

  it('is pure: the same request gives the same answer on any instance, the input is frozen', () => {
    const req = request(trial('t', [0.55]), [trial('a', [0.3]), trial('b', [0.5]), trial('c', [0.6])]);
    const first = asha.shouldStop(req);
    expect(asha.shouldStop(req)).toEqual(first);
    expect(new AshaStopper().shouldStop(structuredClone(req))).toEqual(first);
  });
});
