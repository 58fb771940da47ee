import { describe, expect, it } from 'vitest';
import { type BenchRow, budgetOf, quartiles, targets } from '../../bench/multiobjective/benchmark.ts';
import { dtlz2, type MultiObjectiveProblem, zdt1, zdt2 } from '../../bench/multiobjective/problems.ts';
import { hypervolume } from '../../src/search/multiobjective/hypervolume.ts';

/** An assignment of the problems' six parameters. */
const at = (x: readonly number[]) => Object.fromEntries(x.map((v, i) => [`x${i}`, v]));

describe('multi-objective benchmark problems', () => {
  it.each([zdt1, zdt2])('$name: a dense sample of the true front approaches the stated optimum from below', (p) => {
    const front = Array.from({ length: 2001 }, (_, i) => p.evaluate(at([i / 2000, 0, 0, 0, 0, 0])));
    const hv = hypervolume(front, p.reference);
    expect(hv).toBeLessThanOrEqual(p.optimum);
    expect(p.optimum - hv).toBeLessThan(1e-3);
  });

  it('dtlz2: the front is the unit sphere and its sample approaches the stated optimum (3-D hypervolume)', () => {
    const front: number[][] = [];
    const n = 40;
    for (let i = 0; i <= n; i++)
      for (let j = 0; j <= n; j++) front.push(dtlz2.evaluate(at([i / n, j / n, 0.5, 0.5, 0.5, 0.5])));
    for (const f of front) expect(Math.hypot(...f)).toBeCloseTo(1, 12);
    const hv = hypervolume(front, dtlz2.reference);
    expect(hv).toBeLessThanOrEqual(dtlz2.optimum);
    expect(dtlz2.optimum - hv).toBeLessThan(0.02);
  });

  it('every point of the box lies inside its reference point', () => {
    const corners = (p: MultiObjectiveProblem) =>
      [0, 1].flatMap((a) => [0, 1].flatMap((b) => [0, 1].map((c) => p.evaluate(at([a, b, c, c, c, c])))));
    for (const p of [zdt1, zdt2, dtlz2])
      for (const f of corners(p))
        f.forEach((v, k) => {
          expect(v, p.name).toBeLessThan(p.reference[k]!);
        });
  });
});

describe('multi-objective benchmark targets', () => {
  const row = (sampler: string, median: number, studies = 10): BenchRow => ({
    problem: 'zdt1',
    sampler,
    hypervolume: { 100: { median, q25: median, q75: median } },
    studiesAt: { 100: studies },
    trials: 100,
    wallS: 1,
  });

  it('passes at equal or higher median hypervolume, fails below, and says n/a when a side did not run', () => {
    const rows = [
      row('hpo-workbench nsga2', 10),
      row('optuna nsga2', 10),
      row('hpo-workbench tpe', 9),
      row('optuna tpe', 9.5, 3),
    ];
    const t = targets(rows, { problems: ['zdt1'], checkpoints: [100, 300] });
    expect(t.map((x) => `${x.description}: ${x.status}`)).toEqual([
      'nsga2 ≥ Optuna NSGAIISampler on zdt1 @100: pass',
      'nsga2 ≥ Optuna NSGAIISampler on zdt1 @300: n/a',
      'tpe ≥ Optuna TPESampler on zdt1 @100: fail',
      'tpe ≥ Optuna TPESampler on zdt1 @300: n/a',
      'bayesianoptimization closes ≥ half the gap the best Optuna sampler leaves on zdt1 @100: n/a',
    ]);
    expect(t[2]!.detail).toContain('10 vs 3 seeds');
  });

  it('judges bayesianoptimization by the gap the best Optuna sampler leaves to the true front', () => {
    // ZDT1's true front: 11.7667; the best Optuna median 10.7667 leaves a gap of 1, so 11.2667 is needed.
    const optuna = [row('optuna nsga2', 9.7), row('optuna tpe', 10.7667, 3), row('optuna random', 9.9)];
    const gp = (median: number) =>
      targets([...optuna, row('hpo-workbench bayesianoptimization', median)], {
        problems: ['zdt1'],
        checkpoints: [100],
      }).at(-1)!;
    expect(gp(11.27)).toMatchObject({ status: 'pass' });
    expect(gp(11.27).detail).toContain('needed 11.2667 (best: optuna tpe 10.7667');
    expect(gp(11.26)).toMatchObject({ status: 'fail' });
    expect(targets(optuna, { problems: ['zdt1'], checkpoints: [100] }).at(-1)).toMatchObject({ status: 'n/a' });
  });

  it('reads our smaller budgets: a problem’s entry over the name’s, never more than the whole run', () => {
    const limits = ['bayesianoptimization=100x10', 'bayesianoptimization@dtlz2=50x3'];
    const whole = { trials: 300, seeds: 5 };
    expect(budgetOf(limits, 'bayesianoptimization', 'zdt1', whole)).toEqual({ trials: 100, seeds: 5 });
    expect(budgetOf(limits, 'bayesianoptimization', 'dtlz2', whole)).toEqual({ trials: 50, seeds: 3 });
    expect(budgetOf(limits, 'tpe', 'zdt1', whole)).toEqual(whole);
    expect(() => budgetOf(['gp=lots'], 'gp', 'zdt1', whole)).toThrow('want NAME[@PROBLEM]=TRIALSxSEEDS');
  });

  it('takes quartiles by linear interpolation', () => {
    expect(quartiles([4, 1, 3, 2])).toEqual({ median: 2.5, q25: 1.75, q75: 3.25 });
  });
});
