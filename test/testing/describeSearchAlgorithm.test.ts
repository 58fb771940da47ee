import { describe, expect, it } from 'vitest';
import type { Issue } from '../../src/common/issue.ts';
import { sampleAssignment } from '../../src/search/assignment.ts';
import { fromUnit, toUnit } from '../../src/search/distributions.ts';
import { RandomSearch } from '../../src/search/random.ts';
import { derive, Rng } from '../../src/search/rng.ts';
import type { Assignment, ParamValue } from '../../src/search/space.ts';
import type { SearchAlgorithm, Settings, SuggestRequest, SuggestResult } from '../../src/search/types.ts';
import { compareWithRandom, describeSearchAlgorithm } from '../../src/testing/index.ts';

/** A small local search (random start, then Gaussian steps around the best trial) that should beat random search. */
class LocalSearch implements SearchAlgorithm {
  readonly name = 'local';

  constructor(private readonly honoursDirection = true) {}

  validate(settings: Settings): Issue[] {
    return Object.keys(settings).map((name) => ({ path: 'spec.algorithm', message: `unknown setting ${name}` }));
  }

  suggest(req: SuggestRequest): SuggestResult {
    const sign = this.honoursDirection && req.objective.type === 'maximize' ? -1 : 1;
    let best: Assignment | undefined;
    let bestValue = Number.POSITIVE_INFINITY;
    for (const t of req.trials) {
      if (t.state === 'Succeeded' && t.objective !== undefined && sign * t.objective < bestValue) {
        bestValue = sign * t.objective;
        best = t.params;
      }
    }
    const suggestions = Array.from({ length: req.count }, (_, i) => {
      const n = req.trials.length + i;
      const rng = new Rng(derive(req.seed, 'local', n));
      if (best === undefined || n < 6) return { params: sampleAssignment(req.space, rng) };
      const params: Record<string, ParamValue> = {};
      for (const p of req.space) {
        params[p.name] = fromUnit(p.domain, toUnit(p.domain, best[p.name]!) + 0.08 * rng.normal());
      }
      return { params };
    });
    return { suggestions, state: { kind: 'local', seen: req.trials.length + req.count } };
  }
}

// The suite itself, run on an algorithm that optimises, so the improvement check is exercised too.
describeSearchAlgorithm('local (test double)', () => new LocalSearch());

describe('compareWithRandom', () => {
  it('finds no improvement when the algorithm is random search itself', async () => {
    const report = await compareWithRandom(() => new RandomSearch(), { seeds: [1, 2] });
    expect(report.runs).toBe(4);
    expect(report.algorithm).toBe(report.random);
  });

  it('shows an improvement for an algorithm that optimises', async () => {
    const report = await compareWithRandom(() => new LocalSearch());
    expect(report.algorithm).toBeLessThan(report.random);
  });

  it('catches an algorithm that ignores the objective direction', async () => {
    const report = await compareWithRandom(() => new LocalSearch(false));
    expect(report.algorithm).toBeGreaterThan(report.random);
  });
});
