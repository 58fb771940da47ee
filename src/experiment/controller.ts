import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import type { MetricLog, StrategyName } from '../metrics/types.ts';
import { decideEarlyStop } from '../search/earlyStopping/rules.ts';
import type {
  EarlyStoppingAlgorithm,
  ObjectiveSpec,
  Settings,
  Suggestion,
  TrialState,
  TrialView,
} from '../search/types.ts';
import { configOf, type ExperimentConfig, suggestRequest } from '../spec/config.ts';
import type { EventRow, ExperimentRecord, Store, TrialPatch, TrialRecord } from '../store/types.ts';
import type { SuggestionHost } from '../suggestion/host.ts';
import type { ExecutorResult, StopReason, TrialExecutor } from '../trial/executor.ts';
import { trialName } from '../trial/naming.ts';
import { TrialMetrics } from '../trial/trialMetrics.ts';
import { ExperimentWorkspace } from '../trial/workspace.ts';
import {
  activeCount,
  countTrials,
  ExperimentReason,
  evaluateCompletion,
  isBetter,
  slotsToFill,
  type TrialCounts,
  type Verdict,
} from './status.ts';

/** A snapshot for progress displays. */
export interface Progress {
  readonly done: number;
  readonly total: number | undefined;
  readonly running: number;
  readonly failed: number;
  readonly best: number | undefined;
  readonly bestTrial: string | undefined;
  readonly elapsedMs: number;
}

/** Everything a controller needs; the experiment record must already be in the store. */
export interface ControllerOptions {
  readonly store: Store;
  readonly experiment: string;
  readonly executor: TrialExecutor;
  readonly host: SuggestionHost;
  /** Algorithm settings as the algorithm sees them (the `module` setting removed). */
  readonly settings: Settings;
  /** Aborting stops running trials (Killed, reason `Interrupted`) and leaves the experiment resumable. */
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
  readonly onProgress?: (p: Progress) => void;
  readonly onEvent?: (ev: EventRow) => void;
  /** How often buffered observations are written while trials run. */
  readonly flushIntervalMs?: number;
  /** Early-stopping rules evaluated after every new objective value of a running trial. */
  readonly earlyStopping?: readonly { readonly algorithm: EarlyStoppingAlgorithm; readonly settings: Settings }[];
}

/** The algorithm setting (Katib's PBT) that gives every trial a checkpoint directory, seeded from its parent's. */
export const checkpointSetting = 'suggestion_trial_dir';

const trialMessages: Record<string, { reason: string; message: string }> = {
  Succeeded: { reason: 'TrialSucceeded', message: 'Trial has succeeded' },
  MetricsUnavailable: { reason: 'MetricsUnavailable', message: 'Metrics are not available' },
};

/**
 * The Experiment controller, with Katib's semantics (REFERENCE.md §5): fills up to `parallelTrialCount`
 * slots with suggestions, writes each trial before launching it, collects its metrics, judges it, and ends
 * the experiment on goal, max failed, max trials, or an exhausted algorithm. Algorithms propose; only the
 * controller acts.
 */
export class ExperimentController {
  private readonly o: ControllerOptions;
  private readonly workspace: ExperimentWorkspace;
  private readonly now: () => Date;
  private record: ExperimentRecord;
  /** The stored experiment, resolved once (objectives, space, budget, metric strategies). */
  private readonly config: ExperimentConfig;
  private readonly objective: ObjectiveSpec;
  private readonly strategy: StrategyName;
  private readonly trials = new Map<string, TrialRecord>();
  private readonly views: TrialView[] = [];
  private readonly viewIndex = new Map<string, number>();
  private counts: TrialCounts;
  private best: { value: number; trial: string } | undefined;
  private exhausted = false;
  private algorithmState: unknown;
  private readonly live = new Map<string, { metrics: TrialMetrics; abort: AbortController; done: Promise<void> }>();
  /** Objective histories of every trial (live arrays for running ones), for algorithms and early stopping. */
  private readonly curves = new Map<string, { step: number; value: number }[]>();
  /** Curve length of each running trial when its view last went to the algorithm (see refreshRunningViews). */
  private readonly sentCurveLength = new Map<string, number>();
  private readonly started: number;
  private nextSeq: number;
  /** Bumped whenever a trial ends: an algorithm that answered short is asked again only after a change. */
  private changes = 0;
  private shortAnswerAt = -1;
  private askStarted = false;

