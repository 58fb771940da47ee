import { describe, expect, it } from 'vitest';
import { ErrorCode, WorkbenchError } from '../../../src/common/errors.ts';
import { MultivariateTpeSearch, TpeSearch } from '../../../src/search/tpe/index.ts';
import { readMultivariateTpe, readTpe } from '../../../src/search/tpe/settings.ts';
import type { Settings, ValidationContext } from '../../../src/search/types.ts';
import { makeRequest } from '../../../src/testing/askTell.ts';
import { mixedSpace } from '../../../src/testing/benchmarks.ts';

const ctx: ValidationContext = {
  space: mixedSpace,
  objective: { type: 'minimize', metricName: 'loss' },
  parallelTrialCount: 2,
};

describe('tpe settings (Katib hyperopt)', () => {
  it.each<[Settings, string | undefined]>([
    [{}, undefined],
    [{ gamma: '0.5', prior_weight: '2', n_EI_candidates: '48', random_state: '3' }, undefined],
    [{ gamma: '0' }, 'setting gamma of algorithm tpe must be a number > 0 and < 1, got "0"'],
    [{ gamma: '1' }, 'setting gamma of algorithm tpe must be a number > 0 and < 1, got "1"'],
    [{ gamma: 'high' }, 'setting gamma of algorithm tpe must be a number > 0 and < 1, got "high"'],
    [{ prior_weight: '0' }, 'setting prior_weight of algorithm tpe must be a number > 0, got "0"'],
    [{ n_EI_candidates: '0' }, 'setting n_EI_candidates of algorithm tpe must be an integer >= 1, got "0"'],
    [{ n_EI_candidates: '2.5' }, 'setting n_EI_candidates of algorithm tpe must be an integer >= 1, got "2.5"'],
    [{ random_state: '-1' }, 'setting random_state of algorithm tpe must be an integer >= 0, got "-1"'],
    // Case-sensitive, as in Katib: Optuna's spelling is unknown to hyperopt.
    [{ n_ei_candidates: '24' }, 'unknown setting n_ei_candidates for algorithm tpe'],
    [{ n_startup_jobs: '5' }, 'unknown setting n_startup_jobs for algorithm tpe'],
  ])('validate(%o) → %s', (settings, message) => {
    const issues = new TpeSearch().validate(settings, ctx);
    if (message === undefined) expect(issues).toEqual([]);
    else expect(issues.map((i) => i.message)).toEqual([message]);
  });

  it('points issues at the setting by its position in the list', () => {
    const issues = new TpeSearch().validate({ gamma: '0.2', bogus: '1', prior_weight: '-1' }, ctx);
    expect(issues.map((i) => i.path)).toEqual([
      'spec.algorithm.algorithmSettings[1].name',
      'spec.algorithm.algorithmSettings[2].value',
    ]);
  });

  it('applies hyperopt defaults and reads every setting', () => {
    expect(readTpe({}, 9)).toMatchObject({ seed: 9, startup: 10, candidates: 24, priorWeight: 1, gamma: 0.25 });
    const cfg = readTpe({ gamma: '0.4', prior_weight: '3', n_EI_candidates: '7', random_state: '5' }, 9);
    expect(cfg).toMatchObject({ seed: 5, candidates: 7, priorWeight: 3, gamma: 0.4, mode: 'marginal' });
  });
});

describe('multivariate-tpe settings (Katib optuna)', () => {
  it.each<[Settings, string | undefined]>([
    [{}, undefined],
    [{ n_startup_trials: '0', n_ei_candidates: '0', random_state: '0' }, undefined],
    [
      { n_startup_trials: '-1' },
      'setting n_startup_trials of algorithm multivariate-tpe must be an integer >= 0, got "-1"',
    ],
    [
      { n_ei_candidates: 'x' },
      'setting n_ei_candidates of algorithm multivariate-tpe must be an integer >= 0, got "x"',
    ],
    // Katib maps random_state to Optuna's seed and rejects seed itself.
    [{ seed: '1' }, 'unknown setting seed for algorithm multivariate-tpe'],
    [{ n_EI_candidates: '24' }, 'unknown setting n_EI_candidates for algorithm multivariate-tpe'],
    [{ gamma: '0.25' }, 'unknown setting gamma for algorithm multivariate-tpe'],
  ])('validate(%o) → %s', (settings, message) => {
    const issues = new MultivariateTpeSearch().validate(settings, ctx);
    if (message === undefined) expect(issues).toEqual([]);
    else expect(issues.map((i) => i.message)).toEqual([message]);
  });

  it("applies Optuna's defaults; 0 candidates still draws one", () => {
    expect(readMultivariateTpe({}, 4)).toMatchObject({ seed: 4, startup: 10, candidates: 24, mode: 'joint' });
    expect(readMultivariateTpe({ n_startup_trials: '3', n_ei_candidates: '0' }, 4)).toMatchObject({
      startup: 3,
      candidates: 1,
    });
  });
});

describe('suggest with invalid settings', () => {
  it.each([
    ['tpe', new TpeSearch(), { gamma: '2' }],
    ['multivariate-tpe', new MultivariateTpeSearch(), { seed: '2' }],
  ] as const)('%s throws invalidArgument listing the issues', (_, algorithm, settings) => {
    const req = makeRequest({ space: mixedSpace, trials: [], count: 1, settings });
    let error: unknown;
    try {
      algorithm.suggest(req);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WorkbenchError);
    expect((error as WorkbenchError).code).toBe(ErrorCode.invalidArgument);
  });
});
