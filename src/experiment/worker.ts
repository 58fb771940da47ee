import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import type { StrategyName } from '../metrics/types.ts';
import type { ObjectiveSpec, Settings, Suggestion, SuggestResult, TrialView } from '../search/types.ts';
import { configOf, type ExperimentConfig } from '../spec/config.ts';
import {
  defaultNamespace,
  describeExperimentKey,
  type EventRow,
  type ExperimentKey,
  type ExperimentRecord,
  type ObservationRow,
  type Store,
  type TrialRecord,
} from '../store/types.ts';
import type { StopReason, TrialExecutor } from '../trial/executor.ts';
import { ExperimentWorkspace } from '../trial/workspace.ts';
import {
  askAlgorithm,
  checkSuggestionNames,
  type SuggestionSource,
  startLiveTrial,
  trialFromSuggestion,
} from './claimAndLaunch.ts';
import { acceptsTextObjective } from './controller.ts';
import { DerivedMetrics } from './derivedMetrics.ts';
import { type EarlyStoppingConfig, earlyStopReason } from './earlyStop.ts';
import type { LiveTrial } from './liveTrial.ts';
import { furtherObjectives, judgeTrial } from './outcome.ts';
import { markSharedRunning, storeSharedVerdict } from './sharedPhase.ts';
import { appendUnderLeases, type ClaimedTrial, claimTrials, reclaimExpired, writeUnderLeases } from './sharedTrials.ts';
import { activeCount, ExperimentReason } from './status.ts';
import type { Progress } from './stepReport.ts';
import { storedCurve, TrialBook } from './trialBook.ts';

/** Default time between a worker's heartbeats (lease renewals and observation flushes). */
export const workerHeartbeatMs = 2_000;

/** What an {@link ExperimentWorker} needs; the experiment must already be in the store. */
export interface WorkerOptions {
  readonly store: Store;
  readonly experiment: ExperimentKey;
  readonly executor: TrialExecutor;
  readonly host: SuggestionSource;
  /** Algorithm settings as the algorithm sees them. */
  readonly settings: Settings;
  /** Aborting stops this worker's trials (Killed, `Interrupted`: their slots go back) and leaves the others running. */
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
  /** This worker's id in leases and events; default `host:pid:random`. */
  readonly worker?: string;
  /** Time between heartbeats; default {@link workerHeartbeatMs}. */
  readonly heartbeatMs?: number;
  /**
   * How long a lease outlives its last heartbeat; default 1.5 heartbeats. Workers look for expired leases every half
   * heartbeat, so a killed worker's trials are reclaimed within two heartbeats of its last one.
   */
  readonly leaseMs?: number;
  /**
   * Early-stopping rules (`spec.earlyStopping`, and the one the algorithm pairs itself with), evaluated after every
   * new objective value of this worker's trials against every stored trial of the experiment, whichever worker ran it.
   */
  readonly earlyStopping?: readonly EarlyStoppingConfig[];
  readonly onEvent?: (ev: EventRow) => void;
  /** Hears of the whole experiment's progress (every worker's trials) whenever a round finds it changed. */
  readonly onProgress?: (p: Progress) => void;
}

/** What {@link ExperimentWorker.run} returns. */
export interface WorkerSummary {
  /** The experiment as stored when the worker left. */
  readonly record: ExperimentRecord;
  /** Trials this worker ran and whose end it stored. */
  readonly stored: readonly string[];
  /** Trials whose end this worker was refused (their lease had been reclaimed): nothing of them was stored. */
  readonly fenced: readonly string[];
}

/** One trial this worker runs, with the token its writes show. */
interface Held {
  readonly record: TrialRecord;
  readonly live: LiveTrial;
  readonly token: string;
  /** The heartbeat round in which it was claimed: a renewal started before then does not know it yet. */
  readonly since: number;
}

/**
 * One of several workers driving a shared experiment (`hpo worker`): no experiment lock, but trial leases. Each
 * round it reclaims expired leases, re-reads every trial from the store (other workers' running trials included,
 * so the algorithm keeps parallel suggestions apart), stores the verdict when a completion rule holds, and
 * otherwise claims up to its `parallelTrialCount` free slots of the shared budget ({@link claimTrials}). It leaves
 * once the experiment's stored phase is final, whoever stored it. Its trials' writes are fenced by their leases.
 */
