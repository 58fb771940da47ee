import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../src/common/errors.ts';
import { CmaesSearch } from '../../../src/search/cmaes/index.ts';
import { defaultSigma, readSettings } from '../../../src/search/cmaes/settings.ts';
import type { SearchSpace } from '../../../src/search/space.ts';
import type { ValidationContext } from '../../../src/search/types.ts';
import { makeRequest } from '../../../src/testing/askTell.ts';
import { branin, mixedSpace } from '../../../src/testing/benchmarks.ts';

const ctx = (space: SearchSpace): ValidationContext => ({
  space,
  objective: { type: 'minimize', metricName: 'loss' },
  parallelTrialCount: 2,
});

const dims2 = 'CMA-ES only supports two or more dimensional continuous search space.';
const double = (name: string): SearchSpace[number] => ({
  name,
  domain: { kind: 'double', min: 0, max: 1, scale: 'uniform' },
});
const int = (name: string): SearchSpace[number] => ({
  name,
  domain: { kind: 'int', min: 1, max: 9, step: 1, scale: 'uniform' },
});
const categorical: SearchSpace[number] = { name: 'opt', domain: { kind: 'categorical', values: ['a', 'b'] } };
const discrete: SearchSpace[number] = { name: 'batch', domain: { kind: 'discrete', values: [16, 32] } };

describe('cmaes settings', () => {
  const cmaes = new CmaesSearch();

  it.each([
    [{}, []],
    [{ random_state: '0', sigma: '0.2', restart_strategy: 'ipop' }, []],
    [{ restart_strategy: 'none' }, []],
    [{ restart_strategy: 'bipop' }, []],
    [{ sigma: '1e-3' }, []],
    [{ random_state: '-1' }, ['setting random_state of algorithm cmaes must be an integer >= 0, got "-1"']],
    [{ random_state: '1.5' }, ['setting random_state of algorithm cmaes must be an integer >= 0, got "1.5"']],
    [{ sigma: '0' }, ['setting sigma of algorithm cmaes must be a number > 0, got "0"']],
    [{ sigma: '-0.1' }, ['setting sigma of algorithm cmaes must be a number > 0, got "-0.1"']],
    [{ sigma: 'wide' }, ['setting sigma of algorithm cmaes must be a number > 0, got "wide"']],
    // goptuna would accept these at validation and then fail every GetSuggestions call.
    [
      { restart_strategy: 'None' },
      ['setting restart_strategy of algorithm cmaes must be one of none, ipop, bipop, got "None"'],
    ],
    [
      { restart_strategy: 'IPOP' },
      ['setting restart_strategy of algorithm cmaes must be one of none, ipop, bipop, got "IPOP"'],
    ],
    // Katib ignores unknown names; a typo would silently do nothing, so we reject it.
    [{ popsize: '10' }, ['unknown setting popsize for algorithm cmaes']],
    [{ sigma0: '0.1' }, ['unknown setting sigma0 for algorithm cmaes']],
  ])('validate(%o) → %o', (settings, messages) => {
    expect(cmaes.validate(settings, ctx(branin.space)).map((i) => i.message)).toEqual(messages);
  });

  it('points a bad setting at its position in algorithmSettings', () => {
    const issues = cmaes.validate({ sigma: '0.2', restart_strategy: 'x', typo: '1' }, ctx(branin.space));
    expect(issues.map((i) => i.path)).toEqual([
      'spec.algorithm.algorithmSettings[1].value',
      'spec.algorithm.algorithmSettings[2].name',
    ]);
  });

  it.each([
    ['two doubles', [double('a'), double('b')], []],
    ['int and double', [int('a'), double('b')], []],
    ['the mixed space', mixedSpace, []],
    ['one double', [double('a')], [dims2]],
    ['one double, a categorical and a discrete', [double('a'), categorical, discrete], [dims2]],
    ['only lists', [categorical, discrete], [dims2]],
    ['nothing', [], [dims2]],
  ] as const)('space with %s', (_, space, messages) => {
    expect(cmaes.validate({}, ctx(space)).map((i) => i.message)).toEqual(messages);
  });

  it('rejects duplicate parameter names at the second occurrence', () => {
    const issues = cmaes.validate({}, ctx([double('a'), double('b'), int('a')]));
    expect(issues).toEqual([
      {
        path: 'spec.parameters[2].name',
        message: 'duplicate parameter name a (also spec.parameters[0])',
        fix: 'Give every parameter a unique name.',
      },
    ]);
  });

  it('reports every problem at once, the continuous-space rule at spec.parameters', () => {
    const issues = cmaes.validate({ sigma: '-1' }, ctx([double('a'), double('a')]));
    expect(issues.map((i) => i.path)).toEqual(['spec.algorithm.algorithmSettings[0].value', 'spec.parameters[1].name']);
    const narrow = cmaes.validate({}, ctx([double('a')]));
    expect(narrow[0]?.path).toBe('spec.parameters');
  });

  it('applies defaults: the request seed, sigma 1/6, no restarts', () => {
    expect(readSettings({}, 42)).toEqual({ seed: 42, sigma: defaultSigma, restart: 'none' });
    expect(defaultSigma).toBeCloseTo(1 / 6, 12);
    expect(readSettings({ random_state: '7', sigma: '0.05', restart_strategy: 'bipop' }, 42)).toEqual({
      seed: 7,
      sigma: 0.05,
      restart: 'bipop',
    });
  });

  it('suggest throws invalidArgument with the issues for settings that validate would reject', () => {
    const request = makeRequest({ space: branin.space, trials: [], count: 1, settings: { restart_strategy: 'x' } });
    let caught: unknown;
    try {
      cmaes.suggest(request);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(WorkbenchError);
    expect((caught as WorkbenchError).code).toBe('INVALID_ARGUMENT');
    expect((caught as WorkbenchError).issues.map((i) => i.path)).toEqual(['spec.algorithm.algorithmSettings[0].value']);
  });
});
