import type { Assignment } from '../search/space.ts';
import type { TrialState } from '../search/types.ts';
import type { ExperimentManifest } from '../spec/types.ts';

/** Katib's experiment condition types. */
export type ExperimentPhase = 'Created' | 'Running' | 'Restarting' | 'Succeeded' | 'Failed';

/** A Kubernetes-style condition, as Katib writes them on experiments and trials. */
export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
  /** RFC3339 time of the last transition. */
  readonly lastTransitionTime: string;
}

/** Per-metric summary, Katib's `Observation.metrics[]` with numbers (NaN never stored; absent = unavailable). */
export interface MetricSummary {
  readonly name: string;
  readonly min?: number;
  readonly max?: number;
  readonly latest?: string;
}

/** A stored experiment. `manifest` is the defaulted Katib object the run was started from. */
export interface ExperimentRecord {
  readonly name: string;
  readonly namespace: string;
  readonly manifest: ExperimentManifest;
  readonly phase: ExperimentPhase;
  readonly reason: string;
  readonly message: string;
  /** Seed used for every suggestion request of this experiment (random_state or drawn once at creation). */
  readonly seed: number;
  /** Where the YAML came from, when it came from a file. */
  readonly sourcePath?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly completedAt?: string;
}

/** A stored trial. Written (state Pending) before anything is launched for it. */
export interface TrialRecord {
  readonly experiment: string;
  readonly name: string;
  /** 0-based creation order within the experiment. */
  readonly seq: number;
  readonly params: Assignment;
  readonly state: TrialState;
  readonly reason: string;
  readonly message: string;
  /** The objective per its metric strategy; absent until known. */
  readonly objective?: number;
  readonly metrics: readonly MetricSummary[];
  readonly budget?: number;
  readonly parent?: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Why the algorithm proposed this point. */
  readonly explain?: Readonly<Record<string, unknown>>;
  readonly workDir?: string;
  readonly exitCode?: number;
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly completedAt?: string;
}

/** One observation-log row (Katib's `observation_logs`). `value` is kept as text like Katib's. */
export interface ObservationRow {
  readonly trial: string;
  readonly metric: string;
  readonly value: string;
  /** RFC3339 timestamp, or undefined when the source line had none. */
  readonly time?: string;
  /** 1-based order of this metric's reports within the trial. */
  readonly step: number;
}

/** One event in an experiment's history (`hpo status` shows the latest). */
export interface EventRow {
  readonly experiment: string;
  readonly trial?: string;
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  readonly time: string;
}

/** Who holds an experiment's controller lock (see `Store.acquireExperimentLock`). */
export interface ExperimentLock {
  readonly experiment: string;
  readonly pid: number;
  readonly host: string;
  /** RFC3339 time the lock was taken. */
  readonly acquiredAt: string;
  /** RFC3339 time of the holder's last heartbeat; absent for a lock written before leases. */
  readonly heartbeatAt?: string;
  /** RFC3339 time the lease runs out unless renewed; absent for a lock written before leases. */
  readonly expiresAt?: string;
}

/** Partial update of a trial; unset fields are kept. */
export type TrialPatch = Partial<Omit<TrialRecord, 'experiment' | 'name' | 'seq' | 'createdAt'>>;

/** Partial update of an experiment. */
export type ExperimentPatch = Partial<Omit<ExperimentRecord, 'name' | 'namespace' | 'createdAt'>>;

/**
 * The durable store. Synchronous on purpose (better-sqlite3): a write returns only once it is committed,
 * so the controller can rely on "written before acted on". Implementations: SQLite (default).
 */
export interface Store {
  /** Absolute path of the store's folder (trial working directories live under `<root>/experiments/<name>/`). */
  readonly root: string;
  createExperiment(rec: ExperimentRecord): void;
  getExperiment(name: string): ExperimentRecord | undefined;
  listExperiments(): ExperimentRecord[];
  updateExperiment(name: string, patch: ExperimentPatch): void;
  /** Removes the experiment and everything that belongs to it. */
  deleteExperiment(name: string): void;

  insertTrial(rec: TrialRecord): void;
  updateTrial(experiment: string, name: string, patch: TrialPatch): void;
  getTrial(experiment: string, name: string): TrialRecord | undefined;
  /** Trials in creation order. */
  listTrials(experiment: string): TrialRecord[];
  countTrials(experiment: string): number;

  appendObservations(experiment: string, rows: readonly ObservationRow[]): void;
  /** Observations of a trial in insertion order, optionally of one metric. */
  getObservations(experiment: string, trial: string, metric?: string): ObservationRow[];

  saveAlgorithmState(experiment: string, state: unknown): void;
  loadAlgorithmState(experiment: string): unknown;

  addEvent(ev: EventRow): void;
  /** The latest `limit` events (all when omitted), oldest first. */
  listEvents(experiment: string, limit?: number): EventRow[];

  /**
   * Takes the one-controller-per-experiment lock (a lease) for `ownerPid` (default: this process); false when
   * a live controller holds it. A lock whose lease expired (any host), or left by a dead process on this host,
   * is taken over (resume after `kill -9`).
   */
  acquireExperimentLock(experiment: string, ownerPid?: number): boolean;
  /** Renews the lease of `ownerPid` (default: this process); false when it no longer holds the lock. */
  renewExperimentLock(experiment: string, ownerPid?: number): boolean;
  /** Removes the lock whoever holds it (`hpo unlock --force`) and returns what it was. */
  forceReleaseExperimentLock(experiment: string): ExperimentLock | undefined;
  /** Releases the lock if `ownerPid` (default: this process) holds it. */
  releaseExperimentLock(experiment: string, ownerPid?: number): void;
  /** The current holder of the lock, possibly stale, or undefined. */
  getExperimentLock(experiment: string): ExperimentLock | undefined;

  /** Runs `fn` in one transaction. */
  transaction<T>(fn: () => T): T;
  close(): void;
}