export class ExperimentWorker {
  readonly id: string;
  private readonly o: WorkerOptions;
  private readonly now: () => Date;
  private readonly config: ExperimentConfig;
  /** The compiled derived metrics, compiled on the first trial end (mathjs loads only for experiments with some). */
  private derived: Promise<DerivedMetrics | undefined> | undefined;
  private readonly objective: ObjectiveSpec;
  private readonly strategy: StrategyName;
  private readonly workspace: ExperimentWorkspace;
  private readonly heartbeatMs: number;
  private readonly leaseMs: number;
  private record: ExperimentRecord;
  private readonly held = new Map<string, Held>();
  private readonly ended: string[] = [];
  private readonly stored: string[] = [];
  private readonly fenced: string[] = [];
  private wake: (() => void) | undefined;
  /** The trials as stored at the last round (other workers' curves as they last flushed them): early stopping reads it. */
  private book: TrialBook | undefined;
  private beats = 0;
  /** When this worker started, for the progress's elapsed time. */
  private readonly started: number;
  /** The last progress reported (its elapsed time left out), so that an unchanged one is not repeated. */
  private lastProgress = '';
  /** The heartbeat in progress: beats never overlap, and a trial's end is written only after its last flush. */
  private beating: Promise<void> | undefined;
  private exhausted = false;
  /** Ended trials in the store when the algorithm last answered short: it is asked again once that changes. */
  private shortAt = -1;

  private constructor(o: WorkerOptions, record: ExperimentRecord) {
    this.o = o;
    this.id = o.worker ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.now = o.now ?? (() => new Date());
    this.started = this.now().getTime();
    this.record = record;
    this.config = configOf(record.manifest);
    this.objective = this.config.objectives[0]!;
    this.strategy = this.config.metricStrategies[this.objective.metricName]!;
    this.workspace = new ExperimentWorkspace(o.store.root, o.experiment);
    this.heartbeatMs = o.heartbeatMs ?? workerHeartbeatMs;
    this.leaseMs = o.leaseMs ?? Math.round(this.heartbeatMs * 1.5);
  }

  /** A worker for the stored experiment `o.experiment`; throws `notFound` when it is not there. */
  static async open(o: WorkerOptions): Promise<ExperimentWorker> {
    const record = await o.store.getExperiment(o.experiment);
    if (record === undefined) {
      throw new WorkbenchError(
        ErrorCode.notFound,
        `experiment '${describeExperimentKey(o.experiment)}' is not in the store ${o.store.location}; create it first (hpo run FILE, or hpo worker --file FILE)`,
      );
    }
    return new ExperimentWorker(o, record);
  }

  private owner(): { experiment: string; namespace?: string } {
    const k = this.o.experiment;
    return k.namespace === defaultNamespace ? { experiment: k.name } : { experiment: k.name, namespace: k.namespace };
  }

