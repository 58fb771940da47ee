import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import type { Assignment } from '../search/space.ts';
import { buildManifest, type ExperimentDefinition, type SettingsInput } from '../spec/create.ts';
import type { ParameterInput, ParamsOf } from '../spec/typedParameters.ts';
import type { ExperimentManifest } from '../spec/types.ts';
import { openStore } from '../store/open.ts';
import {
  defaultNamespace,
  type ExperimentKey,
  type ExperimentRef,
  type Store,
  type TrialRecord,
} from '../store/types.ts';
import type { TrialExecutor } from '../trial/executor.ts';
import {
  checkReportStep,
  InProcessExecutor,
  type Metrics,
  type Objective,
  type Report,
  returnedMetrics,
} from '../trial/inProcess.ts';
import { ExperimentController } from './controller.ts';
import { joinForRun, storedExperiment } from './join.ts';
import { holdControllerLease, releaseControllerLock, takeControllerLock } from './lease.ts';
import { ManualExecutor } from './manualExecutor.ts';
import { type BudgetEdit, type CheckedForRun, checkForRun, type Prepared, recordExperiment } from './prepare.ts';
import { type ExperimentResult, experimentResult } from './report.ts';
import type { AskedTrial, AskTellSession, ExperimentOptions, RunOptions } from './runOptions.ts';
import { templateExecutorFor } from './templateExecutor.ts';

export type { AskedTrial, ExperimentOptions, RunOptions } from './runOptions.ts';

/**
 * A Katib Experiment that runs here. Built from YAML (`Experiment.fromManifest`) or TypeScript
 * (`Experiment.create`); the same object runs trials in-process (`optimize`), as local processes from its
 * trial template (`run`), or hands them out one by one (`ask`/`tell`). Everything is stored, so a run
 * that dies is continued by running the same experiment again. `P` is the type of the parameters `optimize`'s
 * objective receives: inferred from the search space by `create`, a plain {@link Assignment} from `fromManifest`.
 */
export class Experiment<P extends Assignment = Assignment> {
  #manifest: ExperimentManifest;
  private readonly options: ExperimentOptions;
  private storeInstance: Store | undefined;
  /** The ask/tell session (`ask()` opens it, `optimize()` runs in one): controller, executor, lease, stop. */
  private manual: AskTellSession | undefined;

  private constructor(manifest: ExperimentManifest, options: ExperimentOptions) {
    this.#manifest = manifest;
    this.options = options;
  }

  /** The Katib Experiment object; after a run with a `budget`, with that budget. */
  get manifest(): ExperimentManifest {
    return this.#manifest;
  }

  /**
   * Builds an Experiment from TypeScript options (the same fields as Katib's spec). The parameters' types come from
   * the search space as written (`search.double('lr', …)` gives `p.lr: number`), and an unknown algorithm name is
   * a compile error.
   */
  static create<
    const Ps extends readonly ParameterInput[],
    const A extends string,
    const E extends string = string,
    const S extends SettingsInput = Record<never, never>,
  >(options: ExperimentDefinition<Ps, A, E, S> & ExperimentOptions): Experiment<ParamsOf<Ps>> {
    const { store, sourcePath, now, ...manifestOptions } = options;
    const opts: ExperimentOptions = {
      ...(store === undefined ? {} : { store }),
      ...(sourcePath === undefined ? {} : { sourcePath }),
      ...(now === undefined ? {} : { now }),
    };
    return new Experiment<ParamsOf<Ps>>(buildManifest(manifestOptions), opts);
  }

  /**
   * The experiment stored as `experiment` in `options.store` (its manifest and the YAML path it came from), for a
   * process that joins an experiment another one created: `(await Experiment.fromStore('quad', { store: url
   * })).optimize(objective, { join: true })`. Throws `notFound` when the store lacks it.
   */
  static async fromStore(experiment: ExperimentRef, options: ExperimentOptions = {}): Promise<Experiment> {
    const s = options.store;
    const store = s === undefined || typeof s === 'string' ? openStore(s) : s;
    const stored = await storedExperiment(store, experiment).catch(async (err: unknown) => {
      if (store !== s) await store.close();
      throw err;
    });
    const sourcePath = options.sourcePath ?? stored.sourcePath;
    const exp = new Experiment(stored.manifest, { ...options, ...(sourcePath === undefined ? {} : { sourcePath }) });
    // The store opened here is the object's own: close() closes it, as for a store path given to create().
    exp.storeInstance = store;
    return exp;
  }

