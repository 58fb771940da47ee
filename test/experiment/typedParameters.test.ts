// Typed parameters: Experiment.create infers the objective's parameter types from the search space. The
// expectTypeOf lines and the `@ts-expect-error` lines are checked by the typecheck (`npm run typecheck`, part of
// `npm run check`): a `@ts-expect-error` line that compiles fails it. The runtime assertions check that the values
// an objective receives are what the types say.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { Experiment } from '../../src/experiment/experiment.ts';
import type { Assignment, ParamValue } from '../../src/search/space.ts';
import { search } from '../../src/spec/create.ts';
import type { ParamsOf } from '../../src/spec/typedParameters.ts';
import type { ParameterSpec } from '../../src/spec/types.ts';
import { registerAlgorithm } from '../../src/suggestion/registry.ts';

const objective = { type: 'minimize', objectiveMetricName: 'loss' } as const;

describe('Experiment.create types the parameters from the search space', () => {
  it('search.* helpers: double and int are numbers, a categorical is the union of its values', async () => {
    const exp = Experiment.create({
      name: 'typed',
      objective,
      algorithm: { algorithmName: 'random', algorithmSettings: { random_state: 3 } },
      parameters: [
        search.double('lr', 1e-4, 1e-1, { log: true }),
        search.int('layers', 1, 4),
        search.categorical('kernel', ['rbf', 'poly']),
        search.categorical('width', [64, 128]),
        search.discrete('batch', [16, 32]),
      ],
      maxTrialCount: 6,
      store: ':memory:',
    });
    const seen: { kernel: string; width: string; lr: number; layers: number; batch: number }[] = [];
    await exp.optimize(async (p) => {
      expectTypeOf(p.lr).toEqualTypeOf<number>();
      expectTypeOf(p.layers).toEqualTypeOf<number>();
      expectTypeOf(p.kernel).toEqualTypeOf<'rbf' | 'poly'>();
      // Katib's lists are strings: a categorical of numbers arrives as their strings.
      expectTypeOf(p.width).toEqualTypeOf<'64' | '128'>();
      expectTypeOf(p.batch).toEqualTypeOf<number>();
      // @ts-expect-error a misspelt parameter name does not compile
      p.kernal;
      seen.push({ kernel: p.kernel, width: p.width, lr: p.lr, layers: p.layers, batch: p.batch });
      return p.lr * p.layers;
    });
    await exp.close();
    expect(seen).toHaveLength(6);
    for (const s of seen) {
      expect(['rbf', 'poly']).toContain(s.kernel);
      expect(['64', '128']).toContain(s.width);
      expect(typeof s.lr).toBe('number');
      expect(Number.isInteger(s.layers)).toBe(true);
      expect([16, 32]).toContain(s.batch);
    }
  });

  it('a search space written as a literal Katib ParameterSpec list is typed the same way', () => {
    const exp = Experiment.create({
      name: 'literal',
      objective,
      algorithm: { algorithmName: 'sobol' },
      parameters: [
        { name: 'C', parameterType: 'double', feasibleSpace: { min: '0.001', max: '1000' } },
        { name: 'kernel', parameterType: 'categorical', feasibleSpace: { list: ['rbf', 'poly', 'sigmoid'] } },
      ],
    });
    expectTypeOf<Parameters<typeof exp.optimize>[0]>().parameter(0).toEqualTypeOf<{
      readonly C: number;
      readonly kernel: 'rbf' | 'poly' | 'sigmoid';
    }>();
    expect(exp.manifest.spec.parameters?.[1]?.feasibleSpace.list).toEqual(['rbf', 'poly', 'sigmoid']);
  });

  it('ParamsOf names the parameters of a space written apart from the experiment', () => {
    const space = [search.double('lr', 1e-4, 1e-1), search.categorical('kernel', ['rbf', 'poly'])];
    expectTypeOf<ParamsOf<typeof space>>().toEqualTypeOf<{ readonly lr: number; readonly kernel: 'rbf' | 'poly' }>();
    const train = async (p: ParamsOf<typeof space>) => (p.kernel === 'rbf' ? p.lr : 2 * p.lr);
    const exp = Experiment.create({
      name: 'apart',
      objective,
      algorithm: { algorithmName: 'grid' },
      parameters: space,
    });
    expectTypeOf(train).toExtend<Parameters<typeof exp.optimize>[0]>();
    expect(space.map((p) => p.name)).toEqual(['lr', 'kernel']);
  });

  it('misspelt algorithm and early-stopping names do not compile; known and registered ones do', () => {
    const base = { name: 'names', objective, parameters: [search.double('x', 0, 1)] };
    // @ts-expect-error 'sobl' is not an algorithm name
    Experiment.create({ ...base, algorithm: { algorithmName: 'sobl' } });
    // @ts-expect-error 'medianstp' is not an early-stopping rule
    Experiment.create({ ...base, algorithm: { algorithmName: 'tpe' }, earlyStopping: { algorithmName: 'medianstp' } });
    const ok = Experiment.create({
      ...base,
      algorithm: { algorithmName: 'tpe' },
      earlyStopping: { algorithmName: 'medianstop' },
    });
    // A user algorithm: the name registerAlgorithm returns, or a literal name that brings its module.
    const mine = registerAlgorithm('typed-mine', new URL('../fixtures/algorithms/peek.ts', import.meta.url).href);
    const registered = Experiment.create({ ...base, algorithm: { algorithmName: mine } });
    const withModule = Experiment.create({
      ...base,
      algorithm: { algorithmName: 'my-search', algorithmSettings: { module: './my-search.ts' } },
    });
    expect(mine).toBe('typed-mine');
    expect([ok, registered, withModule].map((e) => e.manifest.spec.algorithm?.algorithmName)).toEqual([
      'tpe',
      'typed-mine',
      'my-search',
    ]);
  });

  it('options built at run time (names typed string, a ParameterSpec[]) still compile, with Assignment-like params', () => {
    const algorithmName: string = 'random';
    const parameters: ParameterSpec[] = [search.double('x', 0, 1)];
    const exp = Experiment.create({ name: 'wide', objective, algorithm: { algorithmName }, parameters });
    expectTypeOf<Parameters<Parameters<typeof exp.optimize>[0]>[0]>().toEqualTypeOf<{
      readonly [x: string]: ParamValue;
    }>();
    expectTypeOf<ParamsOf<ParameterSpec[]>>().toExtend<Assignment>();
    expect(exp.manifest.spec.algorithm?.algorithmName).toBe('random');
  });

  it('Experiment.fromManifest stays untyped: its objective receives an Assignment', async () => {
    const exp = Experiment.fromManifest(
      Experiment.create({
        name: 'from-manifest',
        objective,
        algorithm: { algorithmName: 'random', algorithmSettings: { random_state: 1 } },
        parameters: [search.double('x', 0, 1)],
        maxTrialCount: 3,
      }).manifest,
      { store: ':memory:' },
    );
    const xs: ParamValue[] = [];
    const result = await exp.optimize(async (p) => {
      expectTypeOf(p).toEqualTypeOf<Assignment>();
      xs.push(p.x!);
      return Number(p.x);
    });
    await exp.close();
    expect(result.trials).toHaveLength(3);
    expect(xs.every((x) => typeof x === 'number' && x >= 0 && x <= 1)).toBe(true);
  });
});
