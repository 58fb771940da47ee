// optimize() is a loop over the public ask()/report()/tell(), parallelTrialCount of them at once. Callers that ask
// together share one algorithm request; a caller the algorithm cannot serve yet (a round still running) waits
// for a trial to end instead of being told the experiment is over; an interrupt reaches running objectives at once.
import { describe, expect, it } from 'vitest';
import { Experiment } from '../../src/experiment/experiment.ts';
import { search } from '../../src/index.ts';
import type { BuildManifestOptions } from '../../src/spec/create.ts';
import type { Store } from '../../src/store/types.ts';
import { freshStorePerTest, sequenceExperiment } from '../helpers.ts';

let store: Store;
freshStorePerTest((s) => {
  store = s;
});

const roundsModule = new URL('../fixtures/algorithms/rounds.ts', import.meta.url).href;

function roundsExperiment(name: string, over: Partial<BuildManifestOptions> & { roundSize?: number } = {}) {
  const { roundSize = 2, ...rest } = over;
  return {
    name,
    objective: { type: 'minimize' as const, objectiveMetricName: 'loss' },
    algorithm: {
      algorithmName: 'rounds',
      algorithmSettings: { module: roundsModule, roundSize: String(roundSize), rounds: '3' },
    },
    parameters: [search.int('x', 0, 1000)],
    maxTrialCount: 20,
    parallelTrialCount: 3,
    ...rest,
    store,
  };
}

