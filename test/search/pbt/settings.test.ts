import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../src/common/errors.ts';
import { PbtSearch, parsePbtSettings, readPbtSettings } from '../../../src/search/pbt/index.ts';
import type { Settings, ValidationContext } from '../../../src/search/types.ts';
import { space } from './sim.ts';

const ctx: ValidationContext = {
  space,
  objective: { type: 'minimize', metricName: 'loss' },
  maxTrialCount: 24,
  parallelTrialCount: 3,
};

const dir = '/var/log/katib/checkpoints/';
const base: Settings = { suggestion_trial_dir: dir, n_population: '6', truncation_threshold: '0.3' };

const katibTruncation = 'Param(truncation_threshold) should be between 0 and 1, inclusive';
const katibResample =
  'Param(resample_probability) should be null to perturb at 0.8 or 1.2, or be between 0 and 1, inclusive, to resample';

describe('pbt settings validation', () => {
  const invalid: [string, Settings, string, string][] = [
    [
      'nothing',
      {},
      'spec.algorithm.algorithmSettings',
      'Required params missing: suggestion_trial_dir, n_population, truncation_threshold',
    ],
    [
      'no population',
      { suggestion_trial_dir: dir, truncation_threshold: '0.2' },
      'spec.algorithm.algorithmSettings',
      'Required params missing: n_population',
    ],
    [
      'population 4',
      { ...base, n_population: '4' },
      'spec.algorithm.algorithmSettings[1].value',
      'Param(n_population) should be >= 5',
    ],
    [
      'population text',
      { ...base, n_population: 'five' },
      'spec.algorithm.algorithmSettings[1].value',
      'Param(n_population) should be an integer >= 5, got "five"',
    ],
    [
      'population 5.5',
      { ...base, n_population: '5.5' },
      'spec.algorithm.algorithmSettings[1].value',
      'Param(n_population) should be an integer >= 5, got "5.5"',
    ],
    [
      'threshold 1.5',
      { ...base, truncation_threshold: '1.5' },
      'spec.algorithm.algorithmSettings[2].value',
      katibTruncation,
    ],
    [
      'threshold -0.1',
      { ...base, truncation_threshold: '-0.1' },
      'spec.algorithm.algorithmSettings[2].value',
      katibTruncation,
    ],
    [
      'threshold text',
      { ...base, truncation_threshold: 'half' },
      'spec.algorithm.algorithmSettings[2].value',
      katibTruncation,
    ],
    [
      'threshold empty',
      { ...base, truncation_threshold: '' },
      'spec.algorithm.algorithmSettings[2].value',
      katibTruncation,
    ],
    ['resample 2', { ...base, resample_probability: '2' }, 'spec.algorithm.algorithmSettings[3].value', katibResample],
    [
      'resample nan',
      { ...base, resample_probability: 'nan' },
      'spec.algorithm.algorithmSettings[3].value',
      katibResample,
    ],
    [
      'empty dir',
      { ...base, suggestion_trial_dir: ' ' },
      'spec.algorithm.algorithmSettings[0].value',
      'Param(suggestion_trial_dir) should be a path, got an empty value',
    ],
    [
      'random_state -1',
      { ...base, random_state: '-1' },
      'spec.algorithm.algorithmSettings[3].value',
      'setting random_state of algorithm pbt must be an integer >= 0, got "-1"',
    ],
    [
      'n_generations 0',
      { ...base, n_generations: '0' },
      'spec.algorithm.algorithmSettings[3].value',
      'setting n_generations of algorithm pbt must be an integer >= 1, got "0"',
    ],
  ];
  it.each(invalid)('rejects %s', (_label, settings, path, message) => {
    const issues = new PbtSearch().validate(settings, ctx);
    expect(issues.map((i) => ({ path: i.path, message: i.message }))).toEqual([{ path, message }]);
    expect(issues[0]?.severity).toBeUndefined();
    expect(() => readPbtSettings(settings, 1)).toThrow(WorkbenchError);
  });

  const valid: [string, Settings][] = [
    ['the required three', base],
    ['population 5, threshold 0', { ...base, n_population: '5', truncation_threshold: '0' }],
    ['threshold 1', { ...base, truncation_threshold: '1' }],
    // Katib compares the raw string with ints here and so rejects every value (REFERENCE.md §2.1); we parse it.
    ['resample 0.5', { ...base, resample_probability: '0.5' }],
    ['resample 0 and 1', { ...base, resample_probability: '0' }],
    ['resample 1', { ...base, resample_probability: '1' }],
    ['random_state and n_generations', { ...base, random_state: '7', n_generations: '3' }],
    ['any path', { ...base, suggestion_trial_dir: 'ckpt' }],
  ];
  it.each(valid)('accepts %s', (_label, settings) => {
    expect(new PbtSearch().validate(settings, ctx)).toEqual([]);
  });

  it('parses the values it accepts', () => {
    expect(readPbtSettings({ ...base, resample_probability: ' 0.25 ', n_generations: '4' }, 9)).toEqual({
      trialDir: dir,
      population: 6,
      truncation: 0.3,
      resample: 0.25,
      generations: 4,
      seed: 9,
    });
    expect(readPbtSettings({ ...base, random_state: '3' }, 9).seed).toBe(3);
    expect(readPbtSettings(base, 9)).not.toHaveProperty('resample');
  });

  it('warns about unknown names (Katib ignores them) without rejecting the settings', () => {
    const settings = { ...base, resample_probabilty: '0.5' };
    const issues = new PbtSearch().validate(settings, ctx);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      path: 'spec.algorithm.algorithmSettings[3].name',
      message: 'unknown setting resample_probabilty for algorithm pbt (ignored, as Katib does)',
      severity: 'warning',
    });
    expect(parsePbtSettings(settings).values?.population).toBe(6);
  });

  it('warns when maxTrialCount cannot complete the first generation', () => {
    const issues = new PbtSearch().validate({ ...base, n_population: '30' }, ctx);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: 'spec.maxTrialCount', severity: 'warning' });
    expect(new PbtSearch().validate({ ...base, n_population: '24' }, ctx)).toEqual([]);
  });

  it('suggest refuses invalid settings with the issues', () => {
    try {
      readPbtSettings({ ...base, n_population: '3' }, 1);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(WorkbenchError);
      expect((e as WorkbenchError).issues.map((i) => i.message)).toEqual(['Param(n_population) should be >= 5']);
    }
  });
});