  constructor(options: ControllerOptions) {
    this.o = options;
    this.now = options.now ?? (() => new Date());
    this.started = this.now().getTime();
    const record = options.store.getExperiment(options.experiment);
    if (!record) throw new WorkbenchError(ErrorCode.notFound, `experiment '${options.experiment}' is not in the store`);
    this.record = record;
    this.workspace = new ExperimentWorkspace(options.store.root, record.name);
    if (!record.manifest.spec.objective) throw new WorkbenchError(ErrorCode.invalidSpec, 'spec.objective is required');
    this.config = configOf(record.manifest);
    this.objective = this.config.objectives[0]!;
    this.strategy = this.config.metricStrategies[this.objective.metricName]!;
    const stored = options.store.listTrials(options.experiment);
    for (const t of stored) this.curves.set(t.name, this.storedCurve(t.name));
    for (const t of stored) this.remember(t);
    this.counts = countTrials(stored.map((t) => t.state));
    this.nextSeq = stored.length === 0 ? 0 : Math.max(...stored.map((t) => t.seq)) + 1;
    this.algorithmState = options.store.loadAlgorithmState(options.experiment);
  }

  /** A stored trial's numeric objective history, rebuilt from its observation log (on resume). */
  private storedCurve(trial: string): { step: number; value: number }[] {
    const curve: { step: number; value: number }[] = [];
    for (const o of this.o.store.getObservations(this.o.experiment, trial, this.objective.metricName)) {
      const v = Number(o.value);
      if (o.value.trim() !== '' && Number.isFinite(v)) curve.push({ step: o.step, value: v });
    }
    return curve;
  }

  private get parallel(): number {
    return this.config.budget.parallelTrialCount;
  }

  private iso(): string {
    return this.now().toISOString();
  }

  private event(type: EventRow['type'], reason: string, message: string, trial?: string): void {
    const ev: EventRow =
      trial === undefined
        ? { experiment: this.record.name, type, reason, message, time: this.iso() }
        : { experiment: this.record.name, trial, type, reason, message, time: this.iso() };
    this.o.store.addEvent(ev);
    this.o.onEvent?.(ev);
  }

  /** Keeps the in-memory mirror (records, algorithm views, best) in step with a stored trial. */
  private remember(t: TrialRecord): void {
    this.trials.set(t.name, t);
    if (t.objective !== undefined && (t.state === 'Succeeded' || t.state === 'EarlyStopped')) {
      if (isBetter(this.objective.type, t.objective, this.best?.value))
        this.best = { value: t.objective, trial: t.name };
    }
    // Killed trials are left out of the history so their slot is issued again (see status.ts budgetUsed).
    const at = this.viewIndex.get(t.name);
    if (t.state === 'Killed') {
      if (at !== undefined) {
        this.views.splice(at, 1);
        this.viewIndex.clear();
        this.views.forEach((v, i) => {
          this.viewIndex.set(v.name, i);
        });
      }
      return;
    }
    // The live array itself, even while still empty: early-stopping rules read running trials' curves (their
    // own and their running peers') as they grow.
    const intermediate = this.curves.get(t.name);
    const view: TrialView = {
      name: t.name,
      params: t.params,
      state: t.state,
      // One objective per experiment today (Katib's spec), so its value is the whole `values`.
      ...(t.objective === undefined ? {} : { objective: t.objective, values: [t.objective] }),
      ...(intermediate && (intermediate.length > 0 || this.live.has(t.name)) ? { intermediate } : {}),
      ...(t.budget === undefined ? {} : { budget: t.budget }),
      ...(t.parent === undefined ? {} : { parent: t.parent }),
      ...(Object.keys(t.labels).length === 0 ? {} : { labels: t.labels }),
    };
    if (at === undefined) {
      this.viewIndex.set(t.name, this.views.length);
      this.views.push(view);
    } else {
      this.views[at] = view;
    }
  }

  private patchTrial(name: string, patch: TrialPatch): TrialRecord {
    const before = this.trials.get(name);
    if (!before) throw new WorkbenchError(ErrorCode.internal, `unknown trial ${name}`);
    this.o.store.updateTrial(this.record.name, name, patch);
    const after = { ...before, ...patch } as TrialRecord;
    if (patch.state !== undefined && patch.state !== before.state) this.moveCount(before.state, patch.state);
    this.remember(after);
    return after;
  }

