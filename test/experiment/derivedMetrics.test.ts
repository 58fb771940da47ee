import { describe, expect, it } from 'vitest';
import { Experiment } from '../../src/experiment/experiment.ts';
import type { Store } from '../../src/store/types.ts';
import { freshStorePerTest, sequenceExperiment } from '../helpers.ts';

let store: Store;
freshStorePerTest((s) => {
  store = s;
});

/** x = 0, 1, 2, … maximising score = accuracy - 0.01 * latency_ms, which the trial never reports itself. */
function scored(name: string, max = 3) {
  return Experiment.create({
    ...sequenceExperiment(name, { maxTrialCount: max, parallelTrialCount: 1 }),
    objective: {
      type: 'maximize',
      objectiveMetricName: 'score',
      additionalMetricNames: ['accuracy', 'latency_ms'],
      metricStrategies: [{ name: 'accuracy', value: 'latest' }],
      derivedMetrics: [{ name: 'score', expression: 'accuracy - 0.01 * latency_ms' }],
    },
    store,
  });
}

describe('derived metrics through optimize()', () => {
  it('computes the derived objective from each trial’s metrics, stores it, and ranks by it', async () => {
    // accuracy rises with x, latency rises faster: the best score is at x = 1.
    const latency = [10, 20, 60];
    const result = await scored('derived').optimize((p) => ({
      accuracy: 0.5 + 0.2 * Number(p.x),
      latency_ms: latency[Number(p.x)]!,
      // A trial cannot set a derived metric: this value is ignored.
      score: 1000,
    }));
    expect(result.status).toBe('Succeeded');
    const scores = result.trials.map((t) => t.objective);
    expect(scores[0]).toBeCloseTo(0.5 - 0.1);
    expect(scores[1]).toBeCloseTo(0.7 - 0.2);
    expect(scores[2]).toBeCloseTo(0.9 - 0.6);
    expect(result.bestTrial?.parameters).toEqual({ x: 1 });
    const stored = await store.getTrial('derived', result.trials[1]!.name);
    expect(stored?.metrics?.find((m) => m.name === 'score')?.latest).toBe(String(0.7 - 0.2));
    const rows = await store.getObservationsOf({ namespace: 'default', name: 'derived' }, { metric: 'score' });
    expect(rows.map((r) => Number(r.value))).toEqual([0.5 - 0.1, 0.7 - 0.2, 0.9 - 0.6]);
  });

  it('reads each input by its metric strategy (accuracy latest, latency_ms by the objective’s max)', async () => {
    const result = await scored('strategy', 1).optimize((_p, report) => {
      report({ accuracy: 0.9, latency_ms: 30 });
      report({ accuracy: 0.6, latency_ms: 10 });
      return {};
    });
    expect(result.trials[0]!.objective).toBeCloseTo(0.6 - 0.3);
  });

  it('marks a trial MetricsUnavailable when an input is missing, naming it', async () => {
    const result = await scored('missing', 1).optimize(() => ({ accuracy: 0.9 }));
    expect(result.trials[0]!.state).toBe('MetricsUnavailable');
    expect(result.trials[0]!.message).toBe(
      'Metrics are not available: derived objective metric score could not be computed: latency_ms was never reported as a number',
    );
  });
});
