import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ExperimentManifest } from '../src/spec/types.ts';
import { openSqliteStore } from '../src/store/sqlite.ts';
import type { Store } from '../src/store/types.ts';

// Drives the SQLite store the way the controller does for no-op in-process trials: per trial one insert
// (Pending), an update to Running, three observation rows, an update to Succeeded and one event.

const trialCount = 10_000;
const batchSize = 100;

const manifest = {
  apiVersion: 'kubeflow.org/v1beta1',
  kind: 'Experiment',
  metadata: { name: 'bench' },
  spec: {},
} as unknown as ExperimentManifest;

function createExperiment(store: Store, name: string): void {
  const now = new Date().toISOString();
  store.createExperiment({
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

function runTrial(store: Store, experiment: string, seq: number): void {
  const name = `${experiment}-${seq.toString(36).padStart(8, '0')}`;
  const now = new Date().toISOString();
  store.insertTrial({
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
  store.updateTrial(experiment, name, { state: 'Running', reason: 'TrialRunning', startedAt: now });
  const value = Math.sin(seq);
  store.appendObservations(
    experiment,
    [1, 2, 3].map((step) => ({ trial: name, metric: 'loss', value: String(value / step), time: now, step })),
  );
  store.updateTrial(experiment, name, {
    state: 'Succeeded',
    reason: 'TrialSucceeded',
    objective: value / 3,
    metrics: [{ name: 'loss', min: value / 3, max: value, latest: String(value / 3) }],
    completedAt: now,
  });
  store.addEvent({ experiment, trial: name, type: 'Normal', reason: 'TrialSucceeded', message: name, time: now });
}

function timeTrials(store: Store, experiment: string, batched: boolean): number {
  createExperiment(store, experiment);
  const start = performance.now();
  if (batched) {
    for (let b = 0; b < trialCount; b += batchSize) {
      store.transaction(() => {
        for (let seq = b; seq < b + batchSize; seq++) runTrial(store, experiment, seq);
      });
    }
  } else {
    for (let seq = 0; seq < trialCount; seq++) runTrial(store, experiment, seq);
  }
  return (trialCount * 1000) / (performance.now() - start);
}

function timeMs(fn: () => unknown): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

/** Benchmarks the SQLite store on 10,000 trials; returns trials/s (per-call and batched commits) and read times in ms. */
export async function benchStore(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'hpo-bench-store-'));
  const store = openSqliteStore(dir);
  try {
    const trialsPerSecAutocommit = timeTrials(store, 'auto', false);
    const trialsPerSecBatched = timeTrials(store, 'batched', true);
    let count = 0;
    const listTrials10kMs = timeMs(() => {
      count = store.listTrials('auto').length;
    });
    if (count !== trialCount) throw new Error(`listTrials returned ${count} trials, expected ${trialCount}`);
    const getObservationsMs = timeMs(() => store.getObservations('auto', 'auto-00000fff', 'loss'));
    let rows = 0;
    // Every observation of the 10,000 trials (three each) in one query, as a dashboard's first read does.
    const getObservationsOfAllMs = timeMs(() => {
      rows = store.getObservationsOf('auto').length;
    });
    if (rows !== trialCount * 3) throw new Error(`getObservationsOf returned ${rows} rows, expected ${trialCount * 3}`);
    const changesSinceMs = timeMs(() => store.changesSince('auto', 0, 1000));
    const listEvents10Ms = timeMs(() => store.listEvents('auto', 10));
    const deleteExperiment10kMs = timeMs(() => store.deleteExperiment('batched'));
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
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = await benchStore();
  for (const [key, value] of Object.entries(results)) console.log(`${key.padEnd(24)} ${value.toFixed(1)}`);
}