  private moveCount(from: TrialState, to: TrialState): void {
    const key = (s: TrialState): keyof TrialCounts =>
      s === 'MetricsUnavailable'
        ? 'metricsUnavailable'
        : s === 'EarlyStopped'
          ? 'earlyStopped'
          : (s.toLowerCase() as keyof TrialCounts);
    this.counts[key(from)]--;
    this.counts[key(to)]++;
  }

  private setPhase(phase: ExperimentRecord['phase'], reason: string, message: string): void {
    const completedAt = phase === 'Succeeded' || phase === 'Failed' ? { completedAt: this.iso() } : {};
    this.o.store.updateExperiment(this.record.name, { phase, reason, message, updatedAt: this.iso(), ...completedAt });
    this.record = { ...this.record, phase, reason, message };
    this.event(phase === 'Failed' ? 'Warning' : 'Normal', reason, message);
  }

  /**
   * Trials left Pending or Running by a previous process that died (kill -9, power loss) are recorded as
   * Killed with a reason; their slots are issued again. Completed trials are kept as they are.
   */
  private recoverInterrupted(): void {
    const orphans = [...this.trials.values()].filter((t) => t.state === 'Pending' || t.state === 'Running');
    if (orphans.length === 0) return;
    const notes = orphans.map((t) => this.o.executor.recover?.(t) ?? []);
    this.o.store.transaction(() => {
      orphans.forEach((t, i) => {
        for (const n of notes[i] ?? []) this.event(n.type, n.reason, n.message, t.name);
      });
      for (const t of orphans) {
        this.patchTrial(t.name, {
          state: 'Killed',
          reason: 'ControllerRestarted',
          message: `Trial was ${t.state.toLowerCase()} when the controller stopped; its slot is issued again`,
          completedAt: this.iso(),
        });
      }
      this.event('Warning', 'TrialsRecovered', `${orphans.length} interrupted trial(s) recorded as Killed`);
    });
  }

  private progress(): void {
    this.o.onProgress?.({
      done: this.counts.succeeded + this.counts.failed + this.counts.earlyStopped + this.counts.metricsUnavailable,
      total: this.config.budget.maxTrialCount,
      running: activeCount(this.counts),
      failed: this.counts.failed + this.counts.metricsUnavailable,
      best: this.best?.value,
      bestTrial: this.best?.trial,
      elapsedMs: this.now().getTime() - this.started,
    });
  }

  private verdict(): Verdict | undefined {
    return evaluateCompletion({
      counts: this.counts,
      objectiveType: this.objective.type,
      best: this.best?.value,
      goal: this.objective.goal,
      maxTrialCount: this.config.budget.maxTrialCount,
      maxFailedTrialCount: this.config.budget.maxFailedTrialCount,
      exhausted: this.exhausted,
    });
  }

  /** Asks the algorithm for up to `count` suggestions and stores them as Pending trials, in one transaction with the algorithm state. */
  private async requestTrials(count: number): Promise<TrialRecord[]> {
    this.refreshRunningViews();
    const result = await this.o.host.suggest(
      suggestRequest(this.config, {
        trials: this.views,
        count,
        seed: this.record.seed,
        settings: this.o.settings,
        ...(this.algorithmState === undefined ? {} : { state: this.algorithmState }),
      }),
    );
    const suggestions = result.suggestions.slice(0, count);
    if (result.exhausted === true) this.exhausted = true;
    return this.o.store.transaction(() => {
      if (result.state !== undefined) {
        this.algorithmState = result.state;
        this.o.store.saveAlgorithmState(this.record.name, result.state);
      }
      return suggestions.map((s) => this.insertTrial(s));
    });
  }

  /**
   * The host sends only views it has not sent before (by identity), but a running trial's curve grows in place:
   * a new view object around the same live array makes the algorithm see the curve as it is now.
   */
  private refreshRunningViews(): void {
    for (const name of this.live.keys()) {
      const at = this.viewIndex.get(name);
      const view = at === undefined ? undefined : this.views[at];
      const length = view?.intermediate?.length ?? 0;
      if (view === undefined || this.sentCurveLength.get(name) === length) continue;
      this.views[at!] = { ...view };
      this.sentCurveLength.set(name, length);
    }
  }