  /** Wraps a Katib Experiment object (e.g. from `loadExperiments`). */
  static fromManifest(manifest: ExperimentManifest, options: ExperimentOptions = {}): Experiment {
    return new Experiment(manifest, options);
  }

  /** The YAML file the Experiment came from, if any. */
  get sourcePath(): string | undefined {
    return this.options.sourcePath;
  }

  get name(): string {
    return this.manifest.metadata.name;
  }

  /** The experiment's store key: its namespace (`default` unless the manifest names one) and name. */
  get key(): ExperimentKey {
    return keyOf(this.manifest);
  }

  /** The store this experiment writes to (opened on first use). */
  get store(): Store {
    if (!this.storeInstance) {
      const s = this.options.store;
      this.storeInstance = s === undefined || typeof s === 'string' ? openStore(s) : s;
    }
    return this.storeInstance;
  }

  /**
   * Checks the experiment as a run does, takes its lock and records it (with `budget`, see {@link Experiment.claim});
   * a run and an ask/tell session both start here.
   */
  private async checkAndClaim(
    inProcess: boolean,
    budget?: BudgetEdit,
  ): Promise<{ key: ExperimentKey; prepared: Prepared }> {
    const source = this.options.sourcePath === undefined ? {} : { sourcePath: this.options.sourcePath };
    const checked = await checkForRun(this.manifest, { inProcess, ...source });
    const prepared = await this.claim(checked, budget);
    // Later runs of this object continue with the edited budget instead of restoring the old one.
    if (budget !== undefined) this.#manifest = { ...this.#manifest, spec: { ...this.#manifest.spec, ...budget } };
    return { key: keyOf(checked.manifest), prepared };
  }

  private async drive(executor: TrialExecutor, inProcess: boolean, run: RunOptions): Promise<ExperimentResult> {
    const { key: name, prepared } = await this.checkAndClaim(inProcess, run.budget);
    // Another controller now holds the experiment: stop ours, or both would launch trials.
    const lost = new AbortController();
    const lease = this.holdLease(name, () => lost.abort());
    const signal = run.signal === undefined ? lost.signal : AbortSignal.any([run.signal, lost.signal]);
    try {
      const controller = await ExperimentController.open({
        store: this.store,
        experiment: name,
        executor: run.executor ?? executor,
        host: prepared.host,
        settings: prepared.settings,
        earlyStopping: prepared.earlyStopping,
        signal,
        ...(this.options.now === undefined ? {} : { now: this.options.now }),
        ...(run.onProgress === undefined ? {} : { onProgress: run.onProgress }),
      });
      await controller.run();
    } finally {
      lease.stop();
      await (run.executor ?? executor).close?.();
      await releaseControllerLock(this.store, name);
      await prepared.host.close();
    }
    return this.result();
  }

  /**
   * Takes the experiment's lock, then records it (and applies `budget`): the lock comes before any write, so a
   * run or an ask refused because another controller holds the experiment leaves the store as it found it.
   * Closes the checked algorithm's worker and releases the lock when it fails.
   */
  private async claim(checked: CheckedForRun, budget?: BudgetEdit): Promise<Prepared> {
    const name = keyOf(checked.manifest);
    try {
      await this.lock(name);
      try {
        return await recordExperiment(checked, {
          store: this.store,
          ...(this.options.sourcePath === undefined ? {} : { sourcePath: this.options.sourcePath }),
          ...(budget === undefined ? {} : { budget }),
          ...(this.options.now === undefined ? {} : { now: this.options.now }),
        });
      } catch (err) {
        await releaseControllerLock(this.store, name);
        throw err;
      }
    } catch (err) {
      await checked.host.close();
      throw err;
    }
  }

