import { describe, expect, it } from 'vitest';
import { Experiment } from '../../src/experiment/experiment.ts';
import { search } from '../../src/spec/create.ts';
import type { Store } from '../../src/store/types.ts';
import { freshStorePerTest } from '../helpers.ts';

let store: Store;
freshStorePerTest((s) => {
  store = s;
});

describe.each(['hyperband', 'bohb'])('%s through the controller', (algorithmName) => {
  it('promotes the best configurations with larger budgets and ends when its brackets are done', async () => {
    const exp = Experiment.create({
      name: algorithmName,
      objective: { type: 'minimize', objectiveMetricName: 'loss' },
      algorithm: { algorithmName, algorithmSettings: { resource_name: 'epochs', r_l: 9, eta: 3, random_state: 1 } },
      parameters: [search.double('x', -2, 2), search.int('epochs', 1, 9)],
      parallelTrialCount: 3,
      store,
    });
    const result = await exp.optimize((p) => (Number(p.x) - 0.5) ** 2 + 1 / Number(p.epochs));
    expect(result.status).toBe('Succeeded');
    expect(result.reason).toBe('ExperimentSuggestionEndReached');
    const promoted = result.trials.filter((t) => t.parent !== undefined);
    expect(promoted.length).toBeGreaterThan(0);
    for (const t of promoted) {
      const parent = result.trials.find((p) => p.name === t.parent)!;
      expect(t.parameters.x).toBe(parent.parameters.x);
      expect(Number(t.parameters.epochs)).toBeGreaterThan(Number(parent.parameters.epochs));
      expect(t.budget).toBe(t.parameters.epochs);
    }
    // Every full-budget trial exists and the best is one of them.
    expect(result.trials.some((t) => t.parameters.epochs === 9)).toBe(true);
  });
});
