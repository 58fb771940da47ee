import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../src/common/errors.ts';
import { createAsha } from '../../../src/search/asha/index.ts';
import { RandomSearch } from '../../../src/search/random.ts';
import { makeRequest } from '../../../src/testing/askTell.ts';
import { mixedSpace } from '../../../src/testing/benchmarks.ts';
import { describeSearchAlgorithm } from '../../../src/testing/describeSearchAlgorithm.ts';

// ASHA proposes at random (Li et al. 2020) and gains only through its rungs, which need learning curves: on the
// suite's single-fidelity Branin it is random search, so the "improves on random" check does not apply.
describeSearchAlgorithm('asha', createAsha, { skipImprovementCheck: true });
describeSearchAlgorithm('asha (resource_name)', createAsha, {
  skipImprovementCheck: true,
  settings: { eta: '2', min_resource: '2', max_resource: '10', resource_name: 'layers' },
});

describe('AshaSearch', () => {
  it('draws what random search draws for the same seed and history', () => {
    for (const [settings, random] of [
      [{}, {}],
      [{ eta: '4', random_state: '9' }, { random_state: '9' }],
    ] as const) {
      const request = (s: Record<string, string>) =>
        makeRequest({ space: mixedSpace, trials: [], count: 4, seed: 3, settings: s });
      expect(createAsha().suggest(request(settings))).toEqual(new RandomSearch().suggest(request(random)));
    }
  });

  it('starts every trial for max_resource steps: budget, and resource_name when given', () => {
    const settings = { max_resource: '8', resource_name: 'layers' };
    const result = createAsha().suggest(makeRequest({ space: mixedSpace, trials: [], count: 3, settings }));
    for (const s of result.suggestions) {
      expect(s.params.layers).toBe(8);
      expect(s.budget).toBe(8);
    }
    const plain = createAsha().suggest(
      makeRequest({ space: mixedSpace, trials: [], count: 3, settings: { max_resource: '8' } }),
    );
    expect(plain.suggestions.map((s) => s.budget)).toEqual([8, 8, 8]);
    expect(plain.suggestions.some((s) => s.params.layers !== 8)).toBe(true);
  });

  it('rejects invalid settings in suggest too', () => {
    const call = () =>
      createAsha().suggest(makeRequest({ space: mixedSpace, trials: [], count: 1, settings: { eta: '0' } }));
    expect(call).toThrow(WorkbenchError);
  });
});