  /** Renews the lock's lease while this object drives the experiment; `onLost` runs once if it is taken over. */
  private holdLease(name: ExperimentKey, onLost: () => void): { stop(): void } {
    return holdControllerLease(this.store, name, () => this.options.now?.() ?? new Date(), onLost);
  }

  /** Two controllers must never run one experiment; a lock left by a dead process, or expired, is taken over. */
  private lock(key: ExperimentKey): Promise<void> {
    return takeControllerLock(this.store, key, this.options.now?.() ?? new Date());
  }

  /**
   * Runs every trial as a call of `objective` in this process (`report()` is the Push collector): a loop over the
   * public {@link Experiment.ask}/{@link Experiment.report}/{@link Experiment.tell}, `parallelTrialCount` of them
   * at once. Callers that ask together are served by one algorithm request, so batch algorithms still propose whole
   * rungs. Aborting `run.signal` stops the running trials (their signal aborts) and leaves the experiment
   * resumable; a failed algorithm ends it Failed. `run.executor` runs the trials through that executor instead,
   * under the controller's own loop, as `run()` does.
   */
  async optimize(objective: Objective<P>, run: RunOptions = {}): Promise<ExperimentResult> {
    if (run.join !== undefined && run.join !== false) {
      const inProcess = new InProcessExecutor(objective as Objective, { objectiveMetric: this.objectiveMetric() });
      return this.work(run.executor ?? inProcess, run);
    }
    if (run.executor !== undefined) return this.drive(run.executor, true, run);
    if (this.manual) {
      throw new WorkbenchError(
        ErrorCode.conflict,
        `experiment '${this.name}' has an ask()/tell() session open on this object; close() it before optimize()`,
      );
    }
    const session = await this.openSession(run);
    const workers = Math.max(1, session.parallel);
    const errors: unknown[] = [];
    const worker = async () => {
      try {
        // The trials ask() hands out are assignments of this space, which is what P describes.
        await this.evaluate(objective as Objective);
      } catch (err) {
        errors.push(err);
        // One worker failing (the store) stops the others: their trials are interrupted, not abandoned.
        session.stop.abort(err);
      }
    };
    try {
      await Promise.all(Array.from({ length: workers }, worker));
    } finally {
      await this.endSession();
    }
    if (errors.length > 0) throw errors[0];
    if (session.failure !== undefined) throw session.failure;
    return this.result();
  }

  /** One of optimize's workers: asks for a trial, calls the objective on it, tells its result, until none is left. */
  private async evaluate(objective: Objective): Promise<void> {
    const metric = this.objectiveMetric();
    for (;;) {
      let t: AskedTrial | undefined;
      try {
        t = await this.ask();
      } catch (err) {
        // The algorithm failed: the experiment is stored Failed with its error, which the result carries.
        if (this.manual?.controller.current.phase === 'Failed') return;
        throw err;
      }
      if (t === undefined) return;
      const name = t.name;
      const report: Report = (metrics, options) => this.reportNow(name, metrics, options?.step);
      let value: unknown;
      try {
        value = await objective(t.params, report, {
          trial: name,
          experiment: this.name,
          signal: t.signal,
          workDir: t.workDir,
          ...(t.checkpointDir === undefined ? {} : { checkpointDir: t.checkpointDir }),
        });
      } catch (err) {
        await this.tell(name, err instanceof Error ? err : new Error(String(err)));
        continue;
      }
      await this.tell(name, returnedMetrics(value, metric) ?? {});
    }
  }

  /** `optimize()`/`run()` with `join`: works the experiment as one worker of several (see {@link RunOptions.join}). */
  private async work(executor: TrialExecutor, run: RunOptions): Promise<ExperimentResult> {
    if (this.manual) {
      throw new WorkbenchError(
        ErrorCode.conflict,
        `experiment '${this.name}' has an ask()/tell() session open on this object; close() it before joining`,
      );
    }
    await joinForRun({ ...this.options, store: this.store, manifest: this.manifest, executor, run });
    return this.result();
  }

