import { describe, expect, it } from 'vitest';
import { zdt1, zdt2 } from '../../../bench/multiobjective/problems.ts';
import { hypervolumeAt, runStudy } from '../../../bench/multiobjective/study.ts';
import { RandomSearch } from '../../../src/search/random.ts';
import { encodeSpace } from '../../../src/search/tpe/encoding.ts';
import { createTpe, TpeSearch } from '../../../src/search/tpe/index.ts';
import { Memo } from '../../../src/search/tpe/memo.ts';
import { paretoOrder, readParetoHistory } from '../../../src/search/tpe/pareto.ts';
import type { ObjectiveSpec } from '../../../src/search/types.ts';
import { makeTrial } from '../../../src/testing/askTell.ts';

describe('MOTPE order', () => {
  it('puts fronts in rank order and spreads the first picks of a front by hypervolume', () => {
    const vectors = [
      [5, 5], // 0: second front
      [0, 10], // 1: first front, an end
      [10, 0], // 2: first front, the other end
      [4, 4], // 3: first front, the knee
      [6, 6], // 4: third front
    ];
    const order = paretoOrder(vectors, 25);
    // The knee dominates the largest box alone; then the ends add most; then the next fronts.
    expect(order).toEqual([3, 1, 2, 0, 4]);
  });

  it('orders only the places the good group can take; later fronts keep creation order', () => {
    const vectors = [
      [3, 3],
      [2, 2],
      [1, 1],
    ];
    expect(paretoOrder(vectors, 1)).toEqual([2, 1, 0]);
  });

  it('reads maximised objectives negated and leaves failed and unfinished trials out of the good group', () => {
    const space = zdt1.space;
    const enc = encodeSpace(space);
    const objectives: ObjectiveSpec[] = [
      { type: 'minimize', metricName: 'loss' },
      { type: 'maximize', metricName: 'accuracy' },
    ];
    const p = (x: number) => Object.fromEntries(space.map((d) => [d.name, x]));
    const trials = [
      makeTrial(0, p(0.1), 'Succeeded', 1, [1, 0.5]),
      makeTrial(1, p(0.2), 'Succeeded', 1, [1, 0.9]), // dominates trial 0 (higher accuracy)
      { ...makeTrial(2, p(0.3), 'Failed', 0, [0, 1]) }, // would dominate both, but failed
      makeTrial(3, p(0.4), 'Running'),
    ];
    const h = readParetoHistory(enc, trials, objectives, new Memo());
    expect(h.points).toHaveLength(2);
    expect(h.inFlight).toHaveLength(1);
    expect(Array.from(h.best)).toEqual([1, 0]);
  });
});

describe('multi-objective tpe (MOTPE)', () => {
  it('declares several objectives', () => {
    expect(new TpeSearch().capabilities.multiObjective).toBe(true);
  });

  it('finds a better front than random search on two-objective toys (ZDT1, ZDT2, 6 parameters)', async () => {
    for (const problem of [zdt1, zdt2]) {
      let wins = 0;
      for (const seed of [1, 2, 3, 4, 5]) {
        const ours = await runStudy({ algorithm: createTpe, problem, trials: 60, seed });
        const random = await runStudy({ algorithm: () => new RandomSearch(), problem, trials: 60, seed });
        if (hypervolumeAt(ours, 60, problem) > hypervolumeAt(random, 60, problem)) wins++;
      }
      expect(wins, problem.name).toBe(5);
    }
  }, 60_000);
});
