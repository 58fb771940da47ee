import { describe, expect, it } from 'vitest';
import { Experiment } from '../../src/experiment/experiment.ts';
import { ExperimentReader } from '../../src/experiment/reader.ts';
import { search } from '../../src/spec/create.ts';
import type { AdditionalObjective } from '../../src/spec/types.ts';
import type { Store, TrialRecord } from '../../src/store/types.ts';
import { freshStorePerTest, sequenceExperiment } from '../helpers.ts';

let store: Store;
freshStorePerTest((s) => {
  store = s;
});

const valuesSeenModule = new URL('../fixtures/algorithms/valuesSeen.ts', import.meta.url).href;

/** An experiment over x = 0, 1, 2, … (one at a time) minimising loss and an additional objective `latency_ms`. */
function twoObjectives(name: string, o: { goal?: number; latency?: Partial<AdditionalObjective>; max?: number } = {}) {
  return Experiment.create({
    ...sequenceExperiment(name, { maxTrialCount: o.max ?? 4, parallelTrialCount: 1 }),
    objective: {
      type: 'minimize',
      objectiveMetricName: 'loss',
      ...(o.goal === undefined ? {} : { goal: o.goal }),
      additionalObjectives: [{ type: 'minimize', objectiveMetricName: 'latency_ms', ...o.latency }],
    },
    algorithm: { algorithmName: 'values-seen', algorithmSettings: { module: valuesSeenModule } },
    store,
  });
}

/** The `values` of each earlier trial that the algorithm recorded when it proposed `trial`. */
function seenValues(trial: TrialRecord | undefined): unknown[] {
  return ((trial?.explain?.values ?? []) as { values: unknown }[]).map((v) => v.values);
}

/** loss = x and latency_ms = 10 - x: every trial is on the Pareto front. */
const tradeOff = (p: Record<string, unknown>) => ({ loss: Number(p.x), latency_ms: 10 - Number(p.x) });

