import { describe, expect, it } from 'vitest';
import type { Issue } from '../../src/common/issue.ts';
import { sampleAssignment } from '../../src/search/assignment.ts';
import { fromUnit, toUnit } from '../../src/search/distributions.ts';
import { RandomSearch } from '../../src/search/random.ts';
import { derive, Rng } from '../../src/search/rng.ts';
import type { Assignment, ParamValue } from '../../src/search/space.ts';
import type { SearchAlgorithm, Settings, SuggestRequest, SuggestResult } from '../../src/search/types.ts';
import { compareWithRandom, describeSearchAlgorithm, expectExactResume, mixedSpace } from '../../src/testing/index.ts';

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

/** Random search that keeps its progress only in memory (a call counter), so a restarted instance repeats itself. */
class Forgetful implements SearchAlgorithm {
  readonly name = 'forgetful';
  private asked = 0;
  validate(): Issue[] {
    return [];
  }
  suggest(req: SuggestRequest): SuggestResult {
    const suggestions = Array.from({ length: req.count }, () => ({
      params: sampleAssignment(req.space, new Rng(derive(req.seed, 'forgetful', this.asked++))),
    }));
    return { suggestions };
  }
}

describe('expectExactResume (the state round-trip block)', () => {
  it('catches an algorithm that loses what it knows when restarted from state and history', async () => {
    await expect(expectExactResume(() => new Forgetful(), { space: mixedSpace })).rejects.toThrow(/resumed run/);
  });

  it('passes an algorithm that rebuilds everything from the history and state', async () => {
    await expectExactResume(() => new LocalSearch(), { space: mixedSpace });
  });
});

/**
 * A multi-objective test double: random search that declares `multiObjective` and insists on what the contract
 * promises it (every finished trial has one value per objective, `objective` is the first), so the suite's
 * several-objectives block is exercised and checked to send aligned values.
 */
class ParetoRandom implements SearchAlgorithm {
  readonly name = 'pareto-random';
  readonly capabilities = { multiObjective: true };
  validate(): Issue[] {
    return [];
  }
  suggest(req: SuggestRequest): SuggestResult {
    if (req.objective !== req.objectives[0]) throw new Error('objective is not objectives[0]');
    for (const t of req.trials) {
      if (t.state !== 'Succeeded') continue;
      if (t.values?.length !== req.objectives.length || t.values[0] !== t.objective) {
        throw new Error(
          `${t.name}: values ${JSON.stringify(t.values)} do not match ${req.objectives.length} objectives`,
        );
      }
    }
    const suggestions = Array.from({ length: req.count }, (_, i) => ({
      params: sampleAssignment(req.space, new Rng(derive(req.seed, 'pareto', req.trials.length + i))),
    }));
    return { suggestions, state: { seen: req.trials.length + req.count } };
  }
}

describeSearchAlgorithm('pareto-random (multi-objective test double)', () => new ParetoRandom(), {
  skipImprovementCheck: true,
});