  private insertTrial(s: Suggestion): TrialRecord {
    const seq = this.nextSeq++;
    let name = s.name ?? trialName(this.record.name, this.record.seed, seq);
    for (let attempt = 1; this.trials.has(name); attempt++)
      name = trialName(this.record.name, this.record.seed, seq, attempt);
    const rec: TrialRecord = {
      experiment: this.record.name,
      name,
      seq,
      params: s.params,
      state: 'Pending',
      reason: 'TrialCreated',
      message: 'Trial is created',
      metrics: [],
      labels: { 'katib.kubeflow.org/experiment': this.record.name, ...(s.labels ?? {}) },
      createdAt: this.iso(),
      ...(s.budget === undefined ? {} : { budget: s.budget }),
      ...(s.parent === undefined ? {} : { parent: s.parent }),
      ...(s.explain === undefined ? {} : { explain: s.explain }),
      ...(this.o.executor.needsWorkDir ? { workDir: this.workspace.trialDir(name) } : {}),
    };
    this.o.store.insertTrial(rec);
    this.counts.total++;
    this.counts.pending++;
    this.remember(rec);
    return rec;
  }

  /** Launches a stored Pending trial; the returned promise settles once its final state is stored. */
  private launch(t: TrialRecord): void {
    const metrics = new TrialMetrics(t.name, this.config.metricNames, this.objective.metricName);
    const abort = new AbortController();
    const workDir = this.workspace.trialDir(t.name);
    const logPath = this.workspace.logPath(t.name);
    const entry = { metrics, abort, done: Promise.resolve() };
    this.live.set(t.name, entry);
    this.curves.set(t.name, metrics.intermediate);
    this.patchTrial(t.name, {
      state: 'Running',
      reason: 'TrialRunning',
      message: 'Trial is running',
      startedAt: this.iso(),
    });
    const start = async (): Promise<ExecutorResult> => {
      if (this.o.executor.needsWorkDir) await this.workspace.prepareTrial(t.name);
      const checkpoint = await this.prepareCheckpoint(t);
      return this.o.executor.run({
        experiment: this.record.name,
        namespace: this.record.namespace,
        trial: t.name,
        params: t.params,
        workDir,
        logPath,
        signal: abort.signal,
        report: (logs: readonly MetricLog[]) => {
          const before = metrics.intermediate.length;
          metrics.add(logs);
          if (metrics.intermediate.length > before) this.checkEarlyStop(t.name);
        },
        ...(checkpoint === undefined ? {} : { checkpoint }),
        warn: (message: string) => this.event('Warning', 'TrialWarning', message, t.name),
      });
    };
    entry.done = start()
      .catch(
        (err: unknown): ExecutorResult => ({
          outcome: 'failed',
          reason: 'TrialFailed',
          message: `executor error: ${(err as Error).message ?? String(err)}`,
        }),
      )
      .then((result) => this.finish(t.name, result));
  }

  private finish(name: string, result: ExecutorResult): void {
    const entry = this.live.get(name);
    if (!entry) return;
    this.live.delete(name);
    this.sentCurveLength.delete(name);
    this.changes++;
    const { metrics, abort } = entry;
    const objective = metrics.objective(this.strategy);
    let state: TrialState;
    let reason: string;
    let message: string;
    if (abort.signal.aborted) {
      const why = abort.signal.reason as StopReason;
      state = why.kind;
      ({ reason, message } = why);
    } else if (result.outcome === 'failed') {
      state = 'Failed';
      reason = result.reason;
      message = result.message;
    } else {
      state = objective === undefined ? 'MetricsUnavailable' : 'Succeeded';
      ({ reason, message } = trialMessages[state]!);
      if (state === 'MetricsUnavailable') {
        // Katib's words first, then what exactly went wrong: a user cannot fix "not available" alone.
        const problems = result.outcome === 'completed' ? (result.metricsProblems ?? []) : [];
        message = `${message}: ${[metrics.unavailableReason(), ...problems].join('; ')}`;
      }
    }
    this.o.store.transaction(() => {
      const rows = metrics.drain();
      if (rows.length > 0) this.o.store.appendObservations(this.record.name, rows);
      this.patchTrial(name, {
        state,
        reason,
        message,
        metrics: metrics.summary(),
        completedAt: this.iso(),
        ...(objective === undefined ? {} : { objective }),
        ...(result.exitCode === undefined ? {} : { exitCode: result.exitCode }),
      });
      if (state === 'Failed' || state === 'MetricsUnavailable') this.event('Warning', reason, message, name);
    });
    this.progress();
  }

