import { describe, expect, it } from 'vitest';
import { fitForest, predictTree } from '../../src/analysis/forest.ts';
import { importance, treeMainEffects } from '../../src/analysis/importance.ts';
import type { Parameter } from '../../src/search/space.ts';
import { caught } from '../helpers.ts';
import { categorical, double, input, trial } from './inputs.ts';

/** Low-discrepancy points (an additive recurrence per dimension) so the tests need no randomness. */
function points(n: number, dims: number): number[][] {
  const steps = [0.7548776662466927, 0.5698402909980532, 0.41421356237309515, 0.3247179572447458];
  return Array.from({ length: n }, (_, i) => Array.from({ length: dims }, (_, j) => ((i + 1) * steps[j]!) % 1));
}

function experimentOf(space: readonly Parameter[], f: (p: Record<string, number | string>) => number, n = 200) {
  const trials = points(n, space.length).map((u, i) => {
    const params: Record<string, number | string> = {};
    space.forEach((p, j) => {
      params[p.name] =
        p.domain.kind === 'categorical' ? p.domain.values[Math.floor(u[j]! * p.domain.values.length)]! : u[j]!;
    });
    return trial(i, params, { objective: f(params) });
  });
  return input(space, trials);
}

describe('fANOVA main effects of one tree', () => {
  it('splits the variance exactly between two additive steps', () => {
    // f = 2·[x0 > 0.5] + 1·[x1 > 0.5]: variances 1 and 0.25, no interaction
    const tree = {
      kind: 'split' as const,
      feature: 0,
      threshold: 0.5,
      left: {
        kind: 'split' as const,
        feature: 1,
        threshold: 0.5,
        left: { kind: 'leaf' as const, value: 0 },
        right: { kind: 'leaf' as const, value: 1 },
      },
      right: {
        kind: 'split' as const,
        feature: 1,
        threshold: 0.5,
        left: { kind: 'leaf' as const, value: 2 },
        right: { kind: 'leaf' as const, value: 3 },
      },
    };
    const [a, b, c] = treeMainEffects(tree, 3)!;
    expect(a).toBeCloseTo(0.8, 12);
    expect(b).toBeCloseTo(0.2, 12);
    expect(c).toBe(0);
  });

  it('gives a pure interaction (XOR) no main effect, and a constant tree nothing', () => {
    const leaf = (value: number) => ({ kind: 'leaf' as const, value });
    const xor = {
      kind: 'split' as const,
      feature: 0,
      threshold: 0.5,
      left: { kind: 'split' as const, feature: 1, threshold: 0.5, left: leaf(0), right: leaf(1) },
      right: { kind: 'split' as const, feature: 1, threshold: 0.5, left: leaf(1), right: leaf(0) },
    };
    expect(treeMainEffects(xor, 2)).toEqual([0, 0]);
    expect(treeMainEffects(leaf(3), 2)).toBeUndefined();
  });
});

describe('random forest', () => {
  it('fits its training points and is the same for the same seed', () => {
    const x = points(50, 2);
    const y = x.map(([a, b]) => 3 * a! - b!);
    const forest = fitForest(x, y, { trees: 8, seed: 3 });
    const mean = (row: number[]) => forest.reduce((s, t) => s + predictTree(t, row), 0) / forest.length;
    const error = x.reduce((s, row, i) => s + (mean(row) - y[i]!) ** 2, 0) / x.length;
    expect(error).toBeLessThan(0.01);
    expect(fitForest(x, y, { trees: 8, seed: 3 })).toEqual(forest);
    expect(fitForest(x, y, { trees: 8, seed: 4 })).not.toEqual(forest);
  });
});

describe('parameter importance', () => {
  it('ranks f = 10·x0 + 2·x1 (x2 irrelevant): x0 ≫ x1 > x2', () => {
    const exp = experimentOf([double('x0'), double('x1'), double('x2')], (p) => 10 * Number(p.x0) + 2 * Number(p.x1));
    const result = importance(exp);
    expect(result.map((r) => r.parameter)).toEqual(['x0', 'x1', 'x2']);
    const [x0, x1, x2] = result;
    // the true variance shares are 100/104 ≈ 0.96, 4/104 ≈ 0.038 and 0
    expect(x0!.importance).toBeGreaterThan(0.9);
    expect(x1!.importance).toBeGreaterThan(0.02);
    expect(x1!.importance).toBeLessThan(0.08);
    expect(x2!.importance).toBeLessThan(x1!.importance / 4);
    expect(result.reduce((s, r) => s + r.importance, 0)).toBeCloseTo(1, 12);
  });

  it('gives 10·x0 + 0.1·x1 almost all to x0: x1’s true share (1e-4) is below what a forest resolves', () => {
    const exp = experimentOf([double('x0'), double('x1'), double('x2')], (p) => 10 * Number(p.x0) + 0.1 * Number(p.x1));
    const [first, ...rest] = importance(exp);
    expect(first!.parameter).toBe('x0');
    expect(first!.importance).toBeGreaterThan(0.999);
    for (const r of rest) expect(r.importance).toBeLessThan(1e-3);
  });

  it('sees a categorical parameter, and measures log-scaled ranges in log space', () => {
    const space = [categorical('k', ['a', 'b', 'c']), double('lr', 1e-4, 1, 'logUniform'), double('z')];
    // lr spread evenly over its log range; f is linear in log10(lr), so only log space shows lr's real effect
    const trials = points(150, 3).map(([u, v, w], i) => {
      const params = { k: ['a', 'b', 'c'][Math.floor(u! * 3)]!, lr: 10 ** (-4 * v!), z: w! };
      return trial(i, params, { objective: (params.k === 'b' ? 5 : 0) + Math.log10(params.lr) });
    });
    const result = importance(input(space, trials));
    expect(result.map((r) => r.parameter)).toEqual(['k', 'lr', 'z']);
    // the true variances: k 50/9 ≈ 5.56, lr 16/12 ≈ 1.33 (log10 uniform over 4 decades), z 0: shares 0.81, 0.19, 0
    expect(result[1]!.importance).toBeGreaterThan(0.14);
    expect(result[1]!.importance).toBeLessThan(0.25);
    expect(result[2]!.importance).toBeLessThan(0.02);
  });

  it('is deterministic for a seed and names what is missing', () => {
    const exp = experimentOf([double('a'), double('b')], (p) => Number(p.a) * Number(p.b), 40);
    expect(importance(exp, { seed: 5 })).toEqual(importance(exp, { seed: 5 }));
    const one = input([double('a')], [trial(0, { a: 0.5 }, { objective: 1 })]);
    expect(caught(() => importance(one)).message).toContain('at least two completed trials');
  });

  it('reports no importance at all for a constant objective', () => {
    const exp = experimentOf([double('a'), double('b')], () => 4, 20);
    expect(importance(exp).map((r) => r.importance)).toEqual([0, 0]);
  });
});
