/**
 * A shared-experiment worker's copy of the experiment's trials and of its objective's observations, kept up to date
 * from the store's change feed ({@link Store.pollExperiment}): each round reads what changed since the last one (the
 * trials the feed names, the observations after the last row id) instead of the whole experiment, whose reads grew
 * with every trial stored and, inside a worker's turn, held up every other worker's turn. The experiment record and
 * the algorithm state come with it: on PostgreSQL the whole look is one statement.
 *
 * Why what it misses is only what is not committed yet: every write of a store takes its write lock, so change seqs
 * and observation row ids are drawn in commit order (see postgres/changes.ts lockWriters; SQLite has one writer).
 */
import type { ExperimentKey, ExperimentRecord, ObservationRow, Store, TrialRecord } from '../store/types.ts';

/** Changes read per page of the feed. */
const pageSize = 1000;

/** What {@link TrialMirror.refresh} returns: the experiment, its trials in seq order, the objective's rows, the state. */
export interface MirroredTrials {
  /** The experiment as stored; undefined once it is not (deleted). */
  readonly record: ExperimentRecord | undefined;
  readonly trials: TrialRecord[];
  readonly rows: readonly ObservationRow[];
  /** The algorithm state as stored. */
  readonly state: unknown;
  /** The earliest expiry of the experiment's trial leases (RFC3339); undefined for none. */
  readonly leasesExpireAt: string | undefined;
}

/** See the module comment; one per worker and experiment. */
export class TrialMirror {
  readonly #experiment: ExperimentKey;
  readonly #metric: string;
  /** The feed's seq up to which every change was applied. */
  #since = 0;
  /** The last objective row id read. */
  #lastRowId = 0;
  readonly #trials = new Map<string, TrialRecord>();
  #rows: ObservationRow[] = [];

  constructor(experiment: ExperimentKey, metric: string) {
    this.#experiment = experiment;
    this.#metric = metric;
  }

  /**
   * Brings the copy up to date through `store` (a transaction's, or the store itself) and returns it, with the
   * experiment and the algorithm state read at the same time: one Store.pollExperiment per page of the feed.
   */
  async refresh(store: Store): Promise<MirroredTrials> {
    const k = this.#experiment;
    if (!store.hasChangeFeed) {
      const [record, trials, rows, state] = await Promise.all([
        store.getExperiment(k),
        store.listTrials(k),
        store.getObservationsOf(k, { metric: this.#metric }),
        store.loadAlgorithmState(k),
      ]);
      // No feed, no poll: the leases are not looked at, and the worker looks for expired ones each round.
      return { record, trials, rows, state, leasesExpireAt: new Date(0).toISOString() };
    }
    for (;;) {
      const poll = await store.pollExperiment(k, {
        since: this.#since,
        limit: pageSize,
        metric: this.#metric,
        afterId: this.#lastRowId,
      });
      if (poll.changes.seq < this.#since) {
        // The store was replaced (deleted and created again): start over from nothing.
        this.#forget();
        continue;
      }
      // Read with the page (or after it): a trial written since is at least as new here, and named again by the next.
      for (const t of poll.trials) this.#trials.set(t.name, t);
      for (const r of poll.rows) {
        this.#lastRowId = Math.max(this.#lastRowId, r.id);
        this.#rows.push(r);
      }
      this.#since = poll.changes.seq;
      if (poll.changes.changes.length < pageSize) {
        const trials = [...this.#trials.values()].sort((a, b) => a.seq - b.seq);
        return {
          record: poll.record,
          trials,
          rows: this.#rows,
          state: poll.state,
          leasesExpireAt: poll.leasesExpireAt,
        };
      }
    }
  }

  #forget(): void {
    this.#since = 0;
    this.#lastRowId = 0;
    this.#trials.clear();
    this.#rows = [];
  }
}
