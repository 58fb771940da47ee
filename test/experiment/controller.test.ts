import { describe, expect, it } from 'vitest';
import { Experiment } from '../../src/experiment/experiment.ts';
import type { Store } from '../../src/store/types.ts';
import { freshStorePerTest, sequenceExperiment, sequenceModule } from '../helpers.ts';

let store: Store;
freshStorePerTest((s) => {
  store = s;
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('ExperimentController with Katib semantics', () => {
  it('runs maxTrialCount trials, never more than parallelTrialCount at once, and picks the best', async () => {
    let running = 0;
    let peak = 0;
    const exp = Experiment.create({ ...sequenceExperiment('seq'), store });
    const result = await exp.optimize(async (p) => {
      running++;
      peak = Math.max(peak, running);
      await sleep(5);
      running--;
      return (Number(p.x) - 3) ** 2;
    });
    expect(result.status).toBe('Succeeded');
    expect(result.reason).toBe('ExperimentMaxTrialsReached');
    expect(result.trials.map((t) => t.parameters.x)).toEqual([0, 1, 2, 3, 4]);
    expect(result.trials.every((t) => t.state === 'Succeeded')).toBe(true);
    expect(result.bestTrial?.parameters).toEqual({ x: 3 });
    expect(result.bestTrial?.objective).toBe(0);
    expect(peak).toBe(2);
  });

  it('writes the trial row before the trial runs', async () => {
    const exp = Experiment.create({
      ...sequenceExperiment('written', { maxTrialCount: 2, parallelTrialCount: 1 }),
      store,
    });
    const seen: string[] = [];
    await exp.optimize(async (_p, _r, ctx) => {
      seen.push((await store.getTrial('written', ctx.trial))?.state ?? 'missing');
      return 1;
    });
    expect(seen).toEqual(['Running', 'Running']);
  });

  it('completes with ExperimentSuggestionEndReached when the algorithm is exhausted (Katib would hang)', async () => {
    const exp = Experiment.create({ ...sequenceExperiment('exhaust', { limit: 3, maxTrialCount: 10 }), store });
    const result = await exp.optimize((p) => Number(p.x));
    expect(result.status).toBe('Succeeded');
    expect(result.reason).toBe('ExperimentSuggestionEndReached');
    expect(result.trials).toHaveLength(3);
  });

  it('stops at the goal and kills trials still running', async () => {
    const exp = Experiment.create({
      ...sequenceExperiment('goal', {
        objective: { type: 'minimize', objectiveMetricName: 'loss', goal: 0.5 },
        maxTrialCount: 20,
        parallelTrialCount: 2,
      }),
      store,
    });
    const result = await exp.optimize(async (p, _report, ctx) => {
      if (p.x === 0) return 0.1;
      await new Promise((r) => ctx.signal.addEventListener('abort', r));
      return 5;
    });
    expect(result.status).toBe('Succeeded');
    expect(result.reason).toBe('ExperimentGoalReached');
    expect(result.trials.find((t) => t.parameters.x === 1)?.state).toBe('Killed');
  });

  it('fails the experiment at maxFailedTrialCount, counting MetricsUnavailable as failed', async () => {
    const exp = Experiment.create({
      ...sequenceExperiment('fails', { maxTrialCount: 10, maxFailedTrialCount: 2, parallelTrialCount: 1 }),
      store,
    });
    const result = await exp.optimize((p) => {
      if (p.x === 0) return undefined; // no metric at all
      throw new Error('diverged');
    });
    expect(result.status).toBe('Failed');
    expect(result.reason).toBe('ExperimentFailed');
    expect(result.trials.map((t) => t.state)).toEqual(['MetricsUnavailable', 'Failed']);
    expect(result.trials[1]?.message).toContain('diverged');
  });

  it('uses the metric strategy: latest, min or max of the reported history', async () => {
    const exp = Experiment.create({
      ...sequenceExperiment('strategy', {
        objective: {
          type: 'minimize',
          objectiveMetricName: 'loss',
          additionalMetricNames: ['acc'],
          metricStrategies: [{ name: 'loss', value: 'latest' }],
        },
        maxTrialCount: 1,
        parallelTrialCount: 1,
      }),
      store,
    });
    const result = await exp.optimize((_p, report) => {
      report({ loss: 3, acc: 0.5 });
      report({ loss: 1, acc: 0.9 });
      report({ loss: 2, acc: 0.7 });
    });
    const t = result.trials[0]!;
    expect(t.objective).toBe(2);
    expect(t.metrics.find((m) => m.name === 'acc')).toMatchObject({ min: 0.5, max: 0.9, latest: '0.7' });
    expect((await store.getObservations('strategy', t.name, 'loss')).map((o) => o.value)).toEqual(['3', '1', '2']);
  });

  it('supports ask/tell', async () => {
    const exp = Experiment.create({ ...sequenceExperiment('asktell', { maxTrialCount: 3 }), store });
    const told: number[] = [];
    for (;;) {
      const t = await exp.ask();
      if (!t) break;
      const v = Number(t.params.x) * 2;
      told.push(v);
      const rec = await exp.tell(t.name, v);
      expect(rec.state).toBe('Succeeded');
    }
    expect(told).toEqual([0, 2, 4]);
    expect((await exp.result()).reason).toBe('ExperimentMaxTrialsReached');
    await exp.close();
  });

  it('after an interrupt, keeps completed trials, records running ones as Killed and resumes their slots', async () => {
    const abort = new AbortController();
    const calls: number[] = [];
    const options = sequenceExperiment('resume', { maxTrialCount: 4, parallelTrialCount: 1 });
    const first = Experiment.create({ ...options, store });
    const r1 = await first.optimize(
      async (p, _report, ctx) => {
        calls.push(Number(p.x));
        if (p.x === 2) {
          abort.abort();
          await new Promise((r) => ctx.signal.addEventListener('abort', r));
        }
        return Number(p.x);
      },
      { signal: abort.signal },
    );
    expect(r1.status).toBe('Running');
    expect(r1.trials.map((t) => t.state)).toEqual(['Succeeded', 'Succeeded', 'Killed']);
    const second = Experiment.create({ ...options, store });
    const r2 = await second.optimize((p) => {
      calls.push(Number(p.x));
      return Number(p.x);
    });
    expect(r2.reason).toBe('ExperimentMaxTrialsReached');
    // Trials 0 and 1 ran once; the killed slot ran again (the sequence algorithm re-proposes x=2).
    expect(calls).toEqual([0, 1, 2, 2, 3]);
    expect(r2.trials.filter((t) => t.state === 'Succeeded')).toHaveLength(4);
  });

  it('an interrupt while the algorithm spins in its worker ends the run instead of waiting for it', async () => {
    const abort = new AbortController();
    const exp = Experiment.create({
      ...sequenceExperiment('spin', { maxTrialCount: 4, parallelTrialCount: 1 }),
      algorithm: { algorithmName: 'sequence', algorithmSettings: { module: sequenceModule, spinAt: '1' } },
      store,
    });
    const result = await exp.optimize(
      (p) => {
        setTimeout(() => abort.abort(), 300); // while the second suggestion spins
        return Number(p.x);
      },
      { signal: abort.signal },
    );
    expect(result.status).toBe('Running');
    expect(result.trials.map((t) => t.state)).toEqual(['Succeeded']);
    await exp.close();
  });

  it('refuses to continue an experiment whose spec changed', async () => {
    await Experiment.create({
      ...sequenceExperiment('changed', { maxTrialCount: 1, parallelTrialCount: 1 }),
      store,
    }).optimize(() => 1);
    const changed = Experiment.create({
      ...sequenceExperiment('changed', { maxTrialCount: 1, parallelTrialCount: 1 }),
      objective: { type: 'maximize', objectiveMetricName: 'loss' },
      store,
    });
    await expect(changed.optimize(() => 1)).rejects.toThrow(/already exists in the store with a different spec/);
    expect(await store.listTrials('changed')).toHaveLength(1);
  });
});
