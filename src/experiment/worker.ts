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
  type LeasedTrialEnd,
  type Store,
  type TransactionOptions,
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
import { DerivedMetrics } from './derivedMetrics.ts';
import { type EarlyStoppingConfig, earlyStopReason } from './earlyStop.ts';
import { type LeaseLook, mayHaveExpired } from './leaseLook.ts';
import type { LiveTrial } from './liveTrial.ts';
import { markSharedRunning, storeSharedVerdict } from './sharedPhase.ts';
import { type ClaimedTrial, claimIn, claimTrials, reclaimExpired } from './sharedTrials.ts';
import { activeCount, ExperimentReason } from './status.ts';
import type { Progress } from './stepReport.ts';
import { sharedBook, type TrialBook } from './trialBook.ts';
import { TrialMirror } from './trialMirror.ts';
import { trialEnd } from './workerEnd.ts';
import { heartbeat } from './workerHeartbeat.ts';

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

/** What a round's look at the store found: the experiment gone or final, a stale claim, or what it claimed. */
type Look =
  | { readonly kind: 'gone' }
  | { readonly kind: 'final'; readonly message: string }
  | { readonly kind: 'stale' }
  | { readonly kind: 'claimed'; readonly claimed: readonly ClaimedTrial[] };

// A turn catches no failed write of its own (see TransactionOptions): the store may skip per-write savepoints.
const allOrNothing: TransactionOptions = { allOrNothing: true };

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
 * round it reclaims expired leases, brings its copy of every trial up to date from the store's change feed (other
 * workers' running trials included, so the algorithm keeps parallel suggestions apart; see TrialMirror), stores the
 * verdict when a completion rule holds, and otherwise claims up to its `parallelTrialCount` free slots of the shared
 * budget ({@link claimIn}), within the experiment's turn (Store.lockTurn) when its algorithm answers quickly. It leaves
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
  /** When the last look was sent, and the earliest lease expiry it found (see leaseLook.ts). */
  private leases: LeaseLook | undefined;
  /** The experiment's trials and objective rows, read from the change feed round by round. */
  private readonly mirror: TrialMirror;
  /** When this worker started, for the progress's elapsed time. */
  private readonly started: number;
  /** The last progress reported (its elapsed time left out), so that an unchanged one is not repeated. */
  private lastProgress = '';
  /** The heartbeat in progress: beats never overlap, and a trial's end is written only after its last flush. */
  private beating: Promise<void> | undefined;
  private exhausted = false;
  /** How long the algorithm's last answer took (ms); unknown before the first, which is asked outside a turn. */
  private askMs = Number.POSITIVE_INFINITY;
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
    this.mirror = new TrialMirror(o.experiment, this.objective.metricName);
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
    const now = this.now();
    const terms = { leaseMs: this.leaseMs, heartbeatMs: this.heartbeatMs };
    // The leases are read for expired ones only when the last look says one may have expired (see leaseLook.ts).
    const expired = mayHaveExpired(this.leases, now.getTime(), terms)
      ? await reclaimExpired(this.o.store, this.o.experiment, now)
      : [];
    for (const r of expired) {
      this.o.onEvent?.(this.trialEvent(r.trial, 'Warning', 'LeaseExpired', `reclaimed from ${r.worker}`));
      await this.recoverOrphan(r.trial);
    }
    const phase = this.record.phase;
    if (phase === 'Created' || phase === 'Restarting')
      await markSharedRunning(this.o.store, this.o.experiment, this.now());
    // With a free slot and a quick algorithm the worker reads, asks and claims within the experiment's turn
    // (Store.lockTurn): workers take turns instead of racing, so no claim is refused as made from an outdated history
    // and asked again. A slow algorithm (or the first ask, which may load code) is asked outside any transaction,
    // since the store's other calls from this process (the heartbeat renewing the leases) wait for an open one; its
    // claim is then compared and set (claimTrials) and retried when stale.
    const claiming = this.held.size < this.config.budget.parallelTrialCount;
    const look =
      claiming && this.askMs < this.heartbeatMs / 4
        ? await this.o.store.transaction(async (tx) => {
            await tx.lockTurn(this.o.experiment);
            return this.look(tx, claiming, true);
          }, allOrNothing)
        : await this.look(this.o.store, claiming, false);
    // What waits for trials or starts them runs after the turn committed (a trial starts only once claimed).
    if (look.kind === 'gone') return false;
    if (look.kind === 'final') {
      await this.stopAll({ kind: 'Killed', reason: 'ExperimentCompleted', message: look.message });
      return false;
    }
    if (look.kind === 'stale') return this.round();
    // After the commit: a heartbeat begun before it may not know these leases (see Held.since).
    this.start(look.claimed, this.beats);
    return true;
  }

  /**
   * Reads the experiment through `store` (the turn's transaction, or the store itself), stores the verdict when a
   * completion rule holds, and claims the free slots when `claiming` (in the turn `store` holds when `inTurn`).
   */
  private async look(store: Store, claiming: boolean, inTurn: boolean): Promise<Look> {
    // The experiment, what changed in it and its algorithm state, in one read (one round trip on PostgreSQL).
    const polledAt = this.now().getTime();
    const { record: rec, trials, rows, state, leasesExpireAt } = await this.mirror.refresh(store);
    this.leases = { polledAt, expireAt: leasesExpireAt === undefined ? undefined : Date.parse(leasesExpireAt) };
    if (rec === undefined) return { kind: 'gone' };
    this.record = rec;
    if (rec.phase === 'Succeeded' || rec.phase === 'Failed') return { kind: 'final', message: rec.message };
    const live = [...this.held].map(([name, h]) => [name, h.live.metrics.intermediate] as const);
    const book = sharedBook(this.config, trials, rows, live);
    this.book = book;
    this.progress(book);
    const verdict = book.verdict(this.config.budget, this.exhausted);
    if (verdict) {
      await this.storeVerdict(verdict.phase, verdict.reason, verdict.message);
      return { kind: 'claimed', claimed: [] };
    }
    return claiming ? this.claim(store, book, state, inTurn) : { kind: 'claimed', claimed: [] };
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

  /**
   * Asks the algorithm for this worker's free slots and claims what the shared budget still allows: in `store`'s
   * transaction when it holds the turn (`inTurn`; a store's transaction calls it with the store itself, so only the
   * caller can tell), else in a turn of its own. The trials are stored Running: they start as soon as
   * the claim commits.
   */
  private async claim(store: Store, book: TrialBook, stateBefore: unknown, inTurn: boolean): Promise<Look> {
    const none: Look = { kind: 'claimed', claimed: [] };
    const { parallelTrialCount: parallel, maxTrialCount } = this.config.budget;
    const used = book.records.size - book.counts.killed;
    const left = maxTrialCount === undefined ? parallel : maxTrialCount - used;
    const want = Math.min(parallel - this.held.size, left);
    const endedCount = used - activeCount(book.counts);
    if (want <= 0 || this.shortAt === endedCount) return none;
    let result: SuggestResult;
    const asked = performance.now();
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
      return none;
    }
    this.askMs = performance.now() - asked;
    const suggestions = result.suggestions.slice(0, want);
    const startedAt = this.now().toISOString();
    const claimed = await (inTurn ? claimIn : claimTrials)(store, {
      experiment: this.o.experiment,
      worker: this.id,
      leaseMs: this.leaseMs,
      now: this.now(),
      maxTrialCount,
      parallel,
      stateBefore,
      stateAfter: result.state,
      nextSeqSeen: book.nextSeq(),
      known: book.records,
      trials: suggestions.map((s) => (seq, taken) => this.newTrial(s, seq, taken, startedAt)),
      token: () => randomUUID(),
    });
    // Another claim since this worker read the trials (one made outside the turns): ask again from what is stored.
    if (claimed.kind === 'stale') return claimed;
    if (result.exhausted === true) this.exhausted = true;
    if (suggestions.length < want) {
      this.shortAt = endedCount;
      if (suggestions.length === 0 && activeCount(book.counts) === 0) this.exhausted = true;
    }
    return { kind: 'claimed', claimed: claimed.trials };
  }

  /** The trial of suggestion `s`, stored Running: it starts as soon as its claim commits. */
  private newTrial(s: Suggestion, seq: number, taken: { has(name: string): boolean }, startedAt: string): TrialRecord {
    const record = trialFromSuggestion(s, seq, (name) => taken.has(name), {
      experiment: this.record,
      owner: this.owner(),
      executor: this.o.executor,
      workspace: this.workspace,
      message: `Trial is created by worker ${this.id}`,
      createdAt: this.now().toISOString(),
    });
    return { ...record, state: 'Running', reason: 'TrialRunning', message: 'Trial is running', startedAt };
  }

  /** Starts the trials this worker claimed (stored Running with their leases). */
  private start(claimed: readonly ClaimedTrial[], since: number): void {
    for (const { record: t, token } of claimed) {
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

  /** Stores the ends of this worker's trials whose executors returned, each under its lease, in one store call. */
  private async reap(): Promise<void> {
    const ends: LeasedTrialEnd[] = [];
    for (const name of this.ended.splice(0)) {
      const h = this.held.get(name);
      if (h?.live.result === undefined) continue;
      this.held.delete(name);
      // A heartbeat may be writing rows it took from this trial: they go first, under the lease the end deletes.
      await this.beating;
      this.derived ??= DerivedMetrics.of(this.config);
      const end = await trialEnd({
        experiment: this.o.experiment,
        config: this.config,
        strategy: this.strategy,
        host: this.o.host,
        derived: await this.derived,
        name,
        live: h.live,
        completedAt: this.now().toISOString(),
      });
      ends.push({ trial: name, token: h.token, patch: end.patch, rows: end.rows });
    }
    // One call for the round's ends, each fenced by its lease (one statement on PostgreSQL).
    const ok = new Set(await this.o.store.endLeasedTrials(this.o.experiment, ends));
    for (const e of ends) (ok.has(e.trial) ? this.stored : this.fenced).push(e.trial);
  }

  /** Stops this worker's trials and stores their ends (a Killed trial gives its slot back). */
  private async stopAll(why: StopReason): Promise<void> {
    const running = [...this.held.values()];
    for (const h of running) h.live.stop(why);
    await Promise.all(running.map((h) => h.live.ended));
    await this.reap();
  }

  /** Renews this worker's leases and flushes its trials' observations (see workerHeartbeat.ts). */
  private heartbeat(): Promise<void> {
    const o = this.o;
    const beat = { store: o.store, experiment: o.experiment, worker: this.id, leaseMs: this.leaseMs };
    return heartbeat({ ...beat, round: ++this.beats, now: this.now(), held: this.held });
  }
}
