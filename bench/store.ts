import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ExperimentManifest } from '../src/spec/types.ts';
import { openStore } from '../src/store/open.ts';
import type { Store } from '../src/store/types.ts';

// Drives the store (Store v2, asynchronous, over SQLite) the way the controller does for no-op in-process trials: per trial one insert
// (Pending), an update to Running, three observation rows, an update to Succeeded and one event.

const trialCount = 10_000;
const batchSize = 100;

const manifest = {
  apiVersion: 'kubeflow.org/v1beta1',
  kind: 'Experiment',
  metadata: { name: 'bench' },
  spec: {},
} as unknown as ExperimentManifest;

function createExperiment(store: Store, name: string): Promise<void> {
  const now = new Date().toISOString();
  return store.createExperiment({
    name,
    namespace: 'default',
    manifest,
    phase: 'Running',
    reason: 'ExperimentRunning',
    message: 'bench',
    seed: 1,
    createdAt: now,
    updatedAt: now,
  });
}

async function runTrial(store: Store, experiment: string, seq: number): Promise<void> {
  const name = `${experiment}-${seq.toString(36).padStart(8, '0')}`;
  const now = new Date().toISOString();
  await store.insertTrial({
    experiment,
    name,
    seq,
    params: { lr: 0.001 * (seq + 1), layers: seq % 5, optimizer: 'adam' },
    state: 'Pending',
    reason: 'TrialCreated',
    message: '',
    metrics: [],
    labels: {},
    createdAt: now,
  });
  await store.updateTrial(experiment, name, { state: 'Running', reason: 'TrialRunning', startedAt: now });
  const value = Math.sin(seq);
  await store.appendObservations(
    experiment,
    [1, 2, 3].map((step) => ({ trial: name, metric: 'loss', value: String(value / step), time: now, step })),
  );
  await store.updateTrial(experiment, name, {
    state: 'Succeeded',
    reason: 'TrialSucceeded',
    objective: value / 3,
    metrics: [{ name: 'loss', min: value / 3, max: value, latest: String(value / 3) }],
    completedAt: now,
  });
  await store.addEvent({ experiment, trial: name, type: 'Normal', reason: 'TrialSucceeded', message: name, time: now });
}

async function timeTrials(store: Store, experiment: string, batched: boolean): Promise<number> {
  await createExperiment(store, experiment);
  const start = performance.now();
  if (batched) {
    for (let b = 0; b < trialCount; b += batchSize) {
      await store.transaction(async (tx) => {
        for (let seq = b; seq < b + batchSize; seq++) await runTrial(tx, experiment, seq);
      });
    }
  } else {
    for (let seq = 0; seq < trialCount; seq++) await runTrial(store, experiment, seq);
  }
  return (trialCount * 1000) / (performance.now() - start);
}

async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Benchmarks the SQLite store on 10,000 trials; returns trials/s (per-call and batched commits) and read times in ms. */
export async function benchStore(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'hpo-bench-store-'));
  const store = openStore(dir);
  try {
    const trialsPerSecAutocommit = await timeTrials(store, 'auto', false);
    const trialsPerSecBatched = await timeTrials(store, 'batched', true);
    let count = 0;
    const listTrials10kMs = await timeMs(async () => {
      count = (await store.listTrials('auto')).length;
    });
    if (count !== trialCount) throw new Error(`listTrials returned ${count} trials, expected ${trialCount}`);
    const getObservationsMs = await timeMs(() => store.getObservations('auto', 'auto-00000fff', 'loss'));
    let rows = 0;
    // Every observation of the 10,000 trials (three each) in one query, as a dashboard's first read does.
    const getObservationsOfAllMs = await timeMs(async () => {
      rows = (await store.getObservationsOf('auto')).length;
    });
    if (rows !== trialCount * 3) throw new Error(`getObservationsOf returned ${rows} rows, expected ${trialCount * 3}`);
    const changesSinceMs = await timeMs(() => store.changesSince('auto', 0, 1000));
    const listEvents10Ms = await timeMs(() => store.listEvents('auto', 10));
    const deleteExperiment10kMs = await timeMs(() => store.deleteExperiment('batched'));
    return {
      trialsPerSecAutocommit,
      trialsPerSecBatched,
      listTrials10kMs,
      getObservationsMs,
      getObservationsOfAllMs,
      changesSinceMs,
      listEvents10Ms,
      deleteExperiment10kMs,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = await benchStore();
  for (const [key, value] of Object.entries(results)) console.log(`${key.padEnd(24)} ${value.toFixed(1)}`);
}
