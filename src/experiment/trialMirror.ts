/**
 * A shared-experiment worker's copy of the experiment's trials and of its objective's observations, kept up to date
 * from the store's change feed ({@link Store.changesSince}): each round reads what changed since the last one (the
 * trials the feed names, the observations after the last row id) instead of the whole experiment, whose reads grew
 * with every trial stored and, inside a worker's turn, held up every other worker's turn.
 *
 * Why what it misses is only what is not committed yet: every write of a store takes its write lock, so change seqs
 * and observation row ids are drawn in commit order (see postgres/changes.ts lockWriters; SQLite has one writer).
 */
import type { ExperimentKey, ObservationRow, Store, TrialRecord } from '../store/types.ts';

/** Changes read per page of the feed. */
const pageSize = 1000;

/** What {@link TrialMirror.refresh} returns: the experiment's trials in seq order, and the objective's rows. */
export interface MirroredTrials {
  readonly trials: TrialRecord[];
  readonly rows: readonly ObservationRow[];
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

  /** Brings the copy up to date through `store` (a transaction's, or the store itself) and returns it. */
  async refresh(store: Store): Promise<MirroredTrials> {
    const k = this.#experiment;
    if (!store.hasChangeFeed) {
      const [trials, rows] = await Promise.all([
        store.listTrials(k),
        store.getObservationsOf(k, { metric: this.#metric }),
      ]);
      return { trials, rows };
    }
    const changed = new Set<string>();
    for (;;) {
      const page = await store.changesSince(k, this.#since, pageSize);
      if (page.seq < this.#since) {
        // The store was replaced (deleted and created again): start over from nothing.
        this.#forget();
        changed.clear();
        continue;
      }
      for (const c of page.changes) if (c.kind === 'trial' && c.trial !== undefined) changed.add(c.trial);
      this.#since = page.seq;
      if (page.changes.length < pageSize) break;
    }
    // Read after the changes: a trial written since is at least as new here, and named again by the next read.
    for (const t of await store.getTrials(k, [...changed])) this.#trials.set(t.name, t);
    const rows = await store.getObservationsOf(k, { metric: this.#metric, afterId: this.#lastRowId });
    for (const r of rows) {
      this.#lastRowId = Math.max(this.#lastRowId, r.id);
      this.#rows.push(r);
    }
    const trials = [...this.#trials.values()].sort((a, b) => a.seq - b.seq);
    return { trials, rows: this.#rows };
  }

  #forget(): void {
    this.#since = 0;
    this.#lastRowId = 0;
    this.#trials.clear();
    this.#rows = [];
  }
}
