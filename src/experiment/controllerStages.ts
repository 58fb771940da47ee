import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import type { StrategyName } from '../metrics/types.ts';
import type { ObjectiveSpec, Settings, Suggestion, SuggestResult } from '../search/types.ts';
import type { ExperimentConfig } from '../spec/config.ts';
import {
  defaultNamespace,
  type EventRow,
  type ExperimentKey,
  type ExperimentRecord,
  type ExperimentRef,
  type Store,
  type TrialPatch,
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
import type { Loaded } from './controllerLoad.ts';
import { DerivedMetrics } from './derivedMetrics.ts';
import { type EarlyStoppingConfig, earlyStopReason } from './earlyStop.ts';
import type { LiveTrial } from './liveTrial.ts';
import { acceptsTextObjective, furtherObjectives, judgeTrial } from './outcome.ts';
import { recoverOrphans } from './recovery.ts';
import { ExperimentReason, slotsToFill, type Verdict } from './status.ts';
import type { Progress, StepReport, StepState } from './stepReport.ts';
import { SuggestionRequest } from './suggestionRequest.ts';
import { TrialBook } from './trialBook.ts';

/** Everything a controller needs; the experiment record must already be in the store. */
export interface ControllerOptions {
  readonly store: Store;
  /** The stored experiment: its (namespace, name), or its name in namespace `default`. */
  readonly experiment: ExperimentRef;
  readonly executor: TrialExecutor;
  readonly host: SuggestionSource;
  /** Algorithm settings as the algorithm sees them (the `module` setting removed). */
  readonly settings: Settings;
  /** Aborting stops running trials (Killed, reason `Interrupted`) and leaves the experiment resumable. */
  readonly signal?: AbortSignal;
  /** The clock of every timestamp and elapsed time the controller writes (tests pass a fake one). */
  readonly now?: () => Date;
  readonly onProgress?: (p: Progress) => void;
  readonly onEvent?: (ev: EventRow) => void;
  /** How often buffered observations are written while trials run. */
  readonly flushIntervalMs?: number;
  /** Early-stopping rules evaluated after every new objective value of a running trial. */
  readonly earlyStopping?: readonly EarlyStoppingConfig[];
}

/**
 * The controller's state and stages (begin, reap, launch, store an answer, complete, fail, interrupt) and its writes to
 * the store, shared by its two drivers in {@link ExperimentController}: the step loop and the ask/tell rounds.
 */
export abstract class ControllerStages {
  protected readonly o: ControllerOptions;
  private readonly workspace: ExperimentWorkspace;
  private readonly now: () => Date;
  protected record: ExperimentRecord;
  /** The experiment's store key. */
  private readonly key: ExperimentKey;
  /** How trial and event rows name their experiment: its name, and its namespace unless `default`. */
  private readonly owner: { readonly experiment: string; readonly namespace?: string };
  /** The stored experiment, resolved once (objectives, space, budget, metric strategies). */
  protected readonly config: ExperimentConfig;
  private readonly objective: ObjectiveSpec;
  private readonly strategy: StrategyName;
  protected readonly book: TrialBook;
  protected exhausted = false;
  private algorithmState: unknown;
  protected readonly live: Map<string, LiveTrial> = new Map();
  /** Trials whose executor returned, oldest first, waiting for the reap stage. */
  protected readonly endedQueue: string[] = [];
  protected readonly request: SuggestionRequest = new SuggestionRequest();
  private readonly waiters: (() => void)[] = [];
  private readonly started: number;
  private nextSeq: number;
  /** Bumped whenever a trial ends: an algorithm that answered short is asked again only after a change. */
  protected changes = 0;
  private shortAnswerAt = -1;
  protected begun = false;
  /** Writes started in the background (see {@link ControllerStages.background}). */
  private readonly writes: Set<Promise<void>> = new Set();
  private writeFailure: unknown;
  /** Set while a periodic flush writes, so flushes never overlap. */
  private flushing = false;
  /** The report of the step that ended the experiment's run; later steps return it and do nothing. */
  protected final: StepReport | undefined;

  protected constructor(options: ControllerOptions, loaded: Loaded) {
    this.o = options;
    this.now = options.now ?? (() => new Date());
    this.started = this.now().getTime();
    const { record, config, trials } = loaded;
    this.record = record;
    this.key = { namespace: record.namespace, name: record.name };
    this.owner =
      record.namespace === defaultNamespace
        ? { experiment: record.name }
        : { experiment: record.name, namespace: record.namespace };
    this.workspace = new ExperimentWorkspace(options.store.root, this.key);
    this.config = config;
    this.objective = this.config.objectives[0]!;
    this.strategy = this.config.metricStrategies[this.objective.metricName]!;
    this.book = new TrialBook(this.config, trials, (t) => loaded.curves.get(t) ?? []);
    this.nextSeq = trials.length === 0 ? 0 : Math.max(...trials.map((t) => t.seq)) + 1;
    this.algorithmState = loaded.algorithmState;
    options.signal?.addEventListener('abort', () => this.notify(), { once: true });
  }

  /** The compiled derived metrics, compiled on the first trial end (mathjs loads only for experiments with some). */
  private derived: Promise<DerivedMetrics | undefined> | undefined;

  private iso(): string {
    return this.now().toISOString();
  }

  /** The objectives after the primary, each with its metric's strategy (a trial needs a value of each). */
  private async event(type: EventRow['type'], reason: string, message: string, trial?: string): Promise<void> {
    const ev: EventRow =
      trial === undefined
        ? { ...this.owner, type, reason, message, time: this.iso() }
        : { ...this.owner, trial, type, reason, message, time: this.iso() };
    await this.o.store.addEvent(ev);
    this.o.onEvent?.(ev);
  }

  /**
   * Runs a write started where nothing can await it (a trial's warning, the periodic observation flush); the next
   * step waits for it and fails with its error, so no write is lost silently.
   */
  private background(write: Promise<void>): void {
    const tracked = write.then(
      () => {
        this.writes.delete(tracked);
      },
      (err: unknown) => {
        this.writes.delete(tracked);
        this.writeFailure ??= err;
        this.notify();
      },
    );
    this.writes.add(tracked);
  }

  /** Waits for the background writes still running, whatever their outcome (a run's end must not leave one behind). */
  protected async writesSettled(): Promise<void> {
    await Promise.allSettled([...this.writes]);
  }

  /** Waits for the background writes; rethrows the first that failed. */
  protected async settleWrites(): Promise<void> {
    while (this.writes.size > 0) await Promise.all(this.writes);
    if (this.writeFailure !== undefined) throw this.writeFailure;
  }

  private async patchTrial(name: string, patch: TrialPatch): Promise<TrialRecord> {
    const before = this.book.records.get(name);
    if (!before) throw new WorkbenchError(ErrorCode.internal, `unknown trial ${name}`);
    await this.o.store.updateTrial(this.key, name, patch);
    const after = { ...before, ...patch } as TrialRecord;
    if (patch.state !== undefined) this.book.moveCount(before.state, patch.state);
    this.book.remember(after);
    return after;
  }

  private async setPhase(phase: ExperimentRecord['phase'], reason: string, message: string): Promise<void> {
    const completedAt = phase === 'Succeeded' || phase === 'Failed' ? { completedAt: this.iso() } : {};
    await this.o.store.updateExperiment(this.key, {
      phase,
      reason,
      message,
      updatedAt: this.iso(),
      ...completedAt,
    });
    this.record = { ...this.record, phase, reason, message };
    await this.event(phase === 'Failed' ? 'Warning' : 'Normal', reason, message);
  }

  protected progress(): void {
    this.o.onProgress?.(this.book.progress(this.config.budget.maxTrialCount, this.now().getTime() - this.started));
  }

  protected verdict(): Verdict | undefined {
    return this.book.verdict(this.config.budget, this.exhausted);
  }

  /** Sends the algorithm the history (running trials with their curves as they are now) and asks for `count` points. */
  protected async suggest(count: number): Promise<SuggestResult> {
    this.book.refreshRunning();
    return askAlgorithm(this.o.host, this.config, {
      trials: this.book.views,
      count,
      seed: this.record.seed,
      settings: this.o.settings,
      state: this.algorithmState,
    });
  }

  /** Stores an answer's suggestions (at most `count`) as Pending trials, in one transaction with the algorithm state. */
  protected async storeAnswer(result: SuggestResult, count: number): Promise<TrialRecord[]> {
    checkSuggestionNames(result.suggestions.slice(0, count), this.config.algorithm.name);
    if (result.exhausted === true) this.exhausted = true;
    return this.o.store.transaction(async (tx) => {
      if (result.state !== undefined) await tx.saveAlgorithmState(this.key, result.state);
      const created: TrialRecord[] = [];
      for (const s of result.suggestions.slice(0, count)) created.push(await this.insertTrial(tx, s));
      // Only once committed: a failed commit leaves the state the stored trials were made with.
      if (result.state !== undefined) this.algorithmState = result.state;
      return created;
    });
  }

  private async insertTrial(tx: Store, s: Suggestion): Promise<TrialRecord> {
    const rec = trialFromSuggestion(s, this.nextSeq++, (name) => this.book.records.has(name), {
      experiment: this.record,
      owner: this.owner,
      executor: this.o.executor,
      workspace: this.workspace,
      message: 'Trial is created',
      createdAt: this.iso(),
    });
    await tx.insertTrial(rec);
    this.book.countNew();
    this.book.remember(rec);
    return rec;
  }

  /** Starts a stored Pending trial without waiting for it; its end is queued for the reap stage. */
  protected async launch(t: TrialRecord): Promise<void> {
    let stored!: (ok: boolean) => void;
    const ready = new Promise<void>((resolve, reject) => {
      stored = (ok) => (ok ? resolve() : reject(new Error('the Running state could not be stored')));
    });
    const entry = startLiveTrial(t, {
      experiment: this.record,
      executor: this.o.executor,
      workspace: this.workspace,
      settings: this.o.settings,
      config: this.config,
      onObjective: () => this.checkEarlyStop(t.name),
      warn: (message) => this.background(this.event('Warning', 'TrialWarning', message, t.name)),
      onEnded: () => {
        this.endedQueue.push(t.name);
        this.notify();
      },
      ready,
    });
    this.live.set(t.name, entry);
    // The live curve first: the view made when the trial turns Running carries it (running peers for ASHA).
    this.book.startCurve(t.name, entry.metrics.intermediate);
    // Running is stored before the trial's program starts; if that write fails, the program never starts.
    try {
      await this.patchTrial(t.name, {
        state: 'Running',
        reason: 'TrialRunning',
        message: 'Trial is running',
        startedAt: this.iso(),
      });
      stored(true);
    } catch (err) {
      stored(false);
      throw err;
    }
  }

  /** Judges an ended trial and stores its final state with its last observations, in one transaction. */
  private async finish(name: string): Promise<void> {
    const entry = this.live.get(name);
    if (!entry?.result) return;
    this.live.delete(name);
    this.book.endCurve(name);
    this.changes++;
    // Derived metrics first: a derived objective is judged like a reported one.
    this.derived ??= DerivedMetrics.of(this.config);
    (await this.derived)?.apply(entry.metrics);
    const outcome = judgeTrial(
      entry.result,
      entry.signal,
      entry.metrics,
      this.strategy,
      furtherObjectives(this.config),
      await acceptsTextObjective(entry.metrics, this.o.host),
    );
    const exitCode = entry.result.exitCode;
    await this.o.store.transaction(async (tx) => {
      const rows = entry.metrics.drain();
      if (rows.length > 0) await tx.appendObservations(this.key, rows);
      await this.patchTrial(name, {
        ...outcome,
        metrics: entry.metrics.summary(),
        completedAt: this.iso(),
        ...(exitCode === undefined ? {} : { exitCode }),
      });
      if (outcome.state === 'Failed' || outcome.state === 'MetricsUnavailable')
        await this.event('Warning', outcome.reason, outcome.message, name);
    });
    this.progress();
  }

  /** Evaluates the early-stopping rules on a running trial that just reported a new objective value. */
  private checkEarlyStop(name: string): void {
    const rules = this.o.earlyStopping;
    const entry = this.live.get(name);
    if (!rules || rules.length === 0 || !entry || entry.signal.aborted) return;
    const trial = this.book.view(name);
    if (!trial) return;
    const view = trial.intermediate ? trial : { ...trial, intermediate: entry.metrics.intermediate };
    const why = earlyStopReason(rules, this.objective, this.book.views, view);
    if (why) this.stopTrial(name, why);
  }

  private async flushObservations(): Promise<void> {
    const batches = [...this.live.values()].map((e) => e.metrics.drain()).filter((r) => r.length > 0);
    if (batches.length === 0) return;
    await this.o.store.transaction(async (tx) => {
      for (const rows of batches) await tx.appendObservations(this.key, rows);
    });
  }

  /** The periodic flush while trials run: skipped while the previous one still writes. */
  protected flushInBackground(): void {
    if (this.flushing) return;
    this.flushing = true;
    this.background(
      this.flushObservations().finally(() => {
        this.flushing = false;
      }),
    );
  }

  /** Stops a running trial; it ends with `why.kind` as its state (stored by the next reap stage). */
  stopTrial(name: string, why: StopReason): void {
    this.live.get(name)?.stop(why);
  }

  /** Stops every running trial, waits for their executors to return, and stores their ends. */
  private async stopAll(why: StopReason): Promise<void> {
    const running = [...this.live.values()];
    for (const e of running) e.stop(why);
    await Promise.all(running.map((e) => e.ended));
    await this.reap();
  }

  protected notify(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  /**
   * Resolves once the next {@link ExperimentController.step} has something to do: a trial ended, the algorithm
   * answered or failed, or the signal aborted (at once when one already happened). `run` waits on it between
   * steps; a test that drives steps by hand awaits it after completing a fake trial.
   */
  changed(): Promise<void> {
    if (this.endedQueue.length > 0 || this.request.ready || this.o.signal?.aborted || this.writeFailure !== undefined)
      return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks the experiment Running (recovering trials a dead process left behind) unless it already is. */
  protected async begin(): Promise<void> {
    await recoverOrphans(this.book.records.values(), {
      store: this.o.store,
      executor: this.o.executor,
      patch: (name, patch) => this.patchTrial(name, patch),
      event: (type, reason, message, trial) => this.event(type, reason, message, trial),
      iso: () => this.iso(),
    });
    if (this.record.phase === 'Succeeded' || this.record.phase === 'Failed') {
      if (this.verdict() !== undefined) return;
      await this.setPhase('Restarting', ExperimentReason.restarting, 'Experiment is restarting');
    }
    if (this.record.phase !== 'Running')
      await this.setPhase('Running', ExperimentReason.running, 'Experiment is running');
  }

  /** Stage 1: stores the ends of the trials whose executors returned, oldest first. */
  protected async reap(): Promise<string[]> {
    const names = this.endedQueue.splice(0);
    for (const name of names) await this.finish(name);
    return names;
  }

  /**
   * Stage 3: stores the algorithm's answer as Pending trials and launches them. An empty answer while nothing
   * runs means the algorithm will never propose again (Katib would hang here, REFERENCE.md §5.2 item 4), unless
   * a trial ended while it was thinking: its answer predates that result, so it is asked again instead.
   */
  protected async launchAnswer(): Promise<string[]> {
    const a = this.request.take();
    if (!a) return [];
    let created: TrialRecord[];
    try {
      created = await this.storeAnswer(a.result, a.want);
    } catch (err) {
      // An answer that breaks the algorithm contract fails the experiment as a failed request does (next step).
      if (!(err instanceof WorkbenchError && err.code === ErrorCode.algorithmFailed)) throw err;
      this.request.failure = err;
      return [];
    }
    if (created.length === 0 && this.live.size === 0 && this.changes === a.askedAt) this.exhausted = true;
    if (created.length < a.want) this.shortAnswerAt = a.askedAt;
    for (const t of created) await this.launch(t);
    return created.map((t) => t.name);
  }

  /** Stage 4: asks the algorithm for points for the free slots, without waiting for its answer. */
  protected requestSuggestions(): number {
    const blocked = this.request.asking || this.exhausted || this.shortAnswerAt === this.changes;
    const want = blocked
      ? 0
      : slotsToFill(this.book.counts, this.config.budget.parallelTrialCount, this.config.budget.maxTrialCount);
    if (want === 0) return 0;
    this.request.start(this.suggest(want), want, this.changes, () => this.notify());
    return want;
  }

  protected report(
    state: StepState,
    parts: Partial<Pick<StepReport, 'reaped' | 'launched' | 'requested' | 'verdict'>>,
  ): StepReport {
    const r: StepReport = {
      state,
      reaped: parts.reaped ?? [],
      launched: parts.launched ?? [],
      requested: parts.requested ?? 0,
      running: [...this.live.keys()],
      suggesting: this.request.asking,
      ...(parts.verdict === undefined ? {} : { verdict: parts.verdict }),
    };
    if (state !== 'running') this.final = r;
    return r;
  }

  /** A completion rule holds: stop what runs, drop an answer still coming, store the verdict. */
  protected async complete(verdict: Verdict, reaped: string[], launched: string[] = []): Promise<StepReport> {
    if (this.live.size > 0)
      await this.stopAll({ kind: 'Killed', reason: 'ExperimentCompleted', message: verdict.message });
    await this.request.settled();
    this.request.take();
    await this.flushObservations();
    await this.setPhase(verdict.phase, verdict.reason, verdict.message);
    return this.report('completed', { reaped, launched, verdict });
  }

  /** The algorithm failed (or the controller has nothing left to wait for): the experiment fails. */
  protected async fail(reaped: string[]): Promise<StepReport> {
    await this.stopAll({ kind: 'Killed', reason: 'ExperimentFailed', message: 'Suggestion has failed' });
    await this.flushObservations();
    const f = this.request.failure;
    const msg = f instanceof WorkbenchError ? f.describe() : String((f as Error)?.message ?? f);
    await this.setPhase('Failed', ExperimentReason.failed, `Suggestion has failed: ${msg}`);
    return this.report('failed', { reaped });
  }

  /**
   * Interrupted: stop what runs, keep the experiment Running so `hpo resume` continues it. An algorithm still
   * thinking is stopped rather than awaited: it may be stuck (a worker thread spinning), and its answer would be
   * thrown away anyway.
   */
  protected async interrupt(reaped: string[]): Promise<StepReport> {
    if (this.request.asking) await this.o.host.cancel();
    await this.stopAll({
      kind: 'Killed',
      reason: 'Interrupted',
      message: 'Trial was stopped because the run was interrupted',
    });
    await this.request.settled();
    this.request.take();
    await this.flushObservations();
    await this.event('Warning', 'Interrupted', 'Run was interrupted; resume with `hpo resume`');
    return this.report('interrupted', { reaped });
  }
}
