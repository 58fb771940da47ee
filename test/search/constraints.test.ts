import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { drawFeasible, feasibilityOf, type ParameterConstraint } from '../../src/search/constraints.ts';
import { compileExpression, loadParser, type ParseFunction } from '../../src/search/expression.ts';
import { BayesianOptimization } from '../../src/search/gp/bayesian.ts';
import { GridSearch } from '../../src/search/grid.ts';
import { RandomSearch } from '../../src/search/random.ts';
import { SobolSearch } from '../../src/search/sobol.ts';
import type { SearchSpace } from '../../src/search/space.ts';
import { MultivariateTpeSearch } from '../../src/search/tpe/multivariate.ts';
import { TpeSearch } from '../../src/search/tpe/tpe.ts';
import type { SearchAlgorithm } from '../../src/search/types.ts';
import { runAskTell } from '../../src/testing/askTell.ts';

let parse: ParseFunction;
beforeAll(async () => {
  parse = await loadParser();
});

const space: SearchSpace = [
  { name: 'a', domain: { kind: 'double', min: 0, max: 1, step: 0.05, scale: 'uniform' } },
  { name: 'b', domain: { kind: 'double', min: 0, max: 1, step: 0.05, scale: 'uniform' } },
  { name: 'n', domain: { kind: 'int', min: 1, max: 5, step: 1, scale: 'uniform' } },
  { name: 'opt', domain: { kind: 'categorical', values: ['sgd', 'adam'] } },
];

describe('expressions', () => {
  const vars = new Map([
    ['a', 'number'],
    ['b', 'number'],
    ['opt', 'string'],
  ] as const);
  const value = (text: string, scope: Record<string, number | string>) => {
    const r = compileExpression(parse, text, vars);
    if ('problem' in r) throw new Error(r.problem.message);
    return r.expression.evaluate(scope);
  };

  it.each([
    ['a + b * 2', 8],
    ['(a + b) * 2', 10],
    ['a ^ 2 - b % 2', 3],
    ['-a + +b', 1],
    ['max(a, b, 4) + abs(-1) + sqrt(b ^ 2)', 8],
    ['a < b <= 3', true],
    ['a < b < 2', false],
    ['a == 2 and not (b != 3) xor false', true],
    ['opt == "adam" ? a : b', 2],
    ["opt == 'sgd' or a > 5", false],
    ['2a + pi - pi', 4],
    ['a / 0', Number.POSITIVE_INFINITY],
  ])('%s = %s', (text, expected) => {
    expect(value(text, { a: 2, b: 3, opt: 'adam' })).toBe(expected);
  });

  it('names the names it reads, and never calls mathjs to evaluate', () => {
    const r = compileExpression(parse, 'a + max(b, 1)', vars);
    expect('expression' in r && r.expression.names).toEqual(['a', 'b']);
  });
});

describe('drawFeasible', () => {
  it('gives up after 1000 infeasible draws, naming the violated constraint', () => {
    const f = feasibilityOf(space, [{ expression: 'a >= 0' }, { expression: 'a > 2' }])!;
    let draws = 0;
    expect(() =>
      drawFeasible(
        () => {
          draws++;
          return { a: 0.5, b: 0.5, n: 1, opt: 'sgd' };
        },
        f,
        'mine',
      ),
    ).toThrow(
      "algorithm 'mine' found no point satisfying the parameter constraints in 1000 proposals in a row; the last one violated 'a > 2'",
    );
    expect(draws).toBe(1000);
  });
});

describe('an algorithm facing constraints that nothing satisfies', () => {
  it.each([
    ['random', () => new RandomSearch()],
    ['sobol', () => new SobolSearch()],
    ['multivariate-tpe', () => new MultivariateTpeSearch()],
    ['bayesianoptimization', () => new BayesianOptimization()],
  ] as const)('%s throws the limit error naming itself and the constraint', async (name, factory) => {
    const run = runAskTell({
      algorithm: factory(),
      space,
      evaluate: () => 0,
      trials: 2,
      constraints: [{ expression: 'a + b > 2' }],
    });
    await expect(run).rejects.toThrow(
      `algorithm '${name}' found no point satisfying the parameter constraints in 1000 proposals in a row; the last one violated 'a + b > 2'`,
    );
  });
});

const algorithms: [string, () => SearchAlgorithm, number][] = [
  ['random', () => new RandomSearch(), 20],
  ['sobol', () => new SobolSearch(), 20],
  ['grid', () => new GridSearch(), 20],
  ['tpe', () => new TpeSearch(), 20],
  ['bayesianoptimization', () => new BayesianOptimization(), 14],
];

describe('algorithms with capabilities.constraints never propose an infeasible point (property)', () => {
  it.each(algorithms)(
    '%s',
    async (_name, factory, trials) => {
      await fc.assert(
        fc.asyncProperty(
          fc.double({ min: 0.2, max: 1.6, noNaN: true }),
          fc.integer({ min: 1, max: 5 }),
          fc.constantFrom('sgd', 'adam'),
          fc.integer({ min: 0, max: 1000 }),
          fc.integer({ min: 1, max: 4 }),
          async (limit, n, banned, seed, batch) => {
            const constraints: ParameterConstraint[] = [
              { expression: `a + b <= ${limit}` },
              { expression: `n != ${n} or opt != "${banned}"` },
            ];
            const f = feasibilityOf(space, constraints)!;
            const run = await runAskTell({
              algorithm: factory(),
              space,
              evaluate: (p) => (Number(p.a) - 0.7) ** 2 + (Number(p.b) - 0.7) ** 2 + Number(p.n) / 10,
              trials,
              batch,
              seed,
              constraints,
            });
            expect(run.trials.length).toBeGreaterThan(0);
            for (const t of run.trials) expect(f.violated(t.params), JSON.stringify(t.params)).toBeUndefined();
          },
        ),
        { numRuns: 5, seed: 42 },
      );
    },
    120_000,
  );
});
