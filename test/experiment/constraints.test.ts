import { describe, expect, it } from 'vitest';
import { Experiment } from '../../src/experiment/experiment.ts';
import { search } from '../../src/index.ts';
import type { Store } from '../../src/store/types.ts';
import { freshStorePerTest, sequenceExperiment } from '../helpers.ts';

let store: Store;
freshStorePerTest((s) => {
  store = s;
});

const ignoresModule = new URL('../fixtures/algorithms/ignoresConstraints.ts', import.meta.url).href;

describe('parameter constraints in the controller', () => {
  it('issues only feasible trials from an algorithm that declares constraints (random)', async () => {
    const result = await Experiment.create({
      name: 'random-constrained',
      objective: { type: 'minimize', objectiveMetricName: 'loss' },
      algorithm: { algorithmName: 'random', algorithmSettings: { random_state: '4' } },
      parameters: [search.double('x', 0, 1), search.double('y', 0, 1)],
      parameterConstraints: [{ expression: 'x + y <= 0.5' }],
      maxTrialCount: 12,
      parallelTrialCount: 3,
      store,
    }).optimize((p) => ({ loss: (Number(p.x) - 0.3) ** 2 + Number(p.y) }));
    expect(result.status).toBe('Succeeded');
    expect(result.trials).toHaveLength(12);
    for (const t of result.trials) expect(Number(t.parameters.x) + Number(t.parameters.y)).toBeLessThanOrEqual(0.5);
  });

  it('filters the proposals of an algorithm without the capability (cmaes) and asks again', async () => {
    const result = await Experiment.create({
      name: 'cmaes-constrained',
      objective: { type: 'minimize', objectiveMetricName: 'loss' },
      algorithm: { algorithmName: 'cmaes', algorithmSettings: { random_state: '2' } },
      parameters: [search.double('x', 0, 1), search.double('y', 0, 1)],
      parameterConstraints: [{ expression: 'x + y <= 0.7' }],
      maxTrialCount: 8,
      parallelTrialCount: 2,
      store,
    }).optimize((p) => ({ loss: (Number(p.x) - 0.6) ** 2 + (Number(p.y) - 0.6) ** 2 }));
    expect(result.status).toBe('Succeeded');
    expect(result.trials).toHaveLength(8);
    for (const t of result.trials) expect(Number(t.parameters.x) + Number(t.parameters.y)).toBeLessThanOrEqual(0.7);
  });

  it('fails the experiment after 1000 infeasible proposals in a row, naming the constraint and the fix', async () => {
    const result = await Experiment.create({
      ...sequenceExperiment('never-feasible', { maxTrialCount: 3, parallelTrialCount: 1 }),
      parameterConstraints: [{ expression: 'x >= 5000' }],
      store,
    }).optimize((p) => Number(p.x));
    expect(result.status).toBe('Failed');
    expect(result.trials).toEqual([]);
    const exp = await store.getExperiment('never-feasible');
    expect(exp?.message).toContain(
      "algorithm 'sequence' found no point satisfying the parameter constraints in 1000 proposals in a row; the last one violated 'x >= 5000'",
    );
    expect(exp?.message).toContain('loosen that constraint or narrow the parameters');
  });

  it('fails the experiment when an algorithm that declares constraints proposes an infeasible point', async () => {
    const result = await Experiment.create({
      ...sequenceExperiment('liar', { maxTrialCount: 3, parallelTrialCount: 1 }),
      algorithm: { algorithmName: 'ignores-constraints', algorithmSettings: { module: ignoresModule } },
      parameterConstraints: [{ expression: 'x >= 1' }],
      store,
    }).optimize((p) => Number(p.x));
    expect(result.status).toBe('Failed');
    expect(result.trials).toEqual([]);
    const exp = await store.getExperiment('liar');
    expect(exp?.message).toContain(
      `algorithm 'ignores-constraints' declares capabilities.constraints but proposed {"x":0}, which violates 'x >= 1'`,
    );
  });
});
