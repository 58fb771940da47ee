import { describe, expect, it } from 'vitest';
import { checkRe2, Re2Filter, type Re2Match } from '../../src/spec/re2.ts';

function filter(pattern: string): Re2Filter {
  const f = Re2Filter.compile(pattern);
  if ('error' in f) throw new Error(f.error);
  return f;
}

/** Every match as [whole, group 1, group 2]. */
function matchAll(pattern: string, line: string): string[][] {
  const out: string[][] = [];
  filter(pattern).forEachMatch(line, (m: Re2Match) => out.push([line.slice(m.start, m.end), m.name, m.value]));
  return out;
}

describe('checkRe2 accepts what Go accepts', () => {
  it.each([
    ['(?P<name>\\w+)=(?P<value>\\d+)', 2],
    ['(?<name>\\w+)=(?<value>\\d+)', 2],
    ['\\Qa.b*(\\E(x)', 1],
    ['[[:digit:]]+(a)', 1],
    ['[]a](b)', 1],
    ['\\x{41}\\101\\pL\\p{Greek}[[:^alpha:]]', 0],
    ['(?i)a(?-i)b(?U)c+(?s:.)', 0],
    ['(a)(?:b)(?P<c>c)(?<d>d)', 3],
    ['{metricName: (\\w+)}', 1],
  ])('%s (%i groups)', (re, groups) => {
    expect(checkRe2(re)).toEqual({ ok: true, captureGroups: groups });
  });
});

describe('checkRe2 rejects what Go rejects, with Go-like messages', () => {
  it.each([
    ['(a)\\1', /invalid escape sequence \(RE2 has no backreferences\): `\\1`/],
    ['(?=a)', /no lookahead or lookbehind/],
    ['(?<!a)b', /no lookahead or lookbehind/],
    ['\\C', /invalid escape sequence: `\\C`/],
    ['\\u00e9', /invalid escape sequence: `\\u`/],
    ['\\y', /invalid escape sequence/],
    ['[[:foo:]]', /invalid character class range/],
    ['[a', /missing closing \]/],
    ['(a', /error parsing regexp: missing closing \): `\(a`/],
    ['a{1001}', /invalid repeat count/],
    ['a**', /invalid nested repetition operator/],
    ['*', /missing argument to repetition operator/],
    ['a\\', /trailing backslash/],
  ])('%s', (re, message) => {
    const c = checkRe2(re);
    expect(c.ok ? 'compiled' : c.error).toMatch(message);
  });
});

describe('Re2Filter matches like Go RE2 on lines', () => {
  it('finds all matches left to right, skipping an empty match right after the previous one', () => {
    expect(matchAll('(a*)(b*)', 'xab')).toEqual([
      ['', '', ''],
      ['ab', 'a', 'b'],
    ]);
    expect(matchAll('(\\w+)=(\\d+)', 'a=1 b=2')).toEqual([
      ['a=1', 'a', '1'],
      ['b=2', 'b', '2'],
    ]);
  });

  it('\\s, \\d and \\w are ASCII as in Go: no vertical tab, no Unicode digits or letters', () => {
    expect(matchAll('(a)\\s(b)', 'a\vb a\u00a0b')).toEqual([]);
    expect(matchAll('(a)\\s(b)', 'a b')).toEqual([['a b', 'a', 'b']]);
    expect(matchAll('(\\w+)=(\\d+)', 'é=٣ x=3')).toEqual([['x=3', 'x', '3']]);
  });

  it('. matches any code point but \\n, astral ones whole, and offsets stay UTF-16', () => {
    expect(matchAll('(x).(y)', 'x\ry x😀y')).toEqual([
      ['x\ry', 'x', 'y'],
      ['x😀y', 'x', 'y'],
    ]);
    expect(matchAll('(é)=(\\d)', '😀é=1 é=2')).toEqual([
      ['é=1', 'é', '1'],
      ['é=2', 'é', '2'],
    ]);
  });

  it('case-insensitive matching folds like Go (Kelvin sign, long s)', () => {
    expect(matchAll('(?i)(k)=(s)', 'K=S \u212a=\u017f')).toEqual([
      ['K=S', 'K', 'S'],
      ['\u212a=\u017f', '\u212a', '\u017f'],
    ]);
  });

  it('a lone surrogate is read as U+FFFD rather than corrupting the next character', () => {
    expect(matchAll('(.)(b)', '\ud800b')).toEqual([['\ud800b', '\ufffd', 'b']]);
  });

  it('\\b and ^ see the real line around a resumed search', () => {
    expect(matchAll('\\b(a)(b)', 'ab xab ab')).toEqual([
      ['ab', 'a', 'b'],
      ['ab', 'a', 'b'],
    ]);
    expect(matchAll('^(a)(b)', 'abab')).toEqual([['ab', 'a', 'b']]);
  });

  it('the nested repetition (loss)=((\\d+)+)x on a 100k-digit line finishes with the right groups', () => {
    const digits = '1'.repeat(100_000);
    expect(matchAll('(loss)=((\\d+)+)x', `loss=${digits}x`)).toEqual([[`loss=${digits}x`, 'loss', digits]]);
    expect(matchAll('(loss)=((\\d+)+)x', `loss=${digits}`)).toEqual([]);
  });

  it('many matches on a 1 MiB line stay linear (the line is not re-sent per match)', () => {
    // Re-sending the rest of the line to the engine per match took ~7 ms each here: minutes in all.
    const line = `loss=1 ${'.'.repeat(45)}`.repeat(20_000);
    let n = 0;
    filter('(loss)=(\\d)').forEachMatch(line, () => n++);
    expect(n).toBe(20_000);
  });

  it('a match longer than the first window is still found whole', () => {
    const long = 'v'.repeat(5000);
    expect(matchAll('(k)=(v+)!', `k=${long}! k=v!`)).toEqual([
      [`k=${long}!`, 'k', long],
      ['k=v!', 'k', 'v'],
    ]);
  });

  it('a filter too large for the 16 MiB wasm heap is an error, and the engine keeps working after it', () => {
    const before = filter('(a)=(b)');
    let found = 0;
    before.forEachMatch('a=b', () => found++);
    expect(checkRe2('(a)(b)\\pL{100}')).toEqual({ ok: false, error: expect.stringMatching(/expression too large/) });
    before.forEachMatch('a=b', () => found++);
    expect(found).toBe(2);
    expect(checkRe2('(a)(b)')).toEqual({ ok: true, captureGroups: 2 });
  });
});
