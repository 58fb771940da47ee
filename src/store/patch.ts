import type BetterSqlite3 from 'better-sqlite3';
import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import type { PatchColumn, SqlValue } from './codec.ts';

/**
 * Builds `UPDATE <table> SET <only the patched columns> WHERE <key>` from a partial record, one prepared
 * statement per distinct set of patched fields (a handful in practice: the controller's few transitions),
 * so the hot path reuses prepared statements. Column names come only from the `columns` whitelist.
 */
export class PatchWriter {
  readonly #db: BetterSqlite3.Database;
  readonly #table: string;
  readonly #where: string;
  readonly #columns: Readonly<Record<string, PatchColumn>>;
  readonly #what: string;
  readonly #cache = new Map<string, BetterSqlite3.Statement>();

  constructor(options: {
    db: BetterSqlite3.Database;
    table: string;
    keyColumns: readonly string[];
    columns: Readonly<Record<string, PatchColumn>>;
    what: string;
  }) {
    this.#db = options.db;
    this.#table = options.table;
    this.#where = options.keyColumns.map((c) => `${c} = ?`).join(' AND ');
    this.#columns = options.columns;
    this.#what = options.what;
  }

  /** Applies `patch` to the row with `key`; returns the number of rows changed, or -1 for an empty patch. */
  apply(key: readonly SqlValue[], patch: object): number {
    const names: string[] = [];
    const values: SqlValue[] = [];
    for (const [field, value] of Object.entries(patch)) {
      // An explicit `undefined` means "not provided", like an absent key.
      if (value === undefined) continue;
      const col = Object.hasOwn(this.#columns, field) ? this.#columns[field] : undefined;
      if (col === undefined) {
        throw new WorkbenchError(ErrorCode.invalidArgument, `cannot update ${this.#what} field "${field}"`);
      }
      names.push(col.column);
      values.push(col.encode(value));
    }
    if (names.length === 0) return -1;
    const signature = names.join(',');
    let stmt = this.#cache.get(signature);
    if (stmt === undefined) {
      const set = names.map((n) => `${n} = ?`).join(', ');
      stmt = this.#db.prepare(`UPDATE ${this.#table} SET ${set} WHERE ${this.#where}`);
      this.#cache.set(signature, stmt);
    }
    return stmt.run(...values, ...key).changes;
  }
}