  /** An event about one of the experiment's trials, stamped now. */
  private trialEvent(trial: string, type: EventRow['type'], reason: string, message: string): EventRow {
    return { ...this.owner(), trial, type, reason, message, time: this.now().toISOString() };
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Works the experiment until its stored phase is final (or `signal` aborts); returns what this worker did. */
  async run(): Promise<WorkerSummary> {
    const beat = setInterval(() => {
      this.beating ??= this.heartbeat().finally(() => {
        this.beating = undefined;
      });
    }, this.heartbeatMs);
    beat.unref();
    const abort = () => this.notify();
    this.o.signal?.addEventListener('abort', abort, { once: true });
    try {
      while (await this.round()) {
        if (this.ended.length > 0 || this.o.signal?.aborted) continue;
        // Half a heartbeat: other workers' ends and expired leases are noticed that often.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.heartbeatMs / 2);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    } finally {
      clearInterval(beat);
      this.o.signal?.removeEventListener('abort', abort);
      await this.o.executor.close?.();
    }
    const record = (await this.o.store.getExperiment(this.o.experiment)) ?? this.record;
    return { record, stored: this.stored, fenced: this.fenced };
  }

  /** One round; false once the worker should leave. */
  private async round(): Promise<boolean> {
    await this.reap();
    if (this.o.signal?.aborted) {
      await this.stopAll({ kind: 'Killed', reason: 'Interrupted', message: 'the worker was interrupted' });
      return false;
    }
    for (const r of await reclaimExpired(this.o.store, this.o.experiment, this.now())) {
      this.o.onEvent?.(this.trialEvent(r.trial, 'Warning', 'LeaseExpired', `reclaimed from ${r.worker}`));
      await this.recoverOrphan(r.trial);
    }
    // The round's reads at once (each on its own pooled connection with PostgreSQL): a round's latency is what a
    // worker adds between one trial's end and the next one's start. The claim checks that nothing moved since.
    const [rec, trials, rows, state] = await Promise.all([
      this.o.store.getExperiment(this.o.experiment),
      this.o.store.listTrials(this.o.experiment),
      this.o.store.getObservationsOf(this.o.experiment, { metric: this.objective.metricName }),
      this.o.store.loadAlgorithmState(this.o.experiment),
    ]);
    if (rec === undefined) return false;
    this.record = rec;
    if (rec.phase === 'Succeeded' || rec.phase === 'Failed') {
      await this.stopAll({ kind: 'Killed', reason: 'ExperimentCompleted', message: rec.message });
      return false;
    }
    const book = this.readBook(trials, rows);
    this.book = book;
    this.progress(book);
    const verdict = book.verdict(this.config.budget, this.exhausted);
    if (verdict) {
      await this.storeVerdict(verdict.phase, verdict.reason, verdict.message);
      return true;
    }
    // A stale claim (another worker claimed first) is retried at once from the store as it is now.
    if ((await this.claim(book, state)) === 'stale') return this.round();
    return true;
  }

  /**
   * Stops what a reclaimed trial left running on this machine (a worker killed with -9 leaves its trial processes
   * behind): the executor signals only processes it verifies as that trial's (see trial/orphans.ts), so a trial of
   * another machine is left alone. Its notes become the trial's events.
   */
  private async recoverOrphan(trial: string): Promise<void> {
    if (this.o.executor.recover === undefined) return;
    const t = await this.o.store.getTrial(this.o.experiment, trial);
    const notes = this.o.executor.recover({ name: trial, ...(t?.workDir === undefined ? {} : { workDir: t.workDir }) });
    for (const n of notes ?? []) {
      const ev = this.trialEvent(trial, n.type, n.reason, n.message);
      await this.o.store.addEvent(ev);
      this.o.onEvent?.(ev);
    }
  }

  /** Every stored trial (with the objective's stored rows), this worker's running ones carrying their live curves. */
  private readBook(trials: readonly TrialRecord[], objectiveRows: readonly ObservationRow[]): TrialBook {
    const rows = new Map<string, ObservationRow[]>();
    for (const r of objectiveRows) {
      const list = rows.get(r.trial);
      if (list === undefined) rows.set(r.trial, [r]);
      else list.push(r);
    }
    const book = new TrialBook(this.config, [...trials], (t) => storedCurve(rows.get(t) ?? []));
    for (const [name, h] of this.held) {
      const t = book.records.get(name);
      if (t === undefined) continue;
      book.startCurve(name, h.live.metrics.intermediate);
      book.remember(t);
    }
    return book;
  }

  /** Reports the experiment's progress when it differs from the last report. */
  private progress(book: TrialBook): void {
    if (this.o.onProgress === undefined) return;
    const p = book.progress(this.config.budget.maxTrialCount, this.now().getTime() - this.started);
    const seen = JSON.stringify({ ...p, elapsedMs: 0 });
    if (seen === this.lastProgress) return;
    this.lastProgress = seen;
    this.o.onProgress(p);
  }

  /** Stores the verdict unless another worker stored one first; the next round sees the final phase and leaves. */
  private async storeVerdict(phase: 'Succeeded' | 'Failed', reason: string, message: string): Promise<void> {
    const ev = await storeSharedVerdict(this.o.store, this.o.experiment, { phase, reason, message }, this.now());
    if (ev !== undefined) this.o.onEvent?.(ev);
  }

  /** Asks the algorithm for this worker's free slots and claims what the shared budget still allows. */
  private async claim(book: TrialBook, stateBefore: unknown): Promise<'stale' | undefined> {
    const { parallelTrialCount: parallel, maxTrialCount } = this.config.budget;
    const used = book.records.size - book.counts.killed;
    const left = maxTrialCount === undefined ? parallel : maxTrialCount - used;
    const want = Math.min(parallel - this.held.size, left);
    const endedCount = used - activeCount(book.counts);
    if (want <= 0 || this.shortAt === endedCount) return undefined;
    if (this.record.phase !== 'Running') await markSharedRunning(this.o.store, this.o.experiment, this.now());
    let result: SuggestResult;
    try {
      result = await askAlgorithm(this.o.host, this.config, {
        trials: book.views,
        count: want,
        seed: this.record.seed,
        settings: this.o.settings,
        state: stateBefore,
      });
      checkSuggestionNames(result.suggestions.slice(0, want), this.config.algorithm.name);
    } catch (err) {
      // As with one controller, a failed algorithm fails the experiment: for every worker, who all see the verdict.
      const why = err instanceof WorkbenchError ? err.describe() : String((err as Error)?.message ?? err);
      await this.storeVerdict('Failed', ExperimentReason.failed, `Suggestion has failed: ${why}`);
      return undefined;
    }
    const suggestions = result.suggestions.slice(0, want);
    const claimed = await claimTrials(this.o.store, {
      experiment: this.o.experiment,
      worker: this.id,
      leaseMs: this.leaseMs,
      now: this.now(),
      maxTrialCount,
      parallel,
      stateBefore,
      stateAfter: result.state,
      nextSeqSeen: book.records.size === 0 ? 0 : Math.max(...[...book.records.values()].map((t) => t.seq)) + 1,
      trials: suggestions.map((s) => (seq, taken) => this.newTrial(s, seq, taken)),
      token: () => randomUUID(),
    });
    // Another worker claimed since this one read the trials: ask again from what is stored now.
    if (claimed.kind === 'stale') return 'stale';
    if (result.exhausted === true) this.exhausted = true;
    if (suggestions.length < want) {
      this.shortAt = endedCount;
      if (suggestions.length === 0 && activeCount(book.counts) === 0) this.exhausted = true;
    }
    await this.launch(claimed.trials, this.beats);
    return undefined;
  }

  private newTrial(s: Suggestion, seq: number, taken: ReadonlySet<string>): TrialRecord {
    return trialFromSuggestion(s, seq, (name) => taken.has(name), {
      experiment: this.record,
      owner: this.owner(),
      executor: this.o.executor,
      workspace: this.workspace,
      message: `Trial is created by worker ${this.id}`,
      createdAt: this.now().toISOString(),
    });
  }

  /**
   * Stores the claimed trials Running under their leases (one transaction for all: every transaction waits for the
   * store's write lock, which all workers share), then starts them; a trial whose lease is gone is not started.
   */
  private async launch(claimed: readonly ClaimedTrial[], since: number): Promise<void> {
    const leases = claimed.map((c) => ({ trial: c.record.name, token: c.token, record: c.record }));
    const startedAt = this.now().toISOString();
    const running = await writeUnderLeases(this.o.store, this.o.experiment, leases, async (tx, held) => {
      for (const l of held)
        await tx.updateTrial(this.o.experiment, l.trial, {
          state: 'Running',
          reason: 'TrialRunning',
          message: 'Trial is running',
          startedAt,
        });
    });
    for (const { record: t, token } of leases) {
      if (!running.has(t.name)) continue;
      const live = startLiveTrial(t, {
        experiment: this.record,
        executor: this.o.executor,
        workspace: this.workspace,
        settings: this.o.settings,
        config: this.config,
        onObjective: () => this.checkEarlyStop(t.name),
        warn: (message) => this.warn(t.name, message),
        onEnded: () => {
          this.ended.push(t.name);
          this.notify();
        },
        ready: Promise.resolve(),
      });
      this.held.set(t.name, { record: t, live, token, since });
    }
  }

  /** A trial's warning, stored as its event; a store that refuses it must not fail the trial. */
  private warn(trial: string, message: string): void {
    const ev = this.trialEvent(trial, 'Warning', 'TrialWarning', message);
    this.o.onEvent?.(ev);
    this.o.store.addEvent(ev).catch(() => undefined);
  }

  /**
   * Evaluates the early-stopping rules on one of this worker's trials that just reported a new objective value,
   * against the experiment's trials as stored at the last round: the other workers' ended trials and their running
   * ones' curves as last flushed, so the rules (medianstop's median) see the whole experiment, not this worker's share.
   */
  private checkEarlyStop(name: string): void {
    const rules = this.o.earlyStopping;
    const h = this.held.get(name);
    if (rules === undefined || rules.length === 0 || h === undefined || h.live.signal.aborted) return;
    const trials = this.book?.views ?? [];
    const stored = this.book?.view(name);
    // Claimed after the last round read the store: its view is made here, around its live curve.
    const view: TrialView = {
      ...(stored ?? { name, params: h.record.params, state: 'Running' }),
      intermediate: h.live.metrics.intermediate,
    };
    const why = earlyStopReason(rules, this.objective, trials, view);
    if (why) h.live.stop(why);
  }

  /** Stores the ends of this worker's trials whose executors returned, each under its lease, in one transaction. */
  private async reap(): Promise<void> {
    const ends: { trial: string; token: string; write: (tx: Store) => Promise<void> }[] = [];
    for (const name of this.ended.splice(0)) {
      const h = this.held.get(name);
      if (h?.live.result === undefined) continue;
      this.held.delete(name);
      // A heartbeat may be writing rows it took from this trial: they go first, under the lease the end deletes.
      await this.beating;
      // As the single controller judges: derived metrics first, then every objective.
      this.derived ??= DerivedMetrics.of(this.config);
      (await this.derived)?.apply(h.live.metrics);
      const outcome = judgeTrial(
        h.live.result,
        h.live.signal,
        h.live.metrics,
        this.strategy,
        furtherObjectives(this.config),
        await acceptsTextObjective(h.live.metrics, this.o.host),
      );
      const exitCode = h.live.result.exitCode;
      const rows = h.live.metrics.drain();
      const metrics = h.live.metrics.summary();
      const completedAt = this.now().toISOString();
      ends.push({
        trial: name,
        token: h.token,
        write: async (tx) => {
          if (rows.length > 0) await tx.appendObservations(this.o.experiment, rows);
          await tx.updateTrial(this.o.experiment, name, {
            ...outcome,
            metrics,
            completedAt,
            ...(exitCode === undefined ? {} : { exitCode }),
          });
          await tx.deleteTrialLease(this.o.experiment, name);
        },
      });
    }
    const ok = await writeUnderLeases(this.o.store, this.o.experiment, ends, async (tx, held) => {
      for (const e of held) await e.write(tx);
    });
    for (const e of ends) (ok.has(e.trial) ? this.stored : this.fenced).push(e.trial);
  }

  /** Stops this worker's trials and stores their ends (a Killed trial gives its slot back). */
  private async stopAll(why: StopReason): Promise<void> {
    const running = [...this.held.values()];
    for (const h of running) h.live.stop(why);
    await Promise.all(running.map((h) => h.live.ended));
    await this.reap();
  }

  /**
   * Renews this worker's leases and writes its trials' buffered observations under them. A trial missing from the
   * renewal was reclaimed: it is stopped, and its end will be refused.
   */
  private async heartbeat(): Promise<void> {
    const round = ++this.beats;
    const now = this.now();
    let held: Set<string>;
    try {
      held = new Set(
        await this.o.store.renewTrialLeases(
          this.o.experiment,
          this.id,
          now.toISOString(),
          new Date(now.getTime() + this.leaseMs).toISOString(),
        ),
      );
    } catch {
      // A store briefly out of reach: the next beat tries again, well before the lease runs out.
      return;
    }
    for (const [name, h] of this.held) {
      if (h.since >= round || held.has(name)) continue;
      h.live.stop(this.leaseLost());
    }
    await this.flush();
  }

  private leaseLost(): StopReason {
    return { kind: 'Killed', reason: 'LeaseLost', message: `worker ${this.id} lost the lease of the trial` };
  }

  /**
   * Writes the observations this worker's running trials reported since the last flush, under their leases, so that
   * other workers' early-stopping rules, the dashboard and `hpo plot` see them while the trials run. Rows of a
   * trial whose lease is gone are dropped (its end will be refused too); rows a failed write took go back.
   */
  private async flush(): Promise<void> {
    const batches = [...this.held]
      .map(([trial, h]) => ({ trial, token: h.token, rows: h.live.metrics.drain(), metrics: h.live.metrics }))
      .filter((b) => b.rows.length > 0);
    if (batches.length === 0) return;
    try {
      const refused = await appendUnderLeases(this.o.store, this.o.experiment, batches);
      for (const trial of refused) this.held.get(trial)?.live.stop(this.leaseLost());
    } catch {
      // A store briefly out of reach: the rows are written at the next beat, or with the trial's end.
      for (const b of batches) b.metrics.putBack(b.rows);
    }
  }
}
