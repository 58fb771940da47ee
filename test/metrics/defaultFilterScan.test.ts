import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanDefaultFilter } from '../../src/metrics/defaultFilterScan.ts';
import { compileRe2 } from '../../src/metrics/re2.ts';
import { defaultMetricFilter } from '../../src/metrics/textParser.ts';

const compiled = compileRe2(defaultMetricFilter);
if ('error' in compiled) throw new Error(compiled.error);
const regex = compiled.regex;

/** The reference: the translated default filter run as a regex, as flat [name, value, …]. */
function byRegex(line: string): string[] {
  return [...line.matchAll(regex)].flatMap((m) => [m[1] ?? '', m[2] ?? '']);
}

describe('scanDefaultFilter', () => {
  it.each([
    ['loss=0.3', ['loss', '0.3']],
    ['a=b=1', ['a', '', 'b', '1']],
    ['a=1x2=3', ['a', '1', 'x2', '3']],
    ['x = -1.5e+3y', ['x', '-1.5e+3']],
    ['x=12e', ['x', '12']],
    ['x=1.e5', ['x', '1']],
    ['|-=.5', ['|-', '.5']],
    ['= 1', []],
    ['k\t=\t2', ['k', '2']],
  ])('%j', (line, expected) => {
    expect(scanDefaultFilter(line)).toEqual(expected);
    expect(byRegex(line)).toEqual(expected);
  });

  it('finds exactly what the regex finds on random text', () => {
    const alphabet = fc.constantFrom(...'ab_|-09=.eE+- \t\v\r:xé'.split(''));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }), (chars) => {
        const line = chars.join('');
        expect(scanDefaultFilter(line)).toEqual(byRegex(line));
      }),
      { numRuns: 3000, seed: 42 },
    );
  });
});
