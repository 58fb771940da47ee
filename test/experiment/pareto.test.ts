import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dominates, type ObjectiveDirection, paretoFrontIndices } from '../../src/experiment/pareto.ts';

const minMin: ObjectiveDirection[] = ['minimize', 'minimize'];

describe('dominates', () => {
  it.each([
    [[1, 1], [2, 2], minMin, true],
    [[1, 2], [2, 1], minMin, false],
    [[1, 1], [1, 2], minMin, true],
    [[1, 1], [1, 1], minMin, false],
    [[2, 3], [1, 3], ['maximize', 'minimize'], true],
    [[2, 3], [1, 2], ['maximize', 'minimize'], false],
    [[5, 5], [4, 4], ['maximize', 'maximize'], true],
  ] as const)('%j over %j (%j) is %s', (a, b, types, expected) => {
    expect(dominates(a, b, types)).toBe(expected);
  });
});

describe('paretoFrontIndices', () => {
  it.each([
    [
      'a known front of two minimised objectives',
      [
        [1, 5],
        [2, 3],
        [3, 4],
        [4, 1],
        [5, 5],
      ],
      minMin,
      [0, 1, 3],
    ],
    [
      'ties and duplicates are all kept',
      [
        [1, 2],
        [1, 2],
        [2, 1],
        [2, 2],
      ],
      minMin,
      [0, 1, 2],
    ],
    [
      'a tie in one objective is decided by the other',
      [
        [1, 2],
        [1, 3],
        [0, 9],
      ],
      minMin,
      [0, 2],
    ],
    [
      'maximise the first, minimise the second',
      [
        [0.9, 30],
        [0.8, 10],
        [0.7, 20],
        [0.9, 40],
      ],
      ['maximize', 'minimize'],
      [0, 1],
    ],
    [
      'both maximised',
      [
        [1, 1],
        [2, 0],
        [0, 2],
        [1, 2],
      ],
      ['maximize', 'maximize'],
      [1, 3],
    ],
    ['one objective: every trial tied for the best', [[3], [1], [2], [1]], ['minimize'], [1, 3]],
    [
      'three objectives',
      [
        [1, 1, 1],
        [0, 2, 2],
        [2, 2, 0],
        [1, 1, 2],
      ],
      ['minimize', 'minimize', 'minimize'],
      [0, 1, 2],
    ],
    ['non-finite or short vectors never take part', [[Number.NaN, 0], [1, 1], [0], [2, 0]], minMin, [1, 3]],
    ['no vectors', [], minMin, []],
  ] as const)('%s', (_what, vectors, types, expected) => {
    expect(paretoFrontIndices(vectors, types)).toEqual(expected);
  });

  it('keeps exactly the vectors nothing dominates (property)', () => {
    const vec = fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 3, maxLength: 3 });
    const dir = fc.constantFrom<ObjectiveDirection>('minimize', 'maximize');
    fc.assert(
      fc.property(fc.array(vec, { maxLength: 25 }), fc.array(dir, { minLength: 3, maxLength: 3 }), (vectors, types) => {
        const front = new Set(paretoFrontIndices(vectors, types));
        vectors.forEach((v, i) => {
          const dominated = vectors.some((w) => dominates(w, v, types));
          expect(front.has(i)).toBe(!dominated);
        });
      }),
    );
  });
});