describe('several objectives in the controller', () => {
  it('feeds the algorithm every objective and each trial’s values, primary first', async () => {
    const result = await twoObjectives('values').optimize(tradeOff);
    expect(result.status).toBe('Succeeded');
    expect(result.trials.map((t) => t.state)).toEqual(['Succeeded', 'Succeeded', 'Succeeded', 'Succeeded']);
    const last = await store.getTrial('values', result.trials[3]!.name);
    expect(last?.explain?.objectives).toEqual(['minimize loss', 'minimize latency_ms']);
    expect(seenValues(last)).toEqual([
      [0, 10],
      [1, 9],
      [2, 8],
    ]);
  });

  it('uses each objective’s metric strategy for its value', async () => {
    const exp = twoObjectives('strategy', { latency: { type: 'maximize' }, max: 2 });
    await exp.optimize((p, report) => {
      report({ loss: 5, latency_ms: 1 });
      report({ loss: Number(p.x), latency_ms: 3 });
      return { latency_ms: 2 };
    });
    const trials = await store.listTrials('strategy');
    const seen = (trials[1]!.explain?.values ?? []) as { values: unknown }[];
    // loss: min of 5 and x = 0; latency_ms (maximised): max of 1, 3, 2.
    expect(seen.map((v) => v.values)).toEqual([[0, 3]]);
  });

  it('marks a trial without an additional objective’s metric MetricsUnavailable, naming the metric', async () => {
    const result = await twoObjectives('missing').optimize((p) =>
      Number(p.x) === 1 ? { loss: 1 } : Number(p.x) === 2 ? { loss: 2, latency_ms: 'nan' } : tradeOff(p),
    );
    expect(result.trials.map((t) => t.state)).toEqual([
      'Succeeded',
      'MetricsUnavailable',
      'MetricsUnavailable',
      'Succeeded',
    ]);
    expect(result.trials[1]!.message).toBe('Metrics are not available: objective metric latency_ms was never reported');
    expect(result.trials[2]!.message).toContain('objective metric latency_ms has no finite value');
    const last = await store.getTrial('missing', result.trials[3]!.name);
    expect(seenValues(last)).toEqual([[0, 10], null, null]);
  });

  it('reaches the goal only through one trial meeting every objective’s goal', async () => {
    // loss ≤ 2 needs x ≤ 2, latency_ms ≤ 8 needs x ≥ 2: only x = 2 meets both.
    const met = await twoObjectives('met', { goal: 2, latency: { goal: 8 }, max: 8 }).optimize(tradeOff);
    expect(met.reason).toBe('ExperimentGoalReached');
    expect(met.trials).toHaveLength(3);
    // latency_ms ≤ 7 needs x ≥ 3: trials meet one goal or the other, never both, so the budget runs out.
    const apart = await twoObjectives('apart', { goal: 2, latency: { goal: 7 }, max: 6 }).optimize(tradeOff);
    expect(apart.reason).toBe('ExperimentMaxTrialsReached');
    expect(apart.trials).toHaveLength(6);
  });

  it('ExperimentReader gives the front, and the winner and result documents carry it', async () => {
    // (loss, latency_ms) = (0,3) (1,3) (2,1) (3,0): x = 1 is beaten by x = 0; x = 2 fails, so it takes no part.
    const latency = [3, 3, 1, 0];
    const result = await twoObjectives('read').optimize((p) => {
      if (Number(p.x) === 2) throw new Error('crashed');
      return { loss: Number(p.x), latency_ms: latency[Number(p.x)]! };
    });
    const [t0, , , t3] = result.trials.map((t) => t.name);
    const reader = await ExperimentReader.open(store, 'read');
    const front = [
      { name: t0, parameters: { x: 0 }, values: { loss: 0, latency_ms: 3 } },
      { name: t3, parameters: { x: 3 }, values: { loss: 3, latency_ms: 0 } },
    ];
    expect(await reader.paretoFront()).toEqual(front);
    const winner = await reader.winner();
    expect(winner).toMatchObject({ name: t0, objective: 0, paretoFront: front });
    expect(winner?.objectives?.map((o) => o.metricName)).toEqual(['loss', 'latency_ms']);
    expect((await reader.result()).paretoFront).toEqual(front);
    expect(result.paretoFront).toEqual(front);
    await reader.close();
  });

  it('runs bayesianoptimization with two objectives through optimize(): EHVI proposals, a front', async () => {
    const exp = Experiment.create({
      name: 'gp-pareto',
      objective: {
        type: 'minimize',
        objectiveMetricName: 'loss',
        additionalObjectives: [{ type: 'maximize', objectiveMetricName: 'score' }],
      },
      algorithm: {
        algorithmName: 'bayesianoptimization',
        algorithmSettings: { n_initial_points: '4', random_state: '3' },
      },
      parameters: [search.double('x', 0, 1), search.double('y', 0, 1)],
      maxTrialCount: 8,
      parallelTrialCount: 2,
      store,
    });
    // A two-parameter ZDT1: loss = x against score = −g(1 − √(x/g)), g = 1 + 9y.
    const result = await exp.optimize((p) => {
      const g = 1 + 9 * p.y;
      return { loss: p.x, score: -(g * (1 - Math.sqrt(p.x / g))) };
    });
    expect(result.status).toBe('Succeeded');
    expect(result.trials.map((t) => t.state)).toEqual(Array(8).fill('Succeeded'));
    const trials = await store.listTrials('gp-pareto');
    expect(trials.slice(0, 4).map((t) => t.explain?.phase)).toEqual(Array(4).fill('startup'));
    for (const t of trials.slice(4)) {
      expect(t.explain).toMatchObject({ phase: 'model', acquisition: 'EHVI' });
      expect(t.explain?.referencePoint).toHaveLength(2);
    }
    expect(result.paretoFront?.length).toBeGreaterThan(0);
  });
});
