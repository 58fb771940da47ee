import { describe, expect, it } from 'vitest';
import {
  katibNasText,
  type PyValue,
  pyFloat,
  pyInt,
  pythonFloatRepr,
  pythonJsonDumps,
} from '../../../src/search/nas/pythonJson.ts';

describe('pythonFloatRepr', () => {
  // Expected texts are Python 3's repr() of the same doubles.
  it.each([
    [5, '5.0'],
    [0.025, '0.025'],
    [3e-4, '0.0003'],
    [1e-4, '0.0001'],
    [1e-5, '1e-05'],
    [-2.5e-7, '-2.5e-07'],
    [0.30000000000000004, '0.30000000000000004'],
    [100, '100.0'],
    [123456789012345.6, '123456789012345.6'],
    [1e16, '1e+16'],
    [1.5e16, '1.5e+16'],
    [1e22, '1e+22'],
    [0, '0.0'],
    [-0, '-0.0'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [Number.NaN, 'NaN'],
  ])('%s → %s', (value, text) => {
    expect(pythonFloatRepr(value)).toBe(text);
  });
});

describe('pythonJsonDumps', () => {
  it("writes Python's separators, int/float apart, None as null", () => {
    const value = new Map<string, PyValue>([
      ['a', pyInt(5)],
      ['b', pyFloat(5)],
      ['c', null],
      ['d', [pyInt(1), 'x']],
    ]);
    expect(pythonJsonDumps(value)).toBe('{"a": 5, "b": 5.0, "c": null, "d": [1, "x"]}');
  });

  it('keeps insertion order for integer-like keys, where a JavaScript object would sort them first', () => {
    const value = new Map([
      ['105', pyInt(1)],
      ['27', pyInt(2)],
    ]);
    expect(pythonJsonDumps(value)).toBe('{"105": 1, "27": 2}');
  });

  it('escapes as ensure_ascii does: quotes, backslashes, control and non-ASCII characters', () => {
    expect(pythonJsonDumps('a"b\\c\nd\u0001é😀')).toBe('"a\\"b\\\\c\\nd\\u0001\\u00e9\\ud83d\\ude00"');
  });
});

describe('katibNasText', () => {
  it('swaps every double quote for a single one, escaped ones too (Katib’s replace)', () => {
    // Python: json.dumps({'extra_é': 'a"b'}).replace('"', "'")
    expect(katibNasText(new Map([['extra_é', 'a"b']]))).toBe("{'extra_\\u00e9': 'a\\'b'}");
  });
});
