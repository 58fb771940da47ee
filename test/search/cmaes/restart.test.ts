import { describe, expect, it } from 'vitest';
import { eigen } from '../../../src/search/cmaes/eigen.ts';
import { planRestart, stopReason, tolFunWindow } from '../../../src/search/cmaes/restart.ts';
import { type Budget, newRun, type Regime, type RunState } from '../../../src/search/cmaes/state.ts';
import { Rng } from '../../../src/search/rng.ts';

function run(changes: Partial<RunState> = {}): RunState {
  return {
    ...newRun({ index: 0, regime: 'default', lambda: 4, sigma0: 0.2, mean: [0.5, 0.5], catSizes: [] }),
    ...changes,
  };
}

describe('stopping tests', () => {
  it('a healthy run does not stop', () => {
    const r = run({ best: [3, 2, 1] });
    expect(stopReason(r, [1, 2, 3, 4], eigen(r.C))).toBeUndefined();
  });

  it('tolfun: a whole window of equal values (and not before the window is full)', () => {
    const window = tolFunWindow(2, 4);
    expect(window).toBe(25);
    const flat = run({ best: new Array<number>(window).fill(7) });
    expect(stopReason(flat, [7, 7, 7, 7], eigen(flat.C))).toBe('tolfun');
    const short = run({ best: new Array<number>(window - 1).fill(7) });
    expect(stopReason(short, [7, 7, 7, 7], eigen(short.C))).toBeUndefined();
    const moving = run({ best: new Array<number>(window).fill(7) });
    expect(stopReason(moving, [7, 7, 7, 7.001], eigen(moving.C))).toBeUndefined();
  });

  it('tolx: σ times every axis and path below 1e-10', () => {
    const r = run({ sigma: 1e-12 });
    expect(stopReason(r, [1, 2], eigen(r.C))).toBe('tolx');
    const path = run({ sigma: 1e-12, pc: [1e3, 0] });
    expect(stopReason(path, [1, 2], eigen(path.C))).toBeUndefined();
  });

  it('conditioncov and tolxup', () => {
    const C = [
      [1, 0],
      [0, 1e-15],
    ];
    expect(stopReason(run({ C }), [1], eigen(C))).toBe('conditioncov');
    expect(stopReason(run({ sigma: 5e3 }), [1], eigen(run().C))).toBe('tolxup');
  });
});

describe('restart plans', () => {
  function sequence(strategy: 'ipop' | 'bipop', restarts: number): string[] {
    const budget: Budget = { largeRuns: 0, large: 0, small: 0 };
    const rng = new Rng(5);
    let current = run({ evaluations: 40 });
    const out: string[] = [];
    for (let i = 0; i < restarts; i++) {
      const next = planRestart({ strategy, finished: current, budget, lambda0: 4, sigma0: 0.2, rng });
      out.push(`${next.regime}:${next.lambda}`);
      // Each run uses 10 generations of its population.
      current = run({
        regime: next.regime as Regime,
        lambda: next.lambda,
        sigma0: next.sigma0,
        evaluations: 10 * next.lambda,
      });
      if (next.regime === 'small') expect(next.sigma0).toBeLessThanOrEqual(0.2);
      else expect(next.sigma0).toBe(0.2);
    }
    return out;
  }

  it('ipop doubles the population at every restart', () => {
    expect(sequence('ipop', 4)).toEqual(['large:8', 'large:16', 'large:32', 'large:64']);
  });

  it('bipop starts large, then runs small ones until they have used as many trials as the large ones', () => {
    const plan = sequence('bipop', 14);
    expect(plan[0]).toBe('large:8');
    expect(plan[1]).toMatch(/^small:/);
    let large = 0;
    let small = 0;
    plan.forEach((p, i) => {
      const [regime, lambda] = [p.split(':')[0], Number(p.split(':')[1])];
      // A large run starts only once the small runs have caught up with the large ones' trials.
      if (regime === 'large' && i > 0) expect(small).toBeGreaterThanOrEqual(large);
      if (regime === 'small') {
        expect(small).toBeLessThan(large);
        expect(lambda).toBeGreaterThanOrEqual(4);
      }
      if (regime === 'large') large += 10 * lambda;
      else small += 10 * lambda;
    });
    expect(plan.filter((p) => p.startsWith('large'))).toEqual(['large:8', 'large:16', 'large:32']);
  });
});
