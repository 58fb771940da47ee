import type BetterSqlite3 from 'better-sqlite3';
import type { ChangeLog } from './changes.ts';
import { type ExperimentRow, experimentPatchColumns, type TrialRow, trialPatchColumns } from './codec.ts';
import { PatchWriter } from './patch.ts';
import type { Statements } from './statements.ts';
import {
  defaultNamespace,
  type EventRow,
  type ExperimentKey,
  type ExperimentPatch,
  type ObservationRow,
  type TrialPatch,
} from './types.ts';

/**
 * The SQLite store's writes, each with its change-feed row in one transaction, so a reader never sees the one
 * without the other. One change row per write call, never per row written, except one per trial for an
 * observation batch that spans trials.
 */
export interface Writes {
  readonly insertExperiment: (row: ExperimentRow) => void;
  /** Returns the rows changed: 0 when the experiment is missing, -1 for an empty patch. */
  readonly patchExperiment: (key: ExperimentKey, patch: ExperimentPatch) => number;
  /** Removes the experiment and everything of it; returns 0 when it did not exist. */
  readonly deleteExperiment: (key: ExperimentKey) => number;
  readonly insertTrial: (row: TrialRow) => void;
  /** Returns the rows changed: 0 when the trial is missing, -1 for an empty patch. */
  readonly patchTrial: (experiment: ExperimentKey, name: string, patch: TrialPatch) => number;
  readonly appendObservations: (experiment: ExperimentKey, rows: readonly ObservationRow[]) => void;
  readonly addEvent: (ev: EventRow) => void;
}

/**
 * Prepares the writes on `db`. `changes` is undefined only for a read-only store whose schema predates the feed,
 * where every write fails anyway.
 */
export function prepareWrites(db: BetterSqlite3.Database, s: Statements, changes: ChangeLog | undefined): Writes {
  // A write of several statements runs in a transaction of its own (a savepoint inside the caller's), so it
  // applies whole or not at all. A write of one statement plus its change row needs a transaction only when
  // the caller has none: inside the caller's, a failing statement undoes itself and its change row is not yet
  // written, and skipping the savepoint keeps the controller's batched writes as cheap as they were.
  const whole = <A extends unknown[], R>(fn: (...args: A) => R): ((...args: A) => R) => {
    const tx = db.transaction(fn);
    return (...args) => tx.immediate(...args);
  };
  const single = <A extends unknown[], R>(fn: (...args: A) => R): ((...args: A) => R) => {
    const tx = db.transaction(fn);
    return (...args) => (db.inTransaction ? fn(...args) : tx.immediate(...args));
  };
  const trialPatch = new PatchWriter({
    db,
    table: 'trials',
    keyColumns: ['namespace', 'experiment', 'name'],
    columns: trialPatchColumns,
    what: 'trial',
  });
  const experimentPatch = new PatchWriter({
    db,
    table: 'experiments',
    keyColumns: ['namespace', 'name'],
    columns: experimentPatchColumns,
    what: 'experiment',
  });
  return {
    insertExperiment: single((row: ExperimentRow): void => {
      s.insertExperiment.run(row);
      changes?.record({ namespace: row.namespace, name: row.name }, 'experiment');
    }),
    // An empty patch (-1) or a missing row (0) changes nothing, so it records nothing.
    patchExperiment: single((key: ExperimentKey, patch: ExperimentPatch): number => {
      const changed = experimentPatch.apply([key.namespace, key.name], patch);
      if (changed > 0) changes?.record(key, 'experiment');
      return changed;
    }),
    // Children first, explicitly: ON DELETE CASCADE is the safety net, these make the cost obvious.
    deleteExperiment: whole((key: ExperimentKey): number => {
      const k = [key.namespace, key.name] as const;
      s.deleteObservations.run(...k);
      s.deleteTrials.run(...k);
      s.deleteEvents.run(...k);
      s.deleteAlgorithmState.run(...k);
      const deleted = s.deleteExperiment.run(...k).changes;
      if (deleted > 0 && changes !== undefined) {
        // The experiment's own history goes with it; one row remains to tell readers that it is gone.
        changes.forget(key, changes.record(key, 'experiment'));
      }
      return deleted;
    }),
    insertTrial: single((row: TrialRow): void => {
      s.insertTrial.run(row);
      changes?.record({ namespace: row.namespace, name: row.experiment }, 'trial', row.name);
    }),
    patchTrial: single((experiment: ExperimentKey, name: string, patch: TrialPatch): number => {
      const changed = trialPatch.apply([experiment.namespace, experiment.name, name], patch);
      if (changed > 0) changes?.record(experiment, 'trial', name);
      return changed;
    }),
    appendObservations: whole((experiment: ExperimentKey, rows: readonly ObservationRow[]): void => {
      const { namespace, name } = experiment;
      for (const r of rows)
        s.insertObservation.run(namespace, name, r.trial, r.step, r.metric, r.value, r.time ?? null);
      for (const trial of new Set(rows.map((r) => r.trial))) changes?.record(experiment, 'observations', trial);
    }),
    addEvent: single((ev: EventRow): void => {
      const namespace = ev.namespace ?? defaultNamespace;
      s.insertEvent.run(namespace, ev.experiment, ev.trial ?? null, ev.type, ev.reason, ev.message, ev.time);
      changes?.record({ namespace, name: ev.experiment }, 'event', ev.trial);
    }),
  };
}