describe('optimize() over ask()/tell()', () => {
  it('asks the algorithm once for all free slots, then once per slot that frees', async () => {
    const exp = Experiment.create({
      ...sequenceExperiment('batched', { maxTrialCount: 6, parallelTrialCount: 3 }),
      store,
    });
    const result = await exp.optimize((p) => Number(p.x));
    await exp.close();
    expect(result.status).toBe('Succeeded');
    const trials = await store.listTrials('batched');
    // The sequence algorithm records how many trials it had seen: the first three came from one request.
    expect(trials.slice(0, 3).map((t) => (t.explain as { seen: number }).seen)).toEqual([0, 0, 0]);
    expect(trials.map((t) => t.params.x)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('serves a round-based algorithm: a worker the current round cannot serve waits for the next round', async () => {
    const exp = Experiment.create(roundsExperiment('rounds-optimize'));
    const result = await exp.optimize(async (p) => {
      await new Promise((r) => setTimeout(r, 5));
      return Number(p.x);
    });
    await exp.close();
    expect(result.status).toBe('Succeeded');
    expect(result.reason).toBe('ExperimentSuggestionEndReached');
    // Three rounds of two: the third worker never ended the experiment early.
    expect(result.trials.map((t) => t.parameters.x).sort((a, b) => Number(a) - Number(b))).toEqual([0, 1, 2, 3, 4, 5]);
    const trials = await store.listTrials('rounds-optimize');
    expect(trials.every((t) => t.state === 'Succeeded')).toBe(true);
  });

  it('ask() waits for a tell() when the algorithm has nothing yet, and gives up on its signal', async () => {
    const exp = Experiment.create(roundsExperiment('rounds-ask', { roundSize: 1 }));
    try {
      const first = await exp.ask();
      expect(first?.params.x).toBe(0);
      // The next round opens only once trial 0 ended: a waiting ask gives up on its signal, not with undefined.
      await expect(exp.ask({ signal: AbortSignal.timeout(50) })).rejects.toMatchObject({ name: 'TimeoutError' });
      const waiting = exp.ask();
      await exp.tell(first!.name, 3);
      expect((await waiting)?.params.x).toBe(1);
    } finally {
      await exp.close();
    }
  });

  it('an interrupt stops running objectives at once; the experiment stays resumable and a rerun completes it', async () => {
    const exp = Experiment.create({
      ...sequenceExperiment('interrupted', { maxTrialCount: 4, parallelTrialCount: 2 }),
      store,
    });
    const abort = new AbortController();
    let started = 0;
    const stopped: string[] = [];
    const first = await exp.optimize(
      (_p, _report, ctx) =>
        new Promise((resolve) => {
          if (++started === 2) setTimeout(() => abort.abort(), 10);
          ctx.signal.addEventListener('abort', () => {
            stopped.push(ctx.trial);
            resolve(1);
          });
        }),
      { signal: abort.signal },
    );
    expect(first.status).toBe('Running');
    expect(stopped).toHaveLength(2);
    const killed = await store.listTrials('interrupted');
    expect(killed.map((t) => [t.state, t.reason])).toEqual([
      ['Killed', 'Interrupted'],
      ['Killed', 'Interrupted'],
    ]);
    const again = await exp.optimize((p) => Number(p.x));
    await exp.close();
    expect(again.status).toBe('Succeeded');
    const trials = await store.listTrials('interrupted');
    expect(trials.filter((t) => t.state === 'Succeeded')).toHaveLength(4);
  });

  it('close() stops the trials still held, as an interrupt does, and a later session issues their slots again', async () => {
    const exp = Experiment.create({
      ...sequenceExperiment('held', { maxTrialCount: 2, parallelTrialCount: 2 }),
      store,
    });
    const a = await exp.ask();
    const b = await exp.ask();
    expect(a?.signal.aborted).toBe(false);
    await exp.close();
    expect(a?.signal.aborted).toBe(true);
    expect(b?.signal.aborted).toBe(true);
    expect((await store.listTrials('held')).map((t) => t.state)).toEqual(['Killed', 'Killed']);
    expect((await store.getExperiment('held'))?.phase).toBe('Running');
    const again = Experiment.create({
      ...sequenceExperiment('held', { maxTrialCount: 2, parallelTrialCount: 2 }),
      store,
    });
    const result = await again.optimize((p) => Number(p.x));
    await again.close();
    expect(result.status).toBe('Succeeded');
    expect(result.trials.filter((t) => t.state === 'Succeeded')).toHaveLength(2);
  });

  it('refuses optimize() while an ask()/tell() session is open on the same object', async () => {
    const exp = Experiment.create({ ...sequenceExperiment('mixed'), store });
    try {
      await exp.ask();
      await expect(exp.optimize(() => 1)).rejects.toMatchObject({ code: 'CONFLICT' });
    } finally {
      await exp.close();
    }
  });
});

describe('optimize() with PBT checkpoints', () => {
  it("hands each objective its checkpoint folder, a child's starting as a copy of its parent's", async () => {
    const exp = Experiment.create({
      name: 'pbt-in-process',
      objective: { type: 'maximize', objectiveMetricName: 'score' },
      algorithm: {
        algorithmName: 'pbt',
        algorithmSettings: {
          suggestion_trial_dir: '/var/log/katib/checkpoints/',
          n_population: '5',
          truncation_threshold: '0.5',
          random_state: '3',
        },
      },
      parameters: [search.double('lr', 0.01, 0.1)],
      maxTrialCount: 10,
      parallelTrialCount: 2,
      store,
    });
    const seen: { trial: string; inherited: string | undefined }[] = [];
    const result = await exp.optimize(async (p, _report, ctx) => {
      const { existsSync, readFileSync, writeFileSync } = await import('node:fs');
      const file = `${ctx.checkpointDir}/model.txt`;
      seen.push({ trial: ctx.trial, inherited: existsSync(file) ? readFileSync(file, 'utf8') : undefined });
      writeFileSync(file, ctx.trial);
      return Number(p.lr);
    });
    await exp.close();
    expect(result.status).toBe('Succeeded');
    const trials = await store.listTrials('pbt-in-process');
    const children = trials.filter((t) => t.parent !== undefined);
    expect(children.length).toBeGreaterThan(0);
    for (const child of children) {
      expect(seen.find((s) => s.trial === child.name)?.inherited).toBe(child.parent);
    }
    for (const first of trials.filter((t) => t.parent === undefined)) {
      expect(seen.find((s) => s.trial === first.name)?.inherited).toBeUndefined();
    }
  });
});
