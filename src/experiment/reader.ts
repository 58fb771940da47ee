import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import { objectivesOf } from '../spec/config.ts';
import { openStoreForReading } from '../store/open.ts';
import {
  type ChangeRow,
  describeExperimentKey,
  type EventRow,
  type ExperimentKey,
  type ExperimentRecord,
  type ExperimentRef,
  experimentKey,
  type ObservationQuery,
  type ObservationRow,
  type Store,
  type StoredObservation,
  type TrialRecord,
} from '../store/types.ts';
import { type ControllerReport, controllerReport } from './controllerReport.ts';
import { type ParetoMember, paretoFront } from './paretoFront.ts';
import { bestTrial, type ExperimentResult, experimentResult } from './report.ts';
import { readWinnerArtifacts, type WinnerDocument, winnerDocument } from './winner.ts';

/** What {@link ExperimentReader.changes} returns: the experiment's changes after `since`, and where to continue. */
export interface ReaderChanges {
  /** The changes in order; empty when the feed is unavailable. */
  readonly changes: ChangeRow[];
  /** Pass as `since` next time (see `ChangePage.seq`); the `since` given when the feed is unavailable. */
  readonly seq: number;
  /**
   * Set when the store has no change feed (a read-only store an older hpo-workbench wrote): says so and how to
   * upgrade it. The reader then has to re-read what it shows to see changes.
   */
  readonly unavailable?: string;
}

/**
 * A read-only view of one stored experiment, for notebooks, dashboards and the CLI: its record, trials,
 * observation logs, events, best trial, result document and whether a controller drives it now. It never
 * writes: a store given by location is opened read-only (so a store the user may not write stays readable),
 * and every read goes to the store, so a reader open beside a running controller sees its progress.
 */
export class ExperimentReader {
  private readonly store: Store;
  /** The stored experiment's name. */
  readonly name: string;
  /** The stored experiment's key (namespace and name). */
  readonly key: ExperimentKey;
  /** Whether {@link ExperimentReader.close} closes the store (the reader opened it). */
  private readonly owned: boolean;
  private closed = false;

  private constructor(store: Store, key: ExperimentKey, owned: boolean) {
    this.store = store;
    this.key = key;
    this.name = key.name;
    this.owned = owned;
  }

  /**
   * Opens `experiment` (its name in namespace `default`, or its namespace and name) in `store`: an open {@link Store} (left open by `close()`), or a store location as
   * `hpo --store` takes it (a folder, a `.db` file, `sqlite:PATH`; default `HPO_STORE` or `.hpo`), opened
   * read-only. Throws `notFound` when there is no store there or no such experiment in it.
   */
  static async open(store: Store | string | undefined, experiment: ExperimentRef): Promise<ExperimentReader> {
    const owned = store === undefined || typeof store === 'string';
    const s = owned ? openStoreForReading(store) : store;
    const key = experimentKey(experiment);
    const name = describeExperimentKey(key);
    if ((await s.getExperiment(key)) === undefined) {
      const known = (await s.listExperiments()).map((e) => describeExperimentKey(e));
      if (owned) await s.close();
      throw new WorkbenchError(
        ErrorCode.notFound,
        `no experiment '${name}' in store ${s.location}; ${known.length === 0 ? 'it holds no experiments' : `it holds: ${known.join(', ')}`}`,
      );
    }
    return new ExperimentReader(s, key, owned);
  }

  private get readable(): Store {
    if (this.closed) throw new WorkbenchError(ErrorCode.invalidArgument, `reader of '${this.name}' is closed`);
    return this.store;
  }

  /** The experiment as stored now (spec, phase, reason, seed, times). */
  async experiment(): Promise<ExperimentRecord> {
    const e = await this.readable.getExperiment(this.key);
    if (!e) throw new WorkbenchError(ErrorCode.notFound, `experiment '${this.name}' was deleted from the store`);
    return e;
  }