  /** Evaluates every early-stopping algorithm's current rules on a running trial that just reported; the first `stop` wins. */
  private checkEarlyStop(name: string): void {
    const rules = this.o.earlyStopping;
    const entry = this.live.get(name);
    if (!rules || rules.length === 0 || !entry || entry.abort.signal.aborted) return;
    const at = this.viewIndex.get(name);
    const trial = at === undefined ? undefined : this.views[at];
    if (!trial) return;
    const view: TrialView = trial.intermediate ? trial : { ...trial, intermediate: entry.metrics.intermediate };
    for (const { algorithm, settings } of rules) {
      const d = decideEarlyStop(algorithm, { objective: this.objective, trials: this.views, trial: view, settings });
      if (d.stop) {
        const detail = d.reason ?? (d.explain ? JSON.stringify(d.explain) : algorithm.name);
        this.stopTrial(name, {
          kind: 'EarlyStopped',
          reason: 'TrialEarlyStopped',
          message: `Trial is early stopped by ${algorithm.name}: ${detail}`,
        });
        return;
      }
    }
  }

  /**
   * With Katib's `suggestion_trial_dir` setting every trial gets its checkpoint folder (see ExperimentWorkspace),
   * a copy of its parent's when the algorithm names one (PBT exploit, copied without blocking the controller),
   * and the executor maps the setting's path to it.
   */
  private async prepareCheckpoint(
    t: TrialRecord,
  ): Promise<{ dir: string; mountPath: string; parent?: string } | undefined> {
    const mountPath = this.o.settings[checkpointSetting];
    if (mountPath === undefined) return undefined;
    const dir = await this.workspace.prepareCheckpoint(t.name, t.parent);
    return t.parent === undefined ? { dir, mountPath } : { dir, mountPath, parent: t.parent };
  }

  private flushObservations(): void {
    const batches = [...this.live.values()].map((e) => e.metrics.drain()).filter((r) => r.length > 0);
    if (batches.length === 0) return;
    this.o.store.transaction(() => {
      for (const rows of batches) this.o.store.appendObservations(this.record.name, rows);
    });
  }

  /** Stops a running trial; it ends with `why.kind` as its state. */
  stopTrial(name: string, why: StopReason): void {
    this.live.get(name)?.abort.abort(why);
  }

  private async stopAll(why: StopReason): Promise<void> {
    for (const e of this.live.values()) e.abort.abort(why);
    await Promise.all([...this.live.values()].map((e) => e.done));
  }

  /** Marks the experiment Running (recovering trials a dead process left behind) unless it already is. */
  private begin(): void {
    this.recoverInterrupted();
    if (this.record.phase === 'Succeeded' || this.record.phase === 'Failed') {
      if (this.verdict() !== undefined) return;
      this.setPhase('Restarting', ExperimentReason.restarting, 'Experiment is restarting');
    }
    if (this.record.phase !== 'Running') this.setPhase('Running', ExperimentReason.running, 'Experiment is running');
  }

  /** Ends the experiment if a completion rule holds; returns the verdict. */
  private conclude(): Verdict | undefined {
    const verdict = this.verdict();
    if (verdict && this.record.phase !== verdict.phase) this.setPhase(verdict.phase, verdict.reason, verdict.message);
    return verdict;
  }

  /**
   * Ask/tell, step one: creates and starts one trial from the algorithm and returns it, or undefined when
   * the experiment is over (goal, budget, exhausted algorithm). The executor decides when it ends.
   */
  async ask(): Promise<TrialRecord | undefined> {
    if (this.askStarted === false) {
      this.begin();
      this.askStarted = true;
    }
    if (this.conclude()) return undefined;
    const max = this.config.budget.maxTrialCount;
    if (
      max !== undefined &&
      this.counts.succeeded +
        this.counts.failed +
        this.counts.earlyStopped +
        this.counts.metricsUnavailable +
        activeCount(this.counts) >=
        max
    ) {
      return undefined;
    }
    const [t] = await this.requestTrials(1);
    if (!t) {
      if (this.live.size === 0) this.exhausted = true;
      this.conclude();
      return undefined;
    }
    this.launch(t);
    return this.trials.get(t.name);
  }