  /**
   * Runs every trial from the trial template on this machine, choosing the executor exactly as `hpo run` does:
   * the local distributed launcher for multi-replica jobs or GPU requests, otherwise one local process of the
   * primary container. `run.executor` overrides the choice (tests, custom backends).
   */
  run(run: RunOptions = {}): Promise<ExperimentResult> {
    if (run.join !== undefined && run.join !== false) return this.work(run.executor ?? this.templateExecutor(), run);
    return this.drive(run.executor ?? this.templateExecutor(), false, run);
  }

  /**
   * The executor `run()` uses for this experiment's trial template. Throws `unsupported`, with every problem, when
   * the template cannot run on this machine at all (a cluster-only workflow, a program that exists only in
   * the image), and `invalidSpec`, with the same issues as a run, when the Experiment does not validate.
   */
  templateExecutor(): TrialExecutor {
    return templateExecutorFor(this.manifest, this.options.sourcePath);
  }

  /**
   * Opens the ask/tell session: takes the experiment's lock (and keeps its lease) until `close()` (or the end of
   * `optimize()`), applying `run.budget` once the lock is held.
   */
  private async openSession(run: RunOptions = {}): Promise<AskTellSession> {
    const { key, prepared } = await this.checkAndClaim(true, run.budget);
    const stop = new AbortController();
    let lost = false;
    // Another controller took the experiment over: stop ours, or both would hand out trials.
    const lease = this.holdLease(key, () => {
      lost = true;
      stop.abort(new WorkbenchError(ErrorCode.conflict, 'the experiment lock was lost'));
    });
    const executor = new ManualExecutor(this.options.now);
    const signal = run.signal === undefined ? stop.signal : AbortSignal.any([run.signal, stop.signal]);
    let controller: ExperimentController;
    try {
      controller = await ExperimentController.open({
        store: this.store,
        experiment: key,
        executor,
        host: prepared.host,
        settings: prepared.settings,
        earlyStopping: prepared.earlyStopping,
        signal,
        ...(this.options.now === undefined ? {} : { now: this.options.now }),
        ...(run.onProgress === undefined ? {} : { onProgress: run.onProgress }),
      });
    } catch (err) {
      lease.stop();
      await releaseControllerLock(this.store, key);
      await prepared.host.close();
      throw err;
    }
    const session: AskTellSession = {
      controller,
      executor,
      prepared,
      lease,
      stop,
      get lost() {
        return lost;
      },
      parallel: prepared.record.manifest.spec.parallelTrialCount ?? 1,
      stopFlushing: controller.keepFlushing(),
    };
    // An abort stops the running trials at once (their signals abort), not when a worker next asks.
    signal.addEventListener(
      'abort',
      () => {
        controller.interruptAsk().catch((err: unknown) => {
          session.failure ??= err;
        });
      },
      { once: true },
    );
    this.manual = session;
    return session;
  }

  /** Ends the ask/tell session: stops the lease and the flushes, releases the lock and the algorithm's worker. */
  private async endSession(): Promise<void> {
    const session = this.manual;
    if (!session) return;
    this.manual = undefined;
    session.stopFlushing();
    session.lease.stop();
    try {
      await session.controller.interruptAsk();
    } finally {
      await releaseControllerLock(this.store, keyOf(session.prepared.record.manifest), !session.lost);
      await session.prepared.host.close();
    }
  }

  /** The open ask/tell session (opened on first use); refuses once another controller took the experiment over. */
  private async session(): Promise<AskTellSession> {
    const session = this.manual ?? (await this.openSession());
    if (session.lost) {
      throw new WorkbenchError(
        ErrorCode.conflict,
        `experiment '${this.name}' was taken over by another controller (its lease expired or hpo unlock --force removed it); this object stops handing out trials`,
      );
    }
    return session;
  }

  private objectiveMetric(): string {
    return this.manifest.spec.objective?.objectiveMetricName ?? 'objective';
  }

