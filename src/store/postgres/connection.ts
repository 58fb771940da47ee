import { AsyncLocalStorage } from 'node:async_hooks';
import type { Pool, PoolClient } from 'pg';
import type { Queryable } from './changes.ts';
import { pgFailure } from './failure.ts';

/**
 * One level of transactions: the store itself (no client: calls take one from the pool), or an open transaction
 * on its dedicated client (whose nested transactions are savepoints). `open` settles when the transaction opened
 * at this level ends; other calls at this level wait for it.
 */
interface Level {
  active: boolean;
  open: Promise<void> | undefined;
  client: PoolClient | undefined;
  /** Settles when the statement running on `client` is done: one call at a time per client (see `#exclusive`). */
  tail: Promise<void>;
  /** Whether each write gets a savepoint (false in an all-or-nothing transaction, see `transaction`). */
  savepoints: boolean;
  /** Whether this level's transaction holds the writers' lock already (taken by a write that was kept). */
  locked: boolean;
}

/** What {@link Connection.write} runs `fn` with. */
export interface WriteOptions {
  /** Turns a database error into the store's own (a conflict, a missing row) before the generic wrapping. */
  readonly mapError?: (e: unknown) => Error | undefined;
  /**
   * `fn` runs one statement, which is a transaction by itself, so outside a transaction it goes to the pool as it is
   * (one round trip instead of BEGIN, statement, COMMIT on a client of its own).
   */
  readonly single?: boolean;
  /**
   * Takes the writers' lock before `fn`; inside a transaction that holds it already it is not taken again (a
   * round trip fewer per write, while every other writer waits).
   */
  readonly lock?: (q: Queryable) => Promise<void>;
}

/**
 * The transaction machinery of the PostgreSQL store, with SqliteStore's semantics: a transaction holds a pooled
 * client of its own (BEGIN … COMMIT/ROLLBACK); calls made from inside it, however deep and across awaits, join it
 * (an AsyncLocalStorage context tells which calls belong), calls from elsewhere wait until it ends, and a nested
 * transaction is a SAVEPOINT. Calls outside any transaction run on the pool, several at once.
 */
