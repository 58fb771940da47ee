// The early-stopping scenario of a shared experiment, run over SQLite (sharedEarlyStop.test.ts) and PostgreSQL
// (sharedWorkersPostgres.test.ts): a worker's trial is stopped by medianstop because of another worker's trials.
import { expect } from 'vitest';
import { joinExperiment } from '../../src/experiment/join.ts';
import { buildManifest } from '../../src/spec/create.ts';
import type { Store } from '../../src/store/types.ts';
import { sequenceExperiment } from '../helpers.ts';
import { curveExecutor } from './curveExecutor.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (polling the store) until `done` holds; fails after `ms` with `what`. */
export async function waitFor(what: string, done: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

/**
 * Worker `good` (on store `a`) completes two trials with a good curve (loss 1/step) and is interrupted while its
 * third runs (that trial is Killed and gives its slot back). Worker `bad` (on store `b`, its own connection to the
 * same store) then runs the last slot with a bad curve (5 + 1/step, 20 steps): it has no trial of its own to
 * compare with, so only the good worker's stored trials can make medianstop stop it, at step 2.
 */
export async function expectStoppedByOthers(a: Store, b: Store, name: string): Promise<void> {
  const manifest = buildManifest({
    ...sequenceExperiment(name, { maxTrialCount: 3, parallelTrialCount: 1 }),
    earlyStopping: { algorithmName: 'medianstop', algorithmSettings: { min_trials_required: '2', start_step: '2' } },
  });
  const started: string[] = [];
  const stopGood = new AbortController();
  const good = joinExperiment({
    store: a,
    manifest,
    worker: 'good',
    heartbeatMs: 200,
    signal: stopGood.signal,
    executor: curveExecutor({
      loss: (_, step) => 1 / step,
      // Its third trial runs until the worker is interrupted: exactly two good trials complete.
      steps: (trial) => (started.indexOf(trial) < 2 ? 4 : 100_000),
      stepMs: 15,
      onStart: (trial) => started.push(trial),
    }),
  });
  const succeeded = async () => (await a.listTrials(name)).filter((t) => t.state === 'Succeeded').length;
  await waitFor('the good worker completed two trials', async () => (await succeeded()) === 2);
  stopGood.abort();
  await good;
  const bad = await joinExperiment({
    store: b,
    experiment: name,
    worker: 'bad',
    heartbeatMs: 200,
    executor: curveExecutor({ loss: (_, step) => 5 + 1 / step, steps: () => 20, stepMs: 30 }),
  });
  const trials = await b.listTrials(name);
  expect(trials.map((t) => t.state)).toEqual(['Succeeded', 'Succeeded', 'Killed', 'EarlyStopped']);
  const stopped = trials[3]!;
  expect(bad.stored).toEqual([stopped.name]);
  expect(stopped.message).toContain('Trial is early stopped by medianstop');
  // The median of the good worker's two trials at step 2 (best loss 0.5 each); the bad trial's best by then is 5.5.
  expect(stopped.message).toContain('worse than the median 0.5 of 2 completed trials');
  expect(stopped.objective).toBe(5.5);
  const steps = (await b.getObservations(name, stopped.name, 'loss')).map((o) => o.step);
  expect(steps).toEqual([1, 2]);
  const rec = await b.getExperiment(name);
  expect([rec?.phase, rec?.reason]).toEqual(['Succeeded', 'ExperimentMaxTrialsReached']);
}
