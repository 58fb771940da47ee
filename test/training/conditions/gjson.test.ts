import { describe, expect, it } from 'vitest';
import { evaluateGjson, globMatch, parseQuery, queryMatches } from '../../../src/training/conditions/index.ts';

// The example document and expected results of tidwall/gjson's SYNTAX.md.
const doc = {
  name: { first: 'Tom', last: 'Anderson' },
  age: 37,
  children: ['Sara', 'Alex', 'Jack'],
  'fav.movie': 'Deer Hunter',
  friends: [
    { first: 'Dale', last: 'Murphy', age: 44, nets: ['ig', 'fb', 'tw'] },
    { first: 'Roger', last: 'Craig', age: 68, nets: ['fb', 'tw'] },
    { first: 'Jane', last: 'Murphy', age: 47, nets: ['ig', 'tw'] },
  ],
};
const [dale, , jane] = doc.friends;

describe('evaluateGjson: gjson SYNTAX.md examples', () => {
  it.each<[string, unknown]>([
    ['name.last', 'Anderson'],
    ['age', 37],
    ['children', ['Sara', 'Alex', 'Jack']],
    ['children.1', 'Alex'],
    ['friends.1.first', 'Roger'],
    ['child*.2', 'Jack'],
    ['c?ildren.0', 'Sara'],
    ['fav\\.movie', 'Deer Hunter'],
    ['friends.#', 3],
    ['friends.#.age', [44, 68, 47]],
    ['friends.#(last=="Murphy").first', 'Dale'],
    ['friends.#(last=="Murphy")#.first', ['Dale', 'Jane']],
    ['friends.#(age>45)#.last', ['Craig', 'Murphy']],
    ['friends.#(first%"D*").last', 'Murphy'],
    ['friends.#(first!%"D*").last', 'Craig'],
    ['children.#(!%"*a*")', 'Alex'],
    ['children.#(%"*a*")#', ['Sara', 'Jack']],
    ['friends.#(nets.#(=="fb"))#.first', ['Dale', 'Roger']],
    ['friends.0.first', 'Dale'],
    ['friends|0.first', 'Dale'],
    ['friends.0|first', 'Dale'],
    ['friends|0|first', 'Dale'],
    ['friends|#', 3],
    ['friends.#(last="Murphy")#', [dale, jane]],
    ['friends.#(last="Murphy")#|first', undefined],
    ['friends.#(last="Murphy")#.0', []],
    ['friends.#(last="Murphy")#|0', dale],
    ['friends.#(last="Murphy")#.#', []],
    ['friends.#(last="Murphy")#|#', 2],
    ['children.@reverse', ['Jack', 'Alex', 'Sara']],
    ['children.@reverse.0', 'Jack'],
    ['[name.first,age]', ['Tom', 37]],
  ])('%s', (path, expected) => {
    expect(evaluateGjson(doc, path)).toEqual(expected);
  });
});

describe('evaluateGjson: edge cases Katib conditions meet', () => {
  it.each<[string, unknown]>([
    ['missing', undefined],
    ['name.middle', undefined],
    ['age.#', undefined],
    ['name.#(first=="Tom")#', undefined],
    ['friends.#(last=="Nobody")', undefined],
    ['friends.#(last=="Nobody")#', []],
    ['friends.#(last<"D")#.first', ['Roger']],
    ['friends.#(age>=47)#.first', ['Roger', 'Jane']],
    ['friends.#(age=="44").first', 'Dale'],
    ['friends.#(age!=44)#.first', ['Roger', 'Jane']],
    ['friends.#(middle!="x")#', []],
    ['friends.#(first)#.age', [44, 68, 47]],
    ['friends.#(last == "Craig").first', 'Roger'],
    ['friends.#(last=="Murphy")#.first|1', 'Jane'],
    ['[@this].#(age==37)#.name.first', ['Tom']],
    ['name.[@this].#(first=="Tom")#', [doc.name]],
    ['@this.age', 37],
    ['[missing,age]', [37]],
  ])('%s', (path, expected) => {
    expect(evaluateGjson(doc, path)).toEqual(expected);
  });

  it('compares booleans as gjson does, including ~ coercions', () => {
    const flags = { xs: [{ ok: true, n: 1 }, { ok: false, n: 0 }, { ok: 'yes' }, { n: null }] };
    expect(evaluateGjson(flags, 'xs.#(ok==true)#.n')).toEqual([1]);
    expect(evaluateGjson(flags, 'xs.#(ok!=true)#.n')).toEqual([0]);
    // A missing value is null to gjson, hence falsy.
    expect(evaluateGjson(flags, 'xs.#(n==~false)#.ok')).toEqual([false, 'yes']);
    expect(evaluateGjson(flags, 'xs.#(n==~null)#')).toEqual([{ ok: 'yes' }, { n: null }]);
    expect(evaluateGjson(flags, 'xs.#(ok==~true)#.n')).toEqual([1]);
    expect(evaluateGjson(flags, 'xs.#(n==~*)#')).toHaveLength(3);
  });

  it('parses queries into key, operator and literal', () => {
    expect(parseQuery('type=="Complete"')).toEqual({ key: 'type', op: '=', value: 'Complete' });
    expect(parseQuery('age >= 45')).toEqual({ key: 'age', op: '>=', value: '45' });
    expect(parseQuery('!%"*a*"')).toEqual({ key: '', op: '!%', value: '*a*' });
    expect(parseQuery('nets.#(=="fb")')).toEqual({ key: 'nets.#(=="fb")', op: '', value: '' });
    expect(parseQuery('msg=="a \\"quoted\\" == b"')).toEqual({ key: 'msg', op: '=', value: 'a "quoted" == b' });
  });

  it('matches % patterns with * and ?, literally otherwise', () => {
    expect(globMatch('BackoffLimitExceeded', 'Backoff*')).toBe(true);
    expect(globMatch('a.b', 'a?b')).toBe(true);
    expect(globMatch('axb', 'a.b')).toBe(false);
    expect(queryMatches({ key: '', op: '%', value: 'J*' }, 'Jack')).toBe(true);
    expect(queryMatches({ key: '', op: '!=', value: 'x' }, undefined)).toBe(false);
  });
});
