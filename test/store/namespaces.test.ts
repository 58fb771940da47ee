// Experiments are keyed by (namespace, name), as Kubernetes names them: two experiments of one name in two
// namespaces are two experiments, in every table; schema 5 moves an older store's rows under their namespace.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/errors.ts';
import { migrate, migrations, readSchemaVersion, schemaVersion } from '../../src/store/migrations.ts';
import { openDatabase, openDatabaseForReading } from '../../src/store/open.ts';
import { caught } from '../helpers.ts';
import { experiment, manifest, tempDir, tempStore, trial } from './fixtures.ts';

const a = { namespace: 'team-a', name: 'tune' };
const b = { namespace: 'team-b', name: 'tune' };

describe('experiments keyed by (namespace, name)', () => {
  it('keeps two experiments of one name in two namespaces apart in every table', () => {
    const store = tempStore();
    store.createExperiment(experiment('tune', { namespace: 'team-a', seed: 1 }));
    store.createExperiment(experiment('tune', { namespace: 'team-b', seed: 2 }));
    store.insertTrial(trial('tune', 0, { namespace: 'team-a' }));
    store.insertTrial(trial('tune', 0, { namespace: 'team-b', state: 'Running' }));
    store.appendObservations(a, [{ trial: 'tune-t0', metric: 'loss', value: '1', step: 1 }]);
    store.appendObservations(b, [{ trial: 'tune-t0', metric: 'loss', value: '2', step: 1 }]);
    store.saveAlgorithmState(a, { of: 'a' });
    store.saveAlgorithmState(b, { of: 'b' });
    store.addEvent({ experiment: 'tune', namespace: 'team-b', type: 'Normal', reason: 'R', message: 'b', time: 't' });
    expect(store.acquireExperimentLock(a, 1111)).toBe(true);

    expect(store.getExperiment(a)?.seed).toBe(1);
    expect(store.getExperiment(b)?.seed).toBe(2);
    expect(store.getExperiment('tune')).toBeUndefined();
    expect(store.listTrials(a)).toEqual([{ ...trial('tune', 0), namespace: 'team-a' }]);
    expect(store.getTrial(b, 'tune-t0')?.state).toBe('Running');
    expect(store.getObservations(a, 'tune-t0').map((o) => o.value)).toEqual(['1']);
    expect(store.getObservationsOf(b).map((o) => o.value)).toEqual(['2']);
    expect(store.loadAlgorithmState(b)).toEqual({ of: 'b' });
    expect(store.listEvents(a)).toEqual([]);
    expect(store.listEvents(b)).toEqual([
      { experiment: 'tune', namespace: 'team-b', type: 'Normal', reason: 'R', message: 'b', time: 't' },
    ]);
    expect(store.getExperimentLock(a)).toMatchObject({ experiment: 'tune', namespace: 'team-a', pid: 1111 });
    expect(store.getExperimentLock(b)).toBeUndefined();
    expect(store.listExperiments('team-b').map((e) => e.seed)).toEqual([2]);
    expect(store.listExperiments().map((e) => `${e.namespace}/${e.name}`)).toEqual(['team-a/tune', 'team-b/tune']);
    const feed = store.changesSince(b, 0).changes;
    expect(feed.length).toBeGreaterThan(0);
    expect(feed.every((c) => c.namespace === 'team-b' && c.experiment === 'tune')).toBe(true);

    store.deleteExperiment(a);
    expect(store.getExperiment(a)).toBeUndefined();
    expect(store.listTrials(b)).toHaveLength(1);
    expect(store.getObservationsOf(b)).toHaveLength(1);
  });

  it('names the namespace in its messages, and refuses a trial of an experiment only another namespace has', () => {
    const store = tempStore();
    store.createExperiment(experiment('tune', { namespace: 'team-a' }));
    const dup = caught(() => store.createExperiment(experiment('tune', { namespace: 'team-a' })));
    expect(dup.code).toBe(ErrorCode.conflict);
    expect(dup.message).toContain('experiment team-a/tune already exists');
    const missing = caught(() => store.insertTrial(trial('tune', 0)));
    expect(missing.code).toBe(ErrorCode.notFound);
    expect(missing.message).toContain('experiment tune not found');
  });
});

