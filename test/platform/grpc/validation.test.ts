import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { builtinAlgorithms } from '../../../src/search/index.ts';
import { call, experiment, param, suggestionServerPerFile } from './helpers.ts';

const live = suggestionServerPerFile();

const continuous = [
  param('lr', 'DOUBLE', { min: '0.01', max: '0.05' }),
  param('momentum', 'DOUBLE', { min: '0.5', max: '0.9' }),
  param('epochs', 'INT', { min: '1', max: '9' }),
];
const stepped = [
  param('lr', 'DOUBLE', { min: '0.01', max: '0.03', step: '0.01' }),
  param('optimizer', 'CATEGORICAL', { list: ['sgd', 'adam'] }),
];

type Row = [
  label: string,
  algorithm: string,
  settings: Record<string, string>,
  parameters: Record<string, unknown>[],
  expected: string | null,
  max?: number,
];

// Expected: null for OK, else a piece of the INVALID_ARGUMENT details (Katib's wording where Katib has one).
const rows: Row[] = [
  ['random, no settings', 'random', {}, continuous, null],
  ['random, random_state', 'random', { random_state: '10' }, continuous, null],
  [
    'random, negative random_state',
    'random',
    { random_state: '-1' },
    continuous,
    'setting random_state of algorithm random must be an integer >= 0',
  ],
  ['random, unknown setting', 'random', { seed: '1' }, continuous, 'unknown setting seed for algorithm random'],
  ['grid, stepped space', 'grid', {}, stepped, null, 6],
  ['grid, double without step', 'grid', {}, continuous, 'parameter lr is a double without a step'],
  [
    'grid, more trials than points',
    'grid',
    {},
    stepped,
    'Max Trial Count: 12 > all possible search combinations: 6',
    12,
  ],
  ['cmaes, ipop', 'cmaes', { restart_strategy: 'ipop' }, continuous, null],
  [
    'cmaes, one continuous parameter',
    'cmaes',
    {},
    stepped.slice(0, 1),
    'CMA-ES only supports two or more dimensional continuous search space.',
  ],
  ['cmaes, bad restart strategy', 'cmaes', { restart_strategy: 'sometimes' }, continuous, 'restart_strategy'],
  ['hyperband, Katib example', 'hyperband', { resource_name: 'epochs', eta: '3', r_l: '9' }, continuous, null],
  ['hyperband, no r_l', 'hyperband', { resource_name: 'epochs' }, continuous, 'r_l and resource_name must be set.'],
  [
    'hyperband, negative r_l',
    'hyperband',
    { resource_name: 'epochs', r_l: '-9' },
    continuous,
    'r_l must be a positive float number.',
  ],
  [
    'hyperband, resource not a parameter',
    'hyperband',
    { resource_name: 'steps', r_l: '9' },
    continuous,
    'value of resource_name setting must be in parameters.',
  ],
  [
    'unknown algorithm',
    'no-such',
    {},
    continuous,
    `unknown algorithm 'no-such'; this suggestion server runs: ${Object.keys(builtinAlgorithms).sort().join(', ')}`,
  ],
  ['tpe, hyperopt settings', 'tpe', { gamma: '0.25', prior_weight: '1.0', n_EI_candidates: '24' }, continuous, null],
  [
    'tpe, gamma outside (0, 1)',
    'tpe',
    { gamma: '1.5' },
    continuous,
    'setting gamma of algorithm tpe must be a number > 0 and < 1',
  ],
  [
    'max below min',
    'random',
    {},
    [param('lr', 'DOUBLE', { min: '0.5', max: '0.1' })],
    'spec.parameters[0].feasibleSpace',
  ],
  [
    'a bound that is no number',
    'random',
    {},
    [param('lr', 'DOUBLE', { min: 'low', max: '0.1' })],
    'must be a finite number, got "low"',
  ],
  // hpo validate's budget rule (Katib's webhook has it too).
  [
    'more parallel trials than trials',
    'random',
    {},
    continuous,
    'spec.parallelTrialCount: parallelTrialCount (3) should be less than or equal to spec.maxTrialCount (2).',
    2,
  ],
];

describe('ValidateAlgorithmSettings', () => {
  it.each(rows)('%s', async (_, algorithm, settings, parameters, expected, max) => {
    const exp = experiment({ algorithm, settings, parameters, max: max ?? 12, parallel: 3 });
    const result = await call<object>(live.clients.suggestion, 'ValidateAlgorithmSettings', { experiment: exp });
    if (expected === null) {
      expect(result).toEqual({ ok: true, reply: {} });
      return;
    }
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe(status.INVALID_ARGUMENT);
    expect(result.details).toContain(expected);
  });

  it('joins every problem into the details, each with its path', async () => {
    const exp = experiment({ algorithm: 'random', settings: { random_state: 'x', seed: '1' }, parameters: continuous });
    const result = await call<object>(live.clients.suggestion, 'ValidateAlgorithmSettings', { experiment: exp });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.details).toMatch(
      /^invalid settings for algorithm random: spec\.algorithm\.algorithmSettings\[0\]\.value: .*; spec\.algorithm\.algorithmSettings\[1\]\.name: unknown setting seed/,
    );
  });

  it('runs the objective checks hpo validate runs (additional metrics)', async () => {
    const exp = experiment({ algorithm: 'random', parameters: continuous });
    const spec = exp.spec as { objective: Record<string, unknown> };
    spec.objective.additional_metric_names = ['accuracy', 'loss'];
    const result = await call<object>(live.clients.suggestion, 'ValidateAlgorithmSettings', { experiment: exp });
    expect(result).toEqual({
      ok: false,
      code: status.INVALID_ARGUMENT,
      details:
        'invalid settings for algorithm random: spec.objective.additionalMetricNames[1]: additionalMetricNames ' +
        'should not contain spec.objective.objectiveMetricName ("loss"). Fix: Remove it from additionalMetricNames; ' +
        'the objective metric is always collected.',
    });
    // GetSuggestions refuses the same Experiment with the same issue.
    const suggest = await call<object>(live.clients.suggestion, 'GetSuggestions', {
      experiment: exp,
      trials: [],
      current_request_number: 1,
    });
    expect(suggest.ok).toBe(false);
    if (suggest.ok) return;
    expect(suggest.code).toBe(status.INVALID_ARGUMENT);
    expect(suggest.details).toContain('spec.objective.additionalMetricNames[1]');
  });

  it('ignores the hpo_state setting Katib sends back from an earlier reply', async () => {
    const exp = experiment({ algorithm: 'random', settings: { hpo_state: 'bm90IG91cnM=' }, parameters: continuous });
    const result = await call<object>(live.clients.suggestion, 'ValidateAlgorithmSettings', { experiment: exp });
    expect(result.ok).toBe(true);
  });
});
