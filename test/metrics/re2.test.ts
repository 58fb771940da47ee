import { describe, expect, it } from 'vitest';
import { compileRe2, translateRe2 } from '../../src/metrics/re2.ts';

function matchAll(pattern: string, text: string): string[][] {
  const c = compileRe2(pattern);
  if ('error' in c) throw new Error(c.error);
  return [...text.matchAll(c.regex)].map((m) => [...m].map((g) => g ?? ''));
}

describe('translateRe2', () => {
  it.each([
    ['(?P<name>\\w+)', '(?<name>\\w+)'],
    ['\\Qa.b*\\E(x)', 'a\\.b\\*(x)'],
    ['[[:digit:]]+', '[0-9]+'],
    ['[]a]', '[\\]a]'],
    ['\\x{41}', '\\u0041'],
    ['\\101', '\\u0041'],
    ['\\Aa\\z', '^a$'],
    ['a\\sb', 'a[\\t\\n\\f\\r ]b'],
    ['{metricName: (\\w+)}', '\\{metricName: (\\w+)\\}'],
    ['a{2,3}', 'a{2,3}'],
  ])('%s -> %s', (re2, js) => {
    expect(translateRe2(re2).source).toBe(js);
  });

  it('turns a leading (?i) into the i flag and always sets g and s', () => {
    expect([...translateRe2('(?i)(a)(b)').flags].sort().join('')).toBe('gis');
    expect(translateRe2('(a)(b)').flags).toBe('gs');
  });

  it('counts capture groups, named ones included, not non-capturing ones', () => {
    expect(translateRe2('(a)(?:b)(?P<c>c)(?<d>d)').captureGroups).toBe(3);
  });
});

describe('compileRe2 rejects what RE2 rejects or we cannot express', () => {
  it.each([
    ['(a)\\1', /backreference/],
    ['(?=a)', /lookaround/],
    ['(?<!a)b', /lookaround/],
    ['a(?i)b', /flag groups/],
    ['(?i:a)', /flag groups/],
    ['(?U)a+', /ungreedy/],
    ['\\pL', /Unicode classes/],
    ['\\y', /invalid escape/],
    ['[[:foo:]]', /character class/],
    ['[a', /missing closing/],
    ['a{1001}', /repeat count/],
    ['a**', /error parsing regexp/],
    ['(a', /error parsing regexp/],
    ['a\\', /trailing backslash/],
  ])('%s', (re, message) => {
    const c = compileRe2(re);
    expect('error' in c ? c.error : 'compiled').toMatch(message);
  });
});

describe('compiled filters behave like RE2 on lines', () => {
  it('RE2 \\s does not match a vertical tab, JavaScript \\s would', () => {
    expect(matchAll('(a)\\s(b)', 'a\vb')).toEqual([]);
    expect(matchAll('(a)\\s(b)', 'a b')).toEqual([['a b', 'a', 'b']]);
  });

  it('. matches a carriage return inside a line, as in RE2', () => {
    expect(matchAll('(x).(y)', 'x\ry')).toEqual([['x\ry', 'x', 'y']]);
  });

  it('{ that is not a repetition is a literal', () => {
    expect(matchAll('{(\\w+)}=(\\d)', '{a}=1')).toEqual([['{a}=1', 'a', '1']]);
  });

  it('case-insensitive prefix works', () => {
    expect(matchAll('(?i)(loss)=(\\d)', 'LOSS=1')).toEqual([['LOSS=1', 'LOSS', '1']]);
  });
});
