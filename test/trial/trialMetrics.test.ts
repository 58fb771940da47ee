import { describe, expect, it } from 'vitest';
import { TrialMetrics } from '../../src/trial/trialMetrics.ts';

function reasonFor(values: readonly string[]): string {
  const m = new TrialMetrics('t', ['loss', 'acc'], 'loss');
  m.add(values.map((value) => ({ name: 'loss', value })));
  m.add([{ name: 'acc', value: '0.5' }]);
  return m.unavailableReason();
}

describe('TrialMetrics.unavailableReason says why the objective is missing', () => {
  it.each([
    ['never reported', [], 'objective metric loss was never reported'],
    ['nan', ['nan'], 'objective metric loss reported only non-finite values ("nan")'],
    ['NaN, inf, -Infinity', ['NaN', 'inf', '-Infinity'], 'only non-finite values ("NaN", "inf", "-Infinity")'],
    ['a number past float range', ['1e999'], 'only non-finite values ("1e999")'],
    ['a runaway number is shown cut', ['9'.repeat(400)], `only non-finite values ("${'9'.repeat(20)}…")`],
    ['text', ['abc'], 'objective metric loss reported only values that are not numbers ("abc")'],
    ['both kinds', ['nan', 'n/a'], 'only non-finite values ("nan") and values that are not numbers ("n/a")'],
    [
      'latest non-finite after a finite one',
      ['0.5', 'nan'],
      'the latest value of objective metric loss is not a finite number ("nan")',
    ],
  ])('%s', (_name, values, expected) => {
    expect(reasonFor(values)).toContain(expected);
  });

  it('keeps only the first few distinct bad values', () => {
    expect(reasonFor(['nan', 'nan', 'inf', '+inf', 'Inf', '-inf'])).toBe(
      'objective metric loss reported only non-finite values ("nan", "inf", "+inf")',
    );
  });
});