  /** Resolves once a launched trial's final state is stored; then checks the completion rules. */
  async settled(name: string): Promise<TrialRecord | undefined> {
    await this.live.get(name)?.done;
    this.conclude();
    return this.trials.get(name);
  }

  /** The experiment as stored now. */
  get current(): ExperimentRecord {
    return this.record;
  }

  /**
   * Runs the experiment to completion (or until `signal` aborts) and returns the final record. Safe to call
   * on an experiment that a crashed process left behind: it resumes.
   */
  async run(): Promise<ExperimentRecord> {
    this.begin();
    if ((this.record.phase === 'Succeeded' || this.record.phase === 'Failed') && this.verdict()) return this.record;
    const flush = setInterval(() => this.flushObservations(), this.o.flushIntervalMs ?? 500);
    flush.unref();
    let suggesting: Promise<void> | undefined;
    let failure: unknown;
    const interrupted = new Promise<void>((resolve) => {
      if (this.o.signal?.aborted) resolve();
      this.o.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
    try {
      this.progress();
      for (;;) {
        if (this.o.signal?.aborted) break;
        if (failure !== undefined) break;
        const verdict = this.verdict();
        if (verdict) {
          if (this.live.size > 0) {
            await this.stopAll({ kind: 'Killed', reason: 'ExperimentCompleted', message: verdict.message });
          }
          if (suggesting) await suggesting;
          this.flushObservations();
          this.setPhase(verdict.phase, verdict.reason, verdict.message);
          return this.record;
        }
        const blocked = suggesting !== undefined || this.exhausted || this.shortAnswerAt === this.changes;
        const want = blocked ? 0 : slotsToFill(this.counts, this.parallel, this.config.budget.maxTrialCount);
        if (want > 0) {
          const askedAt = this.changes;
          suggesting = this.requestTrials(want)
            .then((created) => {
              // An algorithm with nothing to propose while nothing runs will never propose again: end
              // the experiment (Katib would hang here, REFERENCE.md §5.2 item 4). If a trial ended while it
              // was thinking, its answer predates that result, so ask again instead.
              if (created.length === 0 && this.live.size === 0 && this.changes === askedAt) this.exhausted = true;
              if (created.length < want) this.shortAnswerAt = askedAt;
              for (const t of created) this.launch(t);
            })
            .catch((err: unknown) => {
              failure = err;
            })
            .finally(() => {
              suggesting = undefined;
            });
        }
        const waits: Promise<unknown>[] = [...[...this.live.values()].map((e) => e.done), interrupted];
        if (suggesting) waits.push(suggesting);
        if (waits.length === 1) {
          failure = new WorkbenchError(ErrorCode.internal, 'controller has no trial to wait for and nothing to ask');
          break;
        }
        await Promise.race(waits);
      }
      if (failure !== undefined) {
        await this.stopAll({ kind: 'Killed', reason: 'ExperimentFailed', message: 'Suggestion has failed' });
        this.flushObservations();
        const msg =
          failure instanceof WorkbenchError ? failure.describe() : String((failure as Error)?.message ?? failure);
        this.setPhase('Failed', ExperimentReason.failed, `Suggestion has failed: ${msg}`);
        return this.record;
      }
      // Interrupted: stop what runs, keep the experiment Running so `hpo resume` continues it. An algorithm
      // still thinking is stopped rather than awaited: it may be stuck (a worker thread spinning), and its
      // answer would be thrown away anyway.
      if (suggesting) await this.o.host.cancel();
      await this.stopAll({
        kind: 'Killed',
        reason: 'Interrupted',
        message: 'Trial was stopped because the run was interrupted',
      });
      if (suggesting) await suggesting;
      this.flushObservations();
      this.event('Warning', 'Interrupted', 'Run was interrupted; resume with `hpo resume`');
      return this.record;
    } finally {
      clearInterval(flush);
    }
  }
}
