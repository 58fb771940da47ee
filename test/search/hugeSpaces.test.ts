// Spaces at the edge of what numbers can hold used to spin before the first trial: counting grid points one by
// one past where min + k*step stops changing. Every algorithm must answer such spaces at once, in bounds.
import { describe, expect, it } from 'vitest';
import { contains, gridSize } from '../../src/search/distributions.ts';
import { builtinAlgorithms } from '../../src/search/index.ts';
import type { SearchSpace } from '../../src/search/space.ts';
import { stepCount } from '../../src/search/steps.ts';
import type { SuggestRequest, TrialView } from '../../src/search/types.ts';

const max = Number.MAX_SAFE_INTEGER;
const huge: SearchSpace = [
  { name: 'i', domain: { kind: 'int', min: -max, max, step: 1, scale: 'uniform' } },
  { name: 'j', domain: { kind: 'int', min: 0, max, step: 1, scale: 'uniform' } },
  { name: 'x', domain: { kind: 'double', min: -5e14, max: 5e14, scale: 'uniform' } },
  { name: 'y', domain: { kind: 'double', min: 1, max: 1e15, scale: 'logUniform' } },
  { name: 'z', domain: { kind: 'double', min: 0, max: 1e15, step: 0.5, scale: 'uniform' } },
];

function request(trials: readonly TrialView[], count: number): SuggestRequest {
  return {
    experiment: 'huge',
    space: huge,
    objective: { type: 'minimize', metricName: 'loss' },
    objectives: [{ type: 'minimize', metricName: 'loss' }],
    trials,
    count,
    seed: 3,
    settings: {},
    parallelTrialCount: 1,
  };
}

describe('grid points are counted, never enumerated', () => {
  it.each([
    ['int over ±(2^53 − 1)', -max, max, 1, 2 * max + 1],
    ['int [0, 2^53]: beyond the safe range, an estimate', 0, 2 ** 53, 1, 2 ** 53],
    ['step 1e-17 on [0, 1]', 0, 1, 1e-17, 1e17 + 1],
    ['step 1 on [0, 1e20]', 0, 1e20, 1, 1e20],
    ['a width that overflows', -1e308, 1e308, 1, Number.POSITIVE_INFINITY],
    ['exact where representable: [0, 0.3] by 0.1', 0, 0.3, 0.1, 4],
  ])('%s', (_name, lo, hi, step, expected) => {
    expect(stepCount(lo, hi, step)).toBe(expected);
  });

  it('gridSize of a 2^53-wide int is its exact count', () => {
    expect(gridSize(huge[1]!.domain)).toBe(max + 1);
  });
});

it('grid refuses the whole huge space at validation, at once', () => {
  const issues = builtinAlgorithms.grid!().validate(
    {},
    {
      space: huge.filter((p) => p.domain.kind === 'int'),
      objective: { type: 'minimize', metricName: 'loss' },
      parallelTrialCount: 1,
    },
  );
  expect(issues.map((i) => i.message).join('\n')).toMatch(/more than grid search can index/);
});

it('grid with random_state shuffles a 2^53 − 3 point grid at once, in bounds', async () => {
  const domain = { kind: 'int', min: 1, max: max - 1, step: 1, scale: 'uniform' } as const;
  const result = await builtinAlgorithms.grid!().suggest({
    ...request([], 3),
    space: [{ name: 'j', domain }],
    settings: { random_state: '5' },
  });
  expect(result.suggestions).toHaveLength(3);
  for (const s of result.suggestions) expect(contains(domain, s.params.j!)).toBe(true);
});

describe.each(['random', 'grid', 'sobol', 'tpe', 'multivariate-tpe', 'bayesianoptimization', 'cmaes'])(
  '%s on 2^53-wide ints and 1e15-wide doubles',
  (name) => {
    it('suggests in-bounds values, with and without a history', async () => {
      const algorithm = builtinAlgorithms[name]!();
      // A grid must be indexable (below 2^53 combinations): the largest one-parameter grid there is.
      const space: SearchSpace =
        name === 'grid'
          ? [{ name: 'j', domain: { kind: 'int', min: 1, max: max - 1, step: 1, scale: 'uniform' } }]
          : huge;
      const trials: TrialView[] = [];
      for (let round = 0; round < 3; round++) {
        const result = await algorithm.suggest({ ...request(trials, 4), space });
        expect(result.suggestions).toHaveLength(4);
        for (const s of result.suggestions) {
          for (const p of space)
            expect(contains(p.domain, s.params[p.name]!), `${p.name}=${s.params[p.name]}`).toBe(true);
          trials.push({
            name: `t${trials.length}`,
            params: s.params,
            state: 'Succeeded',
            objective: Math.abs(Number(s.params.j)) / max + trials.length,
          });
        }
      }
    });
  },
);
