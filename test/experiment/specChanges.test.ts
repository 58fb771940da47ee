import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deleteExperiment } from '../../src/experiment/deleteExperiment.ts';
import { Experiment } from '../../src/experiment/experiment.ts';
import { describeSpecChanges, specChanges } from '../../src/experiment/specChanges.ts';
import { search } from '../../src/spec/create.ts';
import type { Store } from '../../src/store/types.ts';
import { ExperimentWorkspace } from '../../src/trial/workspace.ts';
import { freshStorePerTest } from '../helpers.ts';

let store: Store;
freshStorePerTest((s) => {
  store = s;
});

const definition = (max: number, algorithmName: 'random' | 'tpe' = 'random') =>
  ({
    name: 'nb',
    objective: { type: 'minimize', objectiveMetricName: 'loss' },
    algorithm: { algorithmName, algorithmSettings: { random_state: 7 } },
    parameters: [search.double('lr', 0.001, max), search.categorical('kernel', ['rbf', 'poly'])],
    maxTrialCount: 2,
    parallelTrialCount: 1,
  }) as const;

describe('specChanges', () => {
  it('lists every differing leaf with its path, naming list elements that have a name', () => {
    const changes = specChanges(
      { spec: { parameters: [{ name: 'lr', feasibleSpace: { max: '1' } }], algorithm: { algorithmName: 'random' } } },
      {
        spec: {
          parameters: [{ name: 'lr', feasibleSpace: { max: '2' } }, { name: 'x' }],
          algorithm: { algorithmName: 'tpe' },
        },
      },
    );
    expect(changes).toEqual([
      { path: 'spec.algorithm.algorithmName', stored: 'random', given: 'tpe' },
      { path: 'spec.parameters[0 (lr)].feasibleSpace.max', stored: '1', given: '2' },
      { path: 'spec.parameters[1]', stored: undefined, given: { name: 'x' } },
    ]);
    expect(describeSpecChanges(changes, 2)).toBe(
      'spec.algorithm.algorithmName: stored "random", now "tpe"; spec.parameters[0 (lr)].feasibleSpace.max: stored "1", now "2"; and 1 more',
    );
    expect(specChanges({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual([]);
  });
});

describe('running a changed definition of a stored experiment', () => {
  it('the same definition continues; a changed one says what changed and how to start fresh', async () => {
    const first = await Experiment.create({ ...definition(1), store }).optimize((p) => p.lr);
    expect(first.trials).toHaveLength(2);
    // The same definition again (a re-run notebook cell) continues the stored experiment: nothing new to do.
    const again = await Experiment.create({ ...definition(1), store }).optimize((p) => p.lr);
    expect(again.trials.map((t) => t.name)).toEqual(first.trials.map((t) => t.name));

    const changed = Experiment.create({ ...definition(2, 'tpe'), store });
    const err = await changed.optimize((p) => p.lr).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CONFLICT' });
    const message = (err as Error).message;
    expect(message).toContain('spec.algorithm.algorithmName: stored "random", now "tpe"');
    expect(message).toContain('spec.parameters[0 (lr)].feasibleSpace.max: stored "1", now "2"');
    expect(message).toContain('hpo delete nb');
    expect(message).toContain("deleteExperiment(store, 'nb')");
    expect(await store.listTrials('nb')).toHaveLength(2);

    // Starting fresh as the message says: the changed definition then runs from trial one.
    // In-process trials need no folders; a template run's trials would have left logs here.
    const workspace = new ExperimentWorkspace(store.root, 'nb');
    mkdirSync(workspace.dir, { recursive: true });
    writeFileSync(join(workspace.dir, 'note.txt'), 'left by a trial');
    expect(await deleteExperiment(store, 'nb')).toBe(true);
    expect(existsSync(workspace.dir)).toBe(false);
    const fresh = await changed.optimize((p) => p.lr);
    expect(fresh.trials).toHaveLength(2);
    expect((await store.getExperiment('nb'))?.manifest.spec.algorithm?.algorithmName).toBe('tpe');
    await changed.close();
    expect(await deleteExperiment(store, 'gone')).toBe(false);
  });

  it('deleteExperiment refuses while another live controller holds the experiment', async () => {
    await Experiment.create({ ...definition(1), store }).optimize((p) => p.lr);
    expect(await store.acquireExperimentLock('nb', process.ppid)).toBe(true);
    await expect(deleteExperiment(store, 'nb')).rejects.toThrow(/being run by process \d+.*stop it first/);
    expect(await store.getExperiment('nb')).toBeDefined();
    await store.releaseExperimentLock('nb', process.ppid);
  });
});
