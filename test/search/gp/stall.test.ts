import { describe, expect, it } from 'vitest';
import { BayesianOptimization } from '../../../src/search/gp/index.ts';
import { stallAfter, stallDue, stallEvery, stallLength } from '../../../src/search/gp/stall.ts';
import { runAskTell } from '../../../src/testing/askTell.ts';
import { branin } from '../../../src/testing/benchmarks.ts';

describe('stall detection', () => {
  it('counts observations since the last improvement larger than the tolerance', () => {
    expect(stallLength(Float64Array.from([5, 4, 3]), 3, 1)).toBe(0);
    // The best (3) came at index 2; four observations followed without beating it.
    expect(stallLength(Float64Array.from([5, 4, 3, 6, 7, 3.5, 9]), 7, 1)).toBe(4);
    // Improvements smaller than 1% of the scale do not end a stall: a stuck basin refined ever more finely.
    expect(stallLength(Float64Array.from([5, 3, 2.999, 2.998, 2.997]), 5, 1)).toBe(3);
    expect(stallLength(Float64Array.from([5, 3, 2.999, 2.998, 2.9]), 5, 1)).toBe(0);
    // Each step is judged on its own: a slow creep of small steps stays a stall, however long it goes on.
    expect(stallLength(Float64Array.from([5, 3, 2.995, 2.99, 2.985, 2.98]), 6, 1)).toBe(4);
    expect(stallLength(new Float64Array(0), 0, 1)).toBe(0);
  });

  it('counts from the end of the initial design at the earliest', () => {
    const flat = new Float64Array(15).fill(1);
    expect(stallLength(flat, 15, 1)).toBe(14);
    expect(stallLength(flat, 15, 1, 10)).toBe(5);
    // Improvements inside the design do not move the start back: 3 observations after a 10-point design.
    expect(stallLength(Float64Array.from([5, 4, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3]), 13, 1, 10)).toBe(3);
    // Still in the design: no stall yet.
    expect(stallLength(flat, 6, 1, 10)).toBe(0);
    // An improvement after the design counts as before.
    expect(stallLength(Float64Array.from([...flat.subarray(0, 12), 0, 1, 1]), 15, 1, 10)).toBe(2);
  });

  it('proposes once when the stall reaches its threshold, then once every few observations', () => {
    const due = Array.from({ length: 20 }, (_, s) => s).filter(stallDue);
    expect(due).toEqual([
      stallAfter,
      stallAfter + stallEvery,
      stallAfter + 2 * stallEvery,
      stallAfter + 3 * stallEvery,
    ]);
  });
});

describe('PI on a stall, in a study', () => {
  /** Each trial's `stalled` and acquisition, as `hpo explain` shows them. */
  const explained = async (settings: Record<string, string>, f: (p: Record<string, unknown>) => number) => {
    const run = await runAskTell({
      algorithm: new BayesianOptimization(),
      space: branin.space,
      evaluate: f,
      trials: 30,
      settings,
    });
    return run.results.map((r) => {
      const e = r.suggestions[0]!.explain!;
      return { stalled: e.stalled, acquisition: e.acquisition, hedged: e.hedgeProbabilities !== undefined };
    });
  };

  it('proposes by PI on a stalled flat objective, and says so in explain', async () => {
    // Flat: nothing ever improves, so trial i (i observations) has stalled since the 10-point design ended.
    const seen = await explained({}, () => 1);
    const due = seen.map((_, i) => i >= 10 && stallDue(i - 10));
    expect(due.filter(Boolean)).toHaveLength(4);
    seen.forEach((e, i) => {
      if (i < 10) expect(e).toEqual({ stalled: undefined, acquisition: undefined, hedged: false });
      else if (due[i]) expect(e).toEqual({ stalled: i - 10, acquisition: 'PI', hedged: false });
      else expect(e).toMatchObject({ stalled: undefined, hedged: true });
    });
  });

  it('does not on an objective that keeps improving', async () => {
    // Every trial beats the last by a whole unit: never a stall.
    let value = 0;
    const seen = await explained({}, () => --value);
    expect(seen.every((e) => e.stalled === undefined)).toBe(true);
  });

  it('leaves an explicitly chosen acquisition alone', async () => {
    const seen = await explained({ acq_func: 'EI' }, () => 1);
    expect(seen.slice(10).every((e) => e.stalled === undefined && e.acquisition === 'EI')).toBe(true);
  });
});
