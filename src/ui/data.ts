import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import { controllerReport } from '../experiment/controllerReport.ts';
import { bestTrial } from '../experiment/report.ts';
import { countTrials } from '../experiment/status.ts';
import type { ExperimentKey, ExperimentRecord, Store, TrialRecord } from '../store/types.ts';
import { experimentKey } from '../store/types.ts';
import { LruCache } from './lru.ts';
import { type ObjectiveColumns, objectiveColumnsOf } from './objectiveColumns.ts';

/** One row of `GET /api/experiments`: what the experiment list shows. */
export interface ExperimentSummary {
  readonly namespace: string;
  readonly name: string;
  readonly status: string;
  readonly reason: string;
  readonly algorithm: string | undefined;
  readonly objective: { readonly type: string | undefined; readonly metric: string | undefined };
  readonly counts: ReturnType<typeof countTrials>;
  readonly best: { readonly trial: string; readonly objective: number | null } | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** How many experiments' trials the dashboard keeps decoded by default (see {@link DashboardData}). */
export const defaultCachedExperiments = 16;

/**
 * The dashboard's reads over one store, for the HTTP handlers: experiments by key, and each experiment's trials
 * cached until the change feed names the experiment again, so a table of 10,000 trials is decoded once per change
 * rather than once per request. The cache keeps the `cachedExperiments` most recently read experiments (default
 * {@link defaultCachedExperiments}), so memory follows what is being looked at, not the size of the store. It never
 * writes: the store is opened read-only by whoever created it.
 */
export class DashboardData {
  readonly store: Store;
  private readonly trialCache: LruCache<string, { seq: number; trials: TrialRecord[] }>;
  // Keyed by the cached list itself: a new read is a new list, and a list the LRU dropped takes its columns along.
  private readonly columnCache = new WeakMap<readonly TrialRecord[], { columns: ObjectiveColumns | undefined }>();

  constructor(store: Store, options: { readonly cachedExperiments?: number } = {}) {
    this.store = store;
    this.trialCache = new LruCache(options.cachedExperiments ?? defaultCachedExperiments);
  }

  /** The experiments whose trials are cached, least recently read first (for tests of the cap). */
  cachedExperiments(): string[] {
    return this.trialCache.keys();
  }

  /**
   * The trial table's objective columns of `e` over `trials` (from {@link trials}): undefined with one objective;
   * with several, computed once per list read (the Pareto front costs a sort of the trials).
   */
  objectiveColumns(e: ExperimentRecord, trials: readonly TrialRecord[]): ObjectiveColumns | undefined {
    const hit = this.columnCache.get(trials);
    if (hit !== undefined) return hit.columns;
    const columns = objectiveColumnsOf(e, trials);
    this.columnCache.set(trials, { columns });
    return columns;
  }

  /** The stored experiment `namespace/name`, or `notFound` (the server answers 404). */
  async experiment(namespace: string, name: string): Promise<ExperimentRecord> {
    const e = await this.store.getExperiment({ namespace, name });
    if (e === undefined) {
      throw new WorkbenchError(ErrorCode.notFound, `no experiment '${name}' in namespace '${namespace}'`);
    }
    return e;
  }

  /**
   * Every trial of the experiment in creation order. With a change feed the list is kept until a change of the
   * experiment appears after the seq it was read at (one query on the feed's key per call); without one (a store an
   * older version wrote, read as it is) it is read every time.
   */
  async trials(key: ExperimentKey): Promise<TrialRecord[]> {
    if (!this.store.hasChangeFeed) return this.store.listTrials(key);
    const id = JSON.stringify([key.namespace, key.name]);
    const cached = this.trialCache.get(id);
    if (cached !== undefined) {
      const head = await this.store.changesSince(key, cached.seq, 1);
      // A seq below the one kept means the store was replaced: read again.
      if (head.changes.length === 0 && head.seq >= cached.seq) return cached.trials;
    }
    // The latest seq is taken before the read, so a write landing in between shows as a change next time. A `since`
    // past every seq returns no change and the store's latest seq.
    const seq = (await this.store.changesSince(key, Number.MAX_SAFE_INTEGER, 1)).seq;
    const trials = await this.store.listTrials(key);
    this.trialCache.set(id, { seq, trials });
    return trials;
  }

  /** The list row of an experiment: status, trial counts and the best trial. */
  async summary(e: ExperimentRecord): Promise<ExperimentSummary> {
    const trials = await this.trials(e);
    const best = bestTrial(e, trials);
    const spec = e.manifest.spec;
    return {
      namespace: e.namespace,
      name: e.name,
      status: e.phase,
      reason: e.reason,
      algorithm: spec.algorithm?.algorithmName,
      objective: { type: spec.objective?.type, metric: spec.objective?.objectiveMetricName },
      counts: countTrials(trials.map((t) => t.state)),
      best: best === undefined ? null : { trial: best.name, objective: best.objective ?? null },
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
    };
  }

  /** `GET /api/experiments`: every stored experiment's summary. */
  async list(): Promise<ExperimentSummary[]> {
    const out: ExperimentSummary[] = [];
    for (const e of await this.store.listExperiments()) out.push(await this.summary(e));
    return out;
  }

  /** `GET /api/experiments/:ns/:name`: the record, its summary, the controller report and the latest events. */
  async detail(namespace: string, name: string): Promise<Record<string, unknown>> {
    const e = await this.experiment(namespace, name);
    const trials = await this.trials(e);
    const spec = e.manifest.spec;
    const params = [...new Set(trials.flatMap((t) => Object.keys(t.params)))];
    const metrics = [...new Set(trials.flatMap((t) => t.metrics.map((m) => m.name)))];
    return {
      ...(await this.summary(e)),
      message: e.message,
      manifest: e.manifest,
      completedAt: e.completedAt ?? null,
      parameters: params,
      metrics,
      // Every objective, primary first: with several, the page adds a column per objective and a Pareto mark.
      objectives: [spec.objective, ...(spec.objective?.additionalObjectives ?? [])].flatMap((o) =>
        o === undefined ? [] : [{ type: o.type, metric: o.objectiveMetricName }],
      ),
      controller: await controllerReport(this.store, e, new Date()),
      events: await this.store.listEvents(e, 50),
    };
  }

  /** `GET /api/experiments/:ns/:name/trials/:trial`: the record, its events, observations and explanation. */
  async trial(namespace: string, name: string, trial: string): Promise<Record<string, unknown>> {
    const e = await this.experiment(namespace, name);
    const t = await this.store.getTrial(e, trial);
    if (t === undefined) {
      throw new WorkbenchError(ErrorCode.notFound, `experiment '${name}' has no trial '${trial}'`);
    }
    const events = (await this.store.listEvents(e)).filter((ev) => ev.trial === trial);
    return {
      ...t,
      namespace: e.namespace,
      algorithm: e.manifest.spec.algorithm?.algorithmName,
      objectiveMetric: e.manifest.spec.objective?.objectiveMetricName,
      explain: t.explain ?? null,
      events,
      observations: await this.store.getObservations(e, trial),
    };
  }

  /** The key of `namespace/name`, as the store spells it. */
  key(namespace: string, name: string): ExperimentKey {
    return experimentKey({ namespace, name });
  }
}
