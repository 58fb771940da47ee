import { describe, expect, it } from 'vitest';
import {
  parseFloatText,
  parseIntText,
  parseSettings,
  parseSettingsOrThrow,
  type SettingRules,
  seedFrom,
} from '../../src/search/settings.ts';

const rules: SettingRules = {
  random_state: { type: 'int', min: 0 },
  gamma: { type: 'float', min: 0, max: 1, minExclusive: true, maxExclusive: true },
  acq_func: { type: 'enum', values: ['EI', 'PI'] },
};

describe('settings parsing', () => {
  it.each([
    ['42', 42],
    [' -3 ', -3],
    ['+7', 7],
    ['3.0', undefined],
    ['1e3', undefined],
    ['', undefined],
    ['abc', undefined],
    ['99999999999999999999', undefined],
  ])('parseIntText(%j) = %s', (text, expected) => {
    expect(parseIntText(text)).toBe(expected);
  });

  it.each([
    ['0.25', 0.25],
    ['1e-3', 0.001],
    [' 2 ', 2],
    ['', undefined],
    ['inf', undefined],
    ['Infinity', undefined],
    ['nan', undefined],
    ['0.5x', undefined],
  ])('parseFloatText(%j) = %s', (text, expected) => {
    expect(parseFloatText(text)).toBe(expected);
  });

  it('parses valid settings into numbers and enum text', () => {
    expect(parseSettings('tpe', { random_state: '3', gamma: '0.25', acq_func: 'EI' }, rules)).toEqual({
      values: { random_state: 3, gamma: 0.25, acq_func: 'EI' },
      issues: [],
    });
  });

  it.each([
    [
      { random_state: '-1' },
      'spec.algorithm.algorithmSettings[0].value',
      'setting random_state of algorithm tpe must be an integer >= 0, got "-1"',
    ],
    [
      { random_state: '1', gamma: '1' },
      'spec.algorithm.algorithmSettings[1].value',
      'setting gamma of algorithm tpe must be a number > 0 and < 1, got "1"',
    ],
    [
      { acq_func: 'UCB' },
      'spec.algorithm.algorithmSettings[0].value',
      'setting acq_func of algorithm tpe must be one of EI, PI, got "UCB"',
    ],
    [{ gamma: '0.5', seed: '1' }, 'spec.algorithm.algorithmSettings[1].name', 'unknown setting seed for algorithm tpe'],
  ])('reports %o at %s', (settings, path, message) => {
    const { issues } = parseSettings('tpe', settings, rules);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path, message });
  });

  it('names the allowed settings in the fix of an unknown one, and can ignore unknown names', () => {
    const { issues } = parseSettings('random', { foo: '1' }, { random_state: { type: 'int', min: 0 } });
    expect(issues[0]?.fix).toContain('random_state');
    expect(parseSettings('sobol', { foo: '1' }, rules, { unknown: 'ignore' }).issues).toEqual([]);
    expect(parseSettings('x', { constructor: '1' }, {}).issues[0]?.message).toBe(
      'unknown setting constructor for algorithm x',
    );
  });

  it('parseSettingsOrThrow throws an invalidArgument error carrying the issues', () => {
    expect(() => parseSettingsOrThrow('tpe', { gamma: '2' }, rules)).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        issues: [expect.objectContaining({ path: expect.any(String) })],
      }),
    );
  });

  it('seedFrom prefers random_state over the request seed', () => {
    expect(seedFrom({ random_state: 5 }, 9)).toBe(5);
    expect(seedFrom({}, 9)).toBe(9);
  });
});
