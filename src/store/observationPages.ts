import type BetterSqlite3 from 'better-sqlite3';
import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import type { ObservationQuery, StoredObservation } from './types.ts';
import { wholeNumber } from './wholeNumber.ts';

/** A row of `observation_logs` as a bulk read returns it. */
interface StoredObservationDbRow {
  id: number;
  trial: string;
  step: number;
  metric: string;
  value: string;
  time: string | null;
}

function rowToStored(row: StoredObservationDbRow): StoredObservation {
  const obs = { id: row.id, trial: row.trial, metric: row.metric, value: row.value, step: row.step };
  return row.time === null ? obs : { ...obs, time: row.time };
}

/**
 * Reads observations of many trials of an experiment in one query, in id order, a page at a time: a dashboard or
 * a notebook gets 100,000 rows in one statement instead of one per trial. The four shapes of the query (with or
 * without a metric, with or without a trial list) are prepared once each, on first use.
 */
export class ObservationPages {
  readonly #db: BetterSqlite3.Database;
  readonly #statements = new Map<string, BetterSqlite3.Statement<unknown[], StoredObservationDbRow>>();

  /** Reads through `db`; any schema the store reads has `observation_logs`. */
  constructor(db: BetterSqlite3.Database) {
    this.#db = db;
  }

  #statement(byMetric: boolean, byTrials: boolean): BetterSqlite3.Statement<unknown[], StoredObservationDbRow> {
    const key = `${byMetric}/${byTrials}`;
    let stmt = this.#statements.get(key);
    if (stmt === undefined) {
      // The trial list travels as one JSON parameter, so any number of trials fits one fixed statement.
      stmt = this.#db.prepare<unknown[], StoredObservationDbRow>(
        'SELECT id, trial, step, metric, value, time FROM observation_logs WHERE experiment = ? AND id > ?' +
          (byMetric ? ' AND metric = ?' : '') +
          (byTrials ? ' AND trial IN (SELECT value FROM json_each(?))' : '') +
          ' ORDER BY id LIMIT ?',
      );
      this.#statements.set(key, stmt);
    }
    return stmt;
  }

  /** The rows of `experiment` that `query` selects; see {@link ObservationQuery}. */
  read(experiment: string, query: ObservationQuery = {}): StoredObservation[] {
    const { metric, trials, afterId = 0, limit } = query;
    wholeNumber(afterId, 0, 'afterId');
    if (limit !== undefined) wholeNumber(limit, 1, 'the observation limit');
    if (trials !== undefined && !(Array.isArray(trials) && trials.every((t) => typeof t === 'string'))) {
      throw new WorkbenchError(ErrorCode.invalidArgument, 'trials must be a list of trial names');
    }
    if (trials?.length === 0) return [];
    const params: unknown[] = [experiment, afterId];
    if (metric !== undefined) params.push(metric);
    if (trials !== undefined) params.push(JSON.stringify(trials));
    // LIMIT -1 is SQLite's "no limit".
    params.push(limit ?? -1);
    return this.#statement(metric !== undefined, trials !== undefined)
      .all(...params)
      .map(rowToStored);
  }
}