describe('schema 5 (namespaces)', () => {
  it('moves every row of a schema-4 store under its experiment namespace, and keeps ids and seqs', () => {
    const dir = tempDir();
    const file = join(dir, 'hpo.db');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    migrate(db, file, migrations.slice(0, 4));
    db.prepare(
      `INSERT INTO experiments (name, namespace, manifest, phase, reason, message, seed, created_at, updated_at)
       VALUES ('k', 'kubeflow', ?, 'Running', 'ExperimentRunning', '', 7, 't0', 't1'),
              ('d', 'default', ?, 'Running', 'ExperimentRunning', '', 8, 't0', 't1')`,
    ).run(JSON.stringify(manifest), JSON.stringify(manifest));
    db.prepare(
      `INSERT INTO trials (experiment, name, seq, params, state, reason, message, metrics, labels, created_at)
       VALUES ('k', 'k-a', 0, '{}', 'Succeeded', 'TrialSucceeded', '', '[]', '{}', 't2'),
              ('d', 'd-a', 0, '{}', 'Running', 'TrialRunning', '', '[]', '{}', 't2')`,
    ).run();
    db.prepare(
      `INSERT INTO observation_logs (id, experiment, trial, step, metric, value) VALUES (41, 'k', 'k-a', 1, 'loss', '0.5')`,
    ).run();
    db.prepare(`INSERT INTO algorithm_state (experiment, state, updated_at) VALUES ('k', '{"n":1}', 't3')`).run();
    db.prepare(
      `INSERT INTO events (experiment, trial, type, reason, message, time) VALUES ('k', 'k-a', 'Normal', 'R', 'm', 't4')`,
    ).run();
    db.prepare(
      `INSERT INTO locks (experiment, pid, host, acquired_at) VALUES ('k', 5, 'h', 't5'), ('gone', 6, 'h', 't6')`,
    ).run();
    db.prepare(`INSERT INTO changes (seq, experiment, kind, trial, at) VALUES (90, 'k', 'trial', 'k-a', 't7')`).run();
    db.close();

    // Read-only first: the file stays at schema 4 and is read through a migrated copy.
    const reader = openDatabaseForReading(dir);
    expect(reader.getExperiment({ namespace: 'kubeflow', name: 'k' })?.seed).toBe(7);
    expect(reader.hasChangeFeed).toBe(true);
    reader.close();
    const check = new Database(file, { readonly: true });
    expect(readSchemaVersion(check)).toBe(4);
    check.close();

    const store = openDatabase(dir);
    const k = { namespace: 'kubeflow', name: 'k' };
    expect(store.getExperiment(k)?.seed).toBe(7);
    expect(store.getExperiment('k')).toBeUndefined();
    expect(store.getExperiment('d')?.seed).toBe(8);
    expect(store.listTrials(k).map((t) => [t.name, t.namespace])).toEqual([['k-a', 'kubeflow']]);
    expect(store.listTrials('d').map((t) => [t.name, t.namespace])).toEqual([['d-a', undefined]]);
    expect(store.getObservationsOf(k)).toEqual([{ id: 41, trial: 'k-a', metric: 'loss', value: '0.5', step: 1 }]);
    expect(store.loadAlgorithmState(k)).toEqual({ n: 1 });
    expect(store.listEvents(k).map((e) => e.namespace)).toEqual(['kubeflow']);
    expect(store.getExperimentLock(k)?.pid).toBe(5);
    expect(store.getExperimentLock('gone')?.pid).toBe(6);
    expect(store.changesSince(k, 0).changes).toEqual([
      { seq: 90, namespace: 'kubeflow', experiment: 'k', kind: 'trial', trial: 'k-a', at: 't7' },
    ]);
    // The foreign keys hold after the rebuild: deleting the experiment cascades, a trial needs its experiment.
    store.deleteExperiment(k);
    expect(store.getObservationsOf(k)).toEqual([]);
    expect(caught(() => store.insertTrial(trial('k', 1, { namespace: 'kubeflow' }))).code).toBe(ErrorCode.notFound);
    store.close();
    const after = new Database(file, { readonly: true });
    expect(readSchemaVersion(after)).toBe(schemaVersion);
    after.close();
  });
});
