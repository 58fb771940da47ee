import { describe, expect, it } from 'vitest';
import { feasibilityOf, type ParameterConstraint } from '../search/constraints.ts';
import { loadParser } from '../search/expression.ts';
import type { Parameter, SearchSpace } from '../search/space.ts';
import type { SearchAlgorithm, Settings } from '../search/types.ts';
import { makeRequest, runAskTell } from './askTell.ts';
import { mixedObjective } from './benchmarks.ts';
import { expectValid } from './expectations.ts';

/** A parameter's numeric bounds, or undefined for a categorical one. */
function bounds(p: Parameter): [number, number] | undefined {
  const d = p.domain;
  if (d.kind === 'categorical') return undefined;
  if (d.kind === 'discrete') return [Math.min(...d.values), Math.max(...d.values)];
  return [d.min, d.max];
}

/**
 * Constraints for any space of the suite: the first two numeric parameters, scaled to [0, 1], sum to at most 1
 * (about half the box is left), and the first categorical parameter is not its first value.
 */
export function suiteConstraints(space: SearchSpace): ParameterConstraint[] {
  const numeric = space.flatMap((p) => {
    const b = bounds(p);
    return b === undefined || b[1] <= b[0] ? [] : [`(${p.name} - ${b[0]}) / ${b[1] - b[0]}`];
  });
  const out: ParameterConstraint[] = [];
  if (numeric.length >= 2) out.push({ expression: `${numeric[0]} + ${numeric[1]} <= 1` });
  else if (numeric.length === 1) out.push({ expression: `${numeric[0]} <= 0.5` });
  const categorical = space.find((p) => p.domain.kind === 'categorical');
  if (categorical?.domain.kind === 'categorical' && categorical.domain.values.length > 1) {
    out.push({ expression: `${categorical.name} != ${JSON.stringify(categorical.domain.values[0])}` });
  }
  return out;
}

/**
 * The block run for algorithms declaring `capabilities.constraints`: no suggestion ever violates a request's
 * constraints (over several seeds and batch sizes, through an ask/tell loop long enough to leave any start-up
 * phase), and the same seed still gives the same suggestions.
 */
export function describeConstraints(
  factory: () => SearchAlgorithm,
  options: {
    readonly space: SearchSpace;
    readonly settings: Settings;
    readonly timed: { timeout?: number };
    readonly trials?: number;
  },
): void {
  const { space, settings, timed } = options;
  const constraints = suiteConstraints(space);
  describe('parameter constraints (capabilities.constraints)', () => {
    it('never suggests a point that violates a constraint', timed, async () => {
      await loadParser();
      const feasibility = feasibilityOf(space, constraints)!;
      for (const [seed, batch] of [
        [1, 1],
        [2, 4],
        [3, 3],
      ] as const) {
        const run = await runAskTell({
          algorithm: factory(),
          space,
          evaluate: mixedObjective,
          trials: options.trials ?? 24,
          batch,
          seed,
          settings,
          constraints,
        });
        expect(run.trials.length).toBeGreaterThan(0);
        for (const r of run.results) expectValid(space, r);
        const bad = run.trials.filter((t) => !feasibility.feasible(t.params)).map((t) => t.params);
        expect(bad, `violating ${constraints.map((c) => c.expression).join(' and ')}`).toEqual([]);
      }
    });

    it('gives the same constrained suggestions for the same seed', timed, async () => {
      await loadParser();
      const request = () => makeRequest({ space, trials: [], count: 4, seed: 5, settings, constraints });
      expect(await factory().suggest(request())).toEqual(await factory().suggest(request()));
    });
  });
}