  /**
   * Ask/tell: the next trial to evaluate, or undefined once the experiment is over (goal, budget, exhausted or failed
   * algorithm). Concurrent calls are served by one algorithm request. When the algorithm has nothing to propose
   * until a trial you hold ends (Hyperband between rungs), the call waits for a `tell()` (from another async task),
   * so end the trials you hold before asking again from a single loop; `options.signal` (e.g.
   * `AbortSignal.timeout(ms)`) gives up waiting, rejecting with its reason. A failed algorithm stores the
   * experiment Failed and rejects with its error.
   */
  async ask(options: { readonly signal?: AbortSignal } = {}): Promise<AskedTrial | undefined> {
    const { controller, executor } = await this.session();
    for (;;) {
      const t = await controller.ask(options.signal);
      if (t === undefined) return undefined;
      const started = await Promise.race([executor.started(t.name), controller.ended(t.name).then(() => undefined)]);
      executor.forget(t.name);
      // The trial ended before it reached its executor (its checkpoint could not be prepared): stored Failed.
      if (started === undefined) {
        await controller.settled(t.name);
        continue;
      }
      return {
        name: t.name,
        params: t.params,
        signal: started.signal,
        workDir: started.context.workDir,
        ...(started.context.checkpoint ? { checkpointDir: started.context.checkpoint.dir } : {}),
      };
    }
  }

  /**
   * Ask/tell: reports intermediate values of a trial handed out by `ask()` (a number for the objective metric, or
   * metrics; `step` as in `optimize`'s `report()`), and says whether the trial should stop: true once an
   * early-stopping rule stopped it (it is then recorded EarlyStopped with the values so far, and a later `tell()`
   * returns that record) or the experiment ended. Optuna's `trial.report()` and `should_prune()` in one call.
   */
  async report(trial: string, value: number | Metrics, options: { readonly step?: number } = {}): Promise<boolean> {
    await this.session();
    return this.reportNow(trial, typeof value === 'number' ? { [this.objectiveMetric()]: value } : value, options.step);
  }

  /** `report()` once the session is open: synchronous, as an in-process objective's `report` must be. */
  private reportNow(trial: string, metrics: Metrics, step: number | undefined): boolean {
    const executor = this.manual?.executor;
    if (executor === undefined) return true;
    checkReportStep(step);
    if (!executor.has(trial)) {
      if (executor.wasStopped(trial)) return true;
      throw new WorkbenchError(
        ErrorCode.invalidArgument,
        `trial '${trial}' was not handed out by ask() or was already told`,
      );
    }
    return executor.report(trial, metrics, step);
  }

  /**
   * Ask/tell: reports a trial's final value (a number for the objective metric, or metrics) and ends it; an Error
   * ends it Failed. A trial the controller already stopped (see `report()`) keeps its state and values: its record
   * is returned as stored.
   */
  async tell(trial: string, value: number | Metrics | Error): Promise<TrialRecord> {
    const { controller, executor } = await this.session();
    if (!executor.has(trial) && executor.wasStopped(trial)) return (await controller.settled(trial))!;
    if (!executor.has(trial)) {
      throw new WorkbenchError(
        ErrorCode.invalidArgument,
        `trial '${trial}' was not handed out by ask() or was already told`,
      );
    }
    if (value instanceof Error) executor.fail(trial, value.message);
    else executor.tell(trial, typeof value === 'number' ? { [this.objectiveMetric()]: value } : value);
    const rec = await controller.settled(trial);
    return rec!;
  }

  /** The result document (status, best trial, all trials) as stored now. */
  async result(): Promise<ExperimentResult> {
    const r = await experimentResult(this.store, this.key);
    if (!r) throw new WorkbenchError(ErrorCode.notFound, `experiment '${this.name}' has not been started`);
    return r;
  }

  /**
   * Ends the ask/tell session (trials handed out and not told are stopped as an interrupt stops them, and the
   * experiment stays resumable), releases the lock and the algorithm's worker, and closes a store this object
   * opened.
   */
  async close(): Promise<void> {
    await this.endSession();
    if (this.storeInstance && this.options.store !== this.storeInstance) await this.storeInstance.close();
    this.storeInstance = undefined;
  }
}

/** The store key of a manifest: `metadata.namespace` (default `default`) and `metadata.name`. */
export function keyOf(manifest: ExperimentManifest): ExperimentKey {
  return { namespace: manifest.metadata.namespace ?? defaultNamespace, name: manifest.metadata.name };
}
