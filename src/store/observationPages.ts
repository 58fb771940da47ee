import type BetterSqlite3 from 'better-sqlite3';
import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import { rowToStoredObservation, type StoredObservationDbRow } from './codec.ts';
import type { ExperimentKey, ObservationQuery, StoredObservation } from './types.ts';
import { wholeNumber } from './wholeNumber.ts';

/**
 * `query` checked (whole numbers, a list of trial names; the error names the field) with `afterId` defaulted to 0:
 * every store reads observation pages with the same rules.
 */
export function checkedObservationQuery(query: ObservationQuery): ObservationQuery & { readonly afterId: number } {
  const { trials, afterId = 0, limit } = query;
  wholeNumber(afterId, 0, 'afterId');
  if (limit !== undefined) wholeNumber(limit, 1, 'the observation limit');
  if (trials !== undefined && !(Array.isArray(trials) && trials.every((t) => typeof t === 'string'))) {
    throw new WorkbenchError(ErrorCode.invalidArgument, 'trials must be a list of trial names');
  }
  return { ...query, afterId };
}

/**
 * The SQL of a bulk read, with or without a metric and a trial list; parameters: namespace, experiment, afterId, [metric],
 * [trials as a JSON array], limit (-1: all). Exported for the query-plan test.
 */
export function observationPageSql(byMetric: boolean, byTrials: boolean): string {
  // A trial list is what a dashboard re-reads after the feed named a few trials: the (experiment, trial, metric)
  // index finds their rows (then sorted by id) instead of the (experiment, id) index walking the whole experiment,
  // which SQLite would pick to avoid the sort. The list travels as one JSON parameter, so any number of trials
  // fits one fixed statement.
  return (
    `SELECT id, trial, step, metric, value, time FROM observation_logs${byTrials ? ' INDEXED BY observation_logs_by_metric' : ''}` +
    ' WHERE namespace = ? AND experiment = ? AND id > ?' +
    (byMetric ? ' AND metric = ?' : '') +
    (byTrials ? ' AND trial IN (SELECT value FROM json_each(?))' : '') +
    ' ORDER BY id LIMIT ?'
  );
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
      stmt = this.#db.prepare<unknown[], StoredObservationDbRow>(observationPageSql(byMetric, byTrials));
      this.#statements.set(key, stmt);
    }
    return stmt;
  }

  /** The rows of `experiment` that `query` selects; see {@link ObservationQuery}. */
  read(experiment: ExperimentKey, query: ObservationQuery = {}): StoredObservation[] {
    const { metric, trials, afterId, limit } = checkedObservationQuery(query);
    if (trials?.length === 0) return [];
    const params: unknown[] = [experiment.namespace, experiment.name, afterId];
    if (metric !== undefined) params.push(metric);
    if (trials !== undefined) params.push(JSON.stringify(trials));
    // LIMIT -1 is SQLite's "no limit".
    params.push(limit ?? -1);
    return this.#statement(metric !== undefined, trials !== undefined)
      .all(...params)
      .map(rowToStoredObservation);
  }
}
