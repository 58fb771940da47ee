import { describe, expect, it } from 'vitest';
import { runLongStudy, timeLargeHistory } from '../../bench/search/extras.ts';
import { RandomSearch } from '../../src/search/random.ts';
import type { SearchAlgorithm, SuggestRequest } from '../../src/search/types.ts';

/** Records each request's history size and incoming state; proposes the centre of the cube. */
function recorder(seen: { trials: number; state: unknown }[]): SearchAlgorithm {
  return {
    name: 'recorder',
    validate: () => [],
    suggest: (req: SuggestRequest) => {
      seen.push({ trials: req.trials.length, state: req.state });
      const params = Object.fromEntries(req.space.map((p) => [p.name, 0.5]));
      return { suggestions: [{ params }], state: { mine: seen.length } };
    },
  };
}

describe('timeLargeHistory', () => {
  it('fills the history by random search, then times the algorithm, starting it without random search state', async () => {
    const seen: { trials: number; state: unknown }[] = [];
    const registry = { random: () => new RandomSearch(), recorder: () => recorder(seen) };
    const r = await timeLargeHistory({ algorithm: 'recorder', observations: 40, timed: 3, registry });
    expect(r).toMatchObject({ status: 'ok', observations: 40 });
    expect(r.suggestS).toHaveLength(3);
    expect(r.medianS).toBeGreaterThanOrEqual(0);
    expect(seen.map((s) => s.trials)).toEqual([40, 41, 42]);
    expect(seen.map((s) => s.state)).toEqual([undefined, { mine: 1 }, { mine: 2 }]);
  });

  it('is not available without the algorithm or random search', async () => {
    const r = await timeLargeHistory({ algorithm: 'nope', observations: 10, registry: {} });
    expect(r.status).toBe('not available');
  });
});

describe('runLongStudy memory sampling', () => {
  it('reads live heap and RSS after the requests at the asked history sizes', async () => {
    const registry = { random: () => new RandomSearch() };
    const r = await runLongStudy({ algorithm: 'random', trials: 12, at: [10], memoryAt: [5, 10], registry });
    expect(r.status).toBe('ok');
    expect(Object.keys(r.heapMb ?? {})).toEqual(['5', '10']);
    for (const v of [...Object.values(r.heapMb!), ...Object.values(r.rssMb!)]) expect(v).toBeGreaterThan(1);
    // The RSS includes the heap.
    expect(r.rssMb![10]!).toBeGreaterThan(r.heapMb![10]!);
  });
});
