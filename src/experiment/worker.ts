import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import type { StrategyName } from '../metrics/types.ts';
import type { ObjectiveSpec, Settings, SuggestResult } from '../search/types.ts';
import { configOf, type ExperimentConfig, suggestRequest } from '../spec/config.ts';
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
import { trialName } from '../trial/naming.ts';
import { ExperimentWorkspace } from '../trial/workspace.ts';
import { constrainedSuggest } from './constrainedSuggest.ts';
import { acceptsTextObjective, type SuggestionSource } from './controller.ts';
import { DerivedMetrics } from './derivedMetrics.ts';
import { LiveTrial, liveTrialConfig } from './liveTrial.ts';
import { furtherObjectives, judgeTrial } from './outcome.ts';
import { type ClaimedTrial, claimTrials, reclaimExpired, writeUnderLeases } from './sharedTrials.ts';
import { activeCount, ExperimentReason } from './status.ts';
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
  readonly onEvent?: (ev: EventRow) => void;
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
  private beats = 0;
  private exhausted = false;
  /** Ended trials in the store when the algorithm last answered short: it is asked again once that changes. */
  private shortAt = -1;

  private constructor(o: WorkerOptions, record: ExperimentRecord) {
    this.o = o;
    this.id = o.worker ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.now = o.now ?? (() => new Date());
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

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Works the experiment until its stored phase is final (or `signal` aborts); returns what this worker did. */
  async run(): Promise<WorkerSummary> {
    const beat = setInterval(() => void this.heartbeat(), this.heartbeatMs);
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
      this.o.onEvent?.({
        ...this.owner(),
        trial: r.trial,
        type: 'Warning',
        reason: 'LeaseExpired',
        message: `reclaimed from ${r.worker}`,
        time: this.now().toISOString(),
      });
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
      const ev: EventRow = {
        ...this.owner(),
        trial,
        type: n.type,
        reason: n.reason,
        message: n.message,
        time: this.now().toISOString(),
      };
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

  /** Stores the verdict unless another worker stored one first; the next round sees the final phase and leaves. */
  private async storeVerdict(phase: 'Succeeded' | 'Failed', reason: string, message: string): Promise<void> {
    const iso = this.now().toISOString();
    await this.o.store.transaction(async (tx) => {
      await tx.lockForWrite();
      const now = await tx.getExperiment(this.o.experiment);
      if (now === undefined || now.phase === 'Succeeded' || now.phase === 'Failed') return;
      await tx.updateExperiment(this.o.experiment, { phase, reason, message, updatedAt: iso, completedAt: iso });
      const ev: EventRow = {
        ...this.owner(),
        type: phase === 'Failed' ? 'Warning' : 'Normal',
        reason,
        message,
        time: iso,
      };
      await tx.addEvent(ev);
      this.o.onEvent?.(ev);
    });
  }

  /** Asks the algorithm for this worker's free slots and claims what the shared budget still allows. */
  private async claim(book: TrialBook, stateBefore: unknown): Promise<'stale' | undefined> {
    const { parallelTrialCount: parallel, maxTrialCount } = this.config.budget;
    const used = book.records.size - book.counts.killed;
    const left = maxTrialCount === undefined ? parallel : maxTrialCount - used;
    const want = Math.min(parallel - this.held.size, left);
    const endedCount = used - activeCount(book.counts);
    if (want <= 0 || this.shortAt === endedCount) return undefined;
    if (this.record.phase !== 'Running') await this.markRunning();
    let result: SuggestResult;
    try {
      const req = suggestRequest(this.config, {
        trials: book.views,
        count: want,
        seed: this.record.seed,
        settings: this.o.settings,
        ...(stateBefore === undefined ? {} : { state: stateBefore }),
      });
      // Parameter constraints as the single controller applies them: held to them, or filtered and asked again.
      const supports = (await this.o.host.capabilities?.())?.constraints === true;
      result =
        req.constraints === undefined
          ? await this.o.host.suggest(req)
          : await constrainedSuggest(this.o.host, req, { supports, algorithm: this.config.algorithm.name });
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

  private newTrial(
    s: {
      params: TrialRecord['params'];
      name?: string;
      budget?: number;
      parent?: string;
      labels?: Record<string, string>;
      explain?: Record<string, unknown>;
    },
    seq: number,
    taken: ReadonlySet<string>,
  ): TrialRecord {
    let name = s.name ?? trialName(this.record.name, this.record.seed, seq);
    for (let attempt = 1; taken.has(name); attempt++)
      name = trialName(this.record.name, this.record.seed, seq, attempt);
    return {
      ...this.owner(),
      name,
      seq,
      params: s.params,
      state: 'Pending',
      reason: 'TrialCreated',
      message: `Trial is created by worker ${this.id}`,
      metrics: [],
      labels: { 'katib.kubeflow.org/experiment': this.record.name, ...(s.labels ?? {}) },
      createdAt: this.now().toISOString(),
      ...(s.budget === undefined ? {} : { budget: s.budget }),
      ...(s.parent === undefined ? {} : { parent: s.parent }),
      ...(s.explain === undefined ? {} : { explain: s.explain }),
      ...(this.o.executor.needsWorkDir ? { workDir: this.workspace.trialDir(name) } : {}),
    };
  }

  private async markRunning(): Promise<void> {
    await this.o.store.transaction(async (tx) => {
      await tx.lockForWrite();
      const now = await tx.getExperiment(this.o.experiment);
      if (now?.phase !== 'Created' && now?.phase !== 'Restarting') return;
      const iso = this.now().toISOString();
      const message = 'Experiment is running';
      await tx.updateExperiment(this.o.experiment, {
        phase: 'Running',
        reason: ExperimentReason.running,
        message,
        updatedAt: iso,
      });
      await tx.addEvent({ ...this.owner(), type: 'Normal', reason: ExperimentReason.running, message, time: iso });
    });
  }

  /**
   * Stores the claimed trials Running under their leases (one transaction for all), then starts them; a trial whose
   * lease is gone is not started.
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
      const live = new LiveTrial(t, {
        experiment: this.record,
        executor: this.o.executor,
        workspace: this.workspace,
        settings: this.o.settings,
        ...liveTrialConfig(this.config),
        onObjective: () => undefined,
        warn: () => undefined,
        onEnded: () => {
          this.ended.push(t.name);
          this.notify();
        },
        ready: Promise.resolve(),
      });
      this.held.set(t.name, { live, token, since });
    }
  }

  /** Stores the ends of this worker's trials whose executors returned, each under its lease, in one transaction. */
  private async reap(): Promise<void> {
    const ends: { trial: string; token: string; write: (tx: Store) => Promise<void> }[] = [];
    for (const name of this.ended.splice(0)) {
      const h = this.held.get(name);
      if (h?.live.result === undefined) continue;
      this.held.delete(name);
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
      h.live.stop({ kind: 'Killed', reason: 'LeaseLost', message: `worker ${this.id} lost the lease of the trial` });
    }
  }
}