export class Connection {
  readonly #pool: Pool;
  readonly #shown: string;
  readonly #ready: () => Promise<void>;
  readonly #top: Level = {
    active: true,
    open: undefined,
    client: undefined,
    tail: Promise.resolve(),
    savepoints: true,
    locked: false,
  };
  readonly #context = new AsyncLocalStorage<Level>();
  readonly #inFlight = new Set<Promise<unknown>>();
  #savepoints = 0;

  /** Runs on `pool`; `ready` (the migration or the schema check, run once) is awaited before the first statement. */
  constructor(pool: Pool, shown: string, ready: () => Promise<void>) {
    this.#pool = pool;
    this.#shown = shown;
    this.#ready = ready;
  }

  #level(): Level {
    const inner = this.#context.getStore();
    return inner?.active === true ? inner : this.#top;
  }

  // Calls inside one transaction may be started together (Promise.all); on its one client their savepoints would
  // interleave, so they take turns, in the order they were made.
  async #exclusive<T>(level: Level, fn: () => Promise<T>): Promise<T> {
    if (level.client === undefined) return fn();
    const before = level.tail;
    let done!: () => void;
    level.tail = new Promise((resolve) => {
      done = resolve;
    });
    await before;
    try {
      return await fn();
    } finally {
      done();
    }
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#inFlight.add(p);
    const done = (): void => {
      this.#inFlight.delete(p);
    };
    p.then(done, done);
    return p;
  }

  /** Runs a read on the caller's transaction client, else on the pool; failures become store errors. */
  read<T>(action: string, fn: (q: Queryable) => Promise<T>): Promise<T> {
    return this.#track(
      (async () => {
        const level = this.#level();
        while (level.open !== undefined) await level.open;
        try {
          await this.#ready();
          return await this.#exclusive(level, () => fn(level.client ?? this.#pool));
        } catch (e) {
          throw pgFailure(this.#shown, action, e);
        }
      })(),
    );
  }

  /**
   * Runs a write as one unit: in a transaction of its own on a pooled client, or, inside the caller's transaction,
   * in a savepoint. PostgreSQL aborts a whole transaction on any failed statement, so the savepoint is what lets a
   * caller catch a failed write (a conflict) and carry on, as it can with SQLite; an all-or-nothing transaction
   * (whose callers catch nothing) skips it. See {@link WriteOptions}.
   */
  write<T>(action: string, fn: (q: Queryable) => Promise<T>, o: WriteOptions = {}): Promise<T> {
    const fail = (e: unknown): Error => o.mapError?.(e) ?? pgFailure(this.#shown, action, e);
    return this.#track(
      (async () => {
        const level = this.#level();
        while (level.open !== undefined) await level.open;
        try {
          await this.#ready();
        } catch (e) {
          throw pgFailure(this.#shown, action, e);
        }
        const client = level.client;
        if (client !== undefined) {
          const locking = o.lock !== undefined && !level.locked;
          const locked = async (q: Queryable): Promise<T> => {
            if (locking) await o.lock?.(q);
            return fn(q);
          };
          const result = await this.#exclusive(level, () =>
            level.savepoints ? this.#inSavepoint(client, action, locked, fail) : this.#bare(client, locked, fail),
          );
          // Kept (its savepoint released, or none): the lock lasts until the transaction ends.
          if (locking) level.locked = true;
          return result;
        }
        if (o.single === true) {
          try {
            return await fn(this.#pool);
          } catch (e) {
            throw fail(e);
          }
        }
        const own = await this.#connect(action);
        let broken: Error | undefined;
        try {
          await own.query('BEGIN');
          await o.lock?.(own);
          const result = await fn(own);
          await own.query('COMMIT');
          return result;
        } catch (e) {
          await own.query('ROLLBACK').catch((r: unknown) => {
            broken = r instanceof Error ? r : new Error(String(r));
          });
          throw fail(e);
        } finally {
          own.release(broken);
        }
      })(),
    );
  }

  async #bare<T>(client: PoolClient, fn: (q: Queryable) => Promise<T>, fail: (e: unknown) => Error): Promise<T> {
    try {
      return await fn(client);
    } catch (e) {
      throw fail(e);
    }
  }

  async #inSavepoint<T>(
    client: PoolClient,
    action: string,
    fn: (q: Queryable) => Promise<T>,
    fail: (e: unknown) => Error,
  ): Promise<T> {
    const savepoint = `hpo_w${++this.#savepoints}`;
    await this.#run(client, `SAVEPOINT ${savepoint}`, action);
    try {
      const result = await fn(client);
      await this.#run(client, `RELEASE SAVEPOINT ${savepoint}`, action);
      return result;
    } catch (e) {
      await client.query(`ROLLBACK TO SAVEPOINT ${savepoint}; RELEASE SAVEPOINT ${savepoint}`).catch(() => {});
      throw fail(e);
    }
  }

  async #connect(action: string): Promise<PoolClient> {
    try {
      return await this.#pool.connect();
    } catch (e) {
      throw pgFailure(this.#shown, action, e);
    }
  }

  async #run(client: PoolClient, sql: string, action: string): Promise<void> {
    try {
      await client.query(sql);
    } catch (e) {
      throw pgFailure(this.#shown, action, e);
    }
  }

  /**
   * Store.transaction: `fn` runs with every call it makes joining one transaction; see the class comment.
   * `allOrNothing`: its writes get no savepoint each (see {@link Connection.write}); a failed one fails it all.
   */
  transaction<T>(fn: () => Promise<T>, allOrNothing = false): Promise<T> {
    const parent = this.#level();
    // A nested transaction takes its parent's turn on the client for its whole length (its own calls take turns
    // at its own level).
    return this.#track(this.#exclusive(parent, () => this.#transaction(parent, fn, allOrNothing)));
  }

  async #transaction<T>(parent: Level, fn: () => Promise<T>, allOrNothing: boolean): Promise<T> {
    while (parent.open !== undefined) await parent.open;
    let ended!: () => void;
    // Claimed before the first await below, so a second transaction started now waits for this one.
    parent.open = new Promise((resolve) => {
      ended = resolve;
    });
    const nested = parent.client !== undefined;
    const savepoint = `hpo_t${++this.#savepoints}`;
    let client: PoolClient | undefined;
    let broken: Error | undefined;
    try {
      try {
        await this.#ready();
      } catch (e) {
        throw pgFailure(this.#shown, 'begin a transaction', e);
      }
      client = parent.client ?? (await this.#connect('begin a transaction'));
      await this.#run(client, nested ? `SAVEPOINT ${savepoint}` : 'BEGIN', 'begin a transaction');
      const level: Level = {
        active: true,
        open: undefined,
        client,
        tail: Promise.resolve(),
        savepoints: !allOrNothing,
        locked: false,
      };
      let result: T;
      try {
        result = await this.#context.run(level, fn);
      } catch (e) {
        level.active = false;
        const undo = nested ? `ROLLBACK TO SAVEPOINT ${savepoint}; RELEASE SAVEPOINT ${savepoint}` : 'ROLLBACK';
        await client.query(undo).catch((r: unknown) => {
          broken = r instanceof Error ? r : new Error(String(r));
        });
        throw e;
      }
      level.active = false;
      try {
        await client.query(nested ? `RELEASE SAVEPOINT ${savepoint}` : 'COMMIT');
      } catch (e) {
        if (!nested) await client.query('ROLLBACK').catch(() => {});
        throw pgFailure(this.#shown, 'commit a transaction', e);
      }
      return result;
    } finally {
      // A client whose rollback failed is destroyed rather than handed to the next caller in an unknown state.
      if (!nested) client?.release(broken);
      parent.open = undefined;
      ended();
    }
  }

  /** Waits for an open transaction and the calls in flight, then ends the pool (idempotent via the store). */
  async close(): Promise<void> {
    while (this.#top.open !== undefined) await this.#top.open;
    await Promise.allSettled([...this.#inFlight]);
    await this.#pool.end();
  }
}