  /** Every trial in creation order. */
  async trials(): Promise<TrialRecord[]> {
    return this.readable.listTrials(this.key);
  }

  /** One trial by name, or undefined when the experiment has none of that name. */
  async trial(name: string): Promise<TrialRecord | undefined> {
    return this.readable.getTrial(this.key, name);
  }

  /** A trial's observation log (every reported value, in order), optionally of one metric. */
  observations(trial: string, metric?: string): Promise<ObservationRow[]>;
  /**
   * Observations of every trial (or of `query.trials`) in one query, in id order, with their ids: page with
   * `limit` and `afterId` set to the last id read.
   */
  observations(query?: ObservationQuery): Promise<StoredObservation[]>;
  async observations(
    trialOrQuery?: string | ObservationQuery,
    metric?: string,
  ): Promise<ObservationRow[] | StoredObservation[]> {
    if (typeof trialOrQuery === 'string') return this.readable.getObservations(this.key, trialOrQuery, metric);
    return this.readable.getObservationsOf(this.key, trialOrQuery);
  }

  /**
   * The experiment's changes after seq `since` (0: from the start), at most `limit`: a dashboard polls this and
   * re-reads only the trials, observations or events named. On a store without a change feed, `unavailable`
   * says so instead of throwing.
   */
  async changes(since: number, limit?: number): Promise<ReaderChanges> {
    const store = this.readable;
    if (!store.hasChangeFeed) {
      return {
        changes: [],
        seq: since,
        unavailable: `the store at ${store.location} has no change feed (an older hpo-workbench wrote it); run \`hpo resume ${this.name}\` (or any command that writes) once to upgrade it`,
      };
    }
    return store.changesSince(this.key, since, limit);
  }

  /** The latest `limit` events (all when omitted), oldest first. */
  async events(limit?: number): Promise<EventRow[]> {
    return this.readable.listEvents(this.key, limit);
  }

  /** The best trial so far (Succeeded or EarlyStopped, best objective, first on ties), or undefined. */
  async best(): Promise<TrialRecord | undefined> {
    return bestTrial(await this.experiment(), await this.trials());
  }

  /**
   * The winner document (parameters, every metric, the trial template rendered with the winning values, the trial's
   * folder and log when it ran here), the same `hpo best -o json` prints; undefined while no trial has the objective.
   */
  async winner(): Promise<WinnerDocument | undefined> {
    const experiment = await this.experiment();
    const trials = await this.trials();
    const trial = bestTrial(experiment, trials);
    if (trial === undefined) return undefined;
    const artifacts = await readWinnerArtifacts(this.readable.root, experiment, trial);
    return winnerDocument({ experiment, trial, storeRoot: this.readable.root, artifacts, trials });
  }

  /**
   * The Pareto front: the Succeeded or EarlyStopped trials no other trial beats in every objective (primary and
   * `additionalObjectives`), in creation order, each with its value of every objective by metric name. With one
   * objective that is every trial tied for the best value.
   */
  async paretoFront(): Promise<ParetoMember[]> {
    const objective = (await this.experiment()).manifest.spec.objective;
    if (!objective) return [];
    return paretoFront(objectivesOf(objective), await this.trials());
  }

  /** The result document, the same that `Experiment.result()` and `hpo run --output json` give. */
  async result(): Promise<ExperimentResult> {
    const r = await experimentResult(this.readable, this.key);
    if (!r) throw new WorkbenchError(ErrorCode.notFound, `experiment '${this.name}' was deleted from the store`);
    return r;
  }

  /** Whether a controller drives the experiment at `now`, judged from its lock as `hpo status` does. */
  async controller(now: Date = new Date()): Promise<ControllerReport> {
    return controllerReport(this.readable, await this.experiment(), now);
  }

  /** Closes the store if the reader opened it; a store passed in stays open. Later reads throw. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.owned) await this.store.close();
  }
}
