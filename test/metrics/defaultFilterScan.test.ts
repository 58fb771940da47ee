import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanDefaultFilter } from '../../src/metrics/defaultFilterScan.ts';
import { defaultMetricFilter } from '../../src/metrics/textParser.ts';
import { Re2Filter } from '../../src/spec/re2.ts';

const compiled = Re2Filter.compile(defaultMetricFilter);
if ('error' in compiled) throw new Error(compiled.error);
const re2 = compiled;

/** The reference: the default filter run by the RE2 engine, as flat [name, value, …]. */
function byRe2(line: string): string[] {
  const out: string[] = [];
  re2.forEachMatch(line, (m) => out.push(m.name, m.value));
  return out;
}

describe("scanDefaultFilter (the default filter's fast path) equals RE2", () => {
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
    ['k\v=1', []],
    ['épo=3 naïve=4', ['po', '3', 've', '4']],
    ['2026-01-01T00:00:00Z loss=0.25 acc=+9.5E-3', ['loss', '0.25', 'acc', '+9.5E-3']],
    ['a|b-c_d = -.5e7 x==1', ['a|b-c_d', '-.5e7', 'x', '']],
    ['😀x=1😀', ['x', '1']],
    ['x=1\r', ['x', '1']],
  ])('%j', (line, expected) => {
    expect(scanDefaultFilter(line)).toEqual(expected);
    expect(byRe2(line)).toEqual(expected);
  });

  it('finds exactly what the regex finds on random text', () => {
    const alphabet = fc.constantFrom(...Array.from('ab_|-09=.eE+- \t\v\r:xé😀'));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }), (chars) => {
        const line = chars.join('');
        expect(scanDefaultFilter(line)).toEqual(byRe2(line));
      }),
      { numRuns: 3000, seed: 42 },
    );
  });
});
