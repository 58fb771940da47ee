import { ErrorCode, throwIfIssues, WorkbenchError } from '../common/errors.ts';
import { type BuildManifestOptions, buildManifest } from '../spec/create.ts';
import type { ExperimentManifest } from '../spec/types.ts';
import { openStore } from '../store/open.ts';
import {
  defaultNamespace,
  describeExperimentKey,
  type ExperimentKey,
  type Store,
  type TrialRecord,
} from '../store/types.ts';
import { LocalDistributedExecutor } from '../training/local/executor.ts';
import { needsDistributedLauncher } from '../training/local/plan.ts';
import type { TrialExecutor } from '../trial/executor.ts';
import { InProcessExecutor, type Metrics, type Objective } from '../trial/inProcess.ts';
import { localRunProblems } from '../trial/localPreflight.ts';
import { LocalProcessExecutor } from '../trial/localProcess.ts';
import { ExperimentController, type Progress } from './controller.ts';
import { keepLease } from './lease.ts';
import { ManualExecutor } from './manualExecutor.ts';
import {
  type BudgetEdit,
  type CheckedForRun,
  checkForRun,
  type Prepared,
  parseForThisInstallation,
  recordExperiment,
} from './prepare.ts';
import { type ExperimentResult, experimentResult } from './report.ts';

/** Where an Experiment keeps its records, and how a run reports progress. */
export interface ExperimentOptions {
  /** A Store, a store path (default: `HPO_STORE` or `.hpo` in the current directory), or `':memory:'` for a throw-away one. */
  readonly store?: Store | string;
  /** The YAML file the Experiment came from; relative paths in it resolve against its folder. */
  readonly sourcePath?: string;
  /** The clock of every timestamp the experiment writes (default: the system clock; tests pass a fake one). */
  readonly now?: () => Date;
}

/** Options of one run. */
export interface RunOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: Progress) => void;
  /** Overrides the executor (tests, custom backends). */
  readonly executor?: TrialExecutor;
  /**
   * New budget fields for a stored experiment (`hpo resume --max-trials`), with Katib's rules for editing them.
   * Stored only once this run holds the experiment's lock: a run refused because another controller runs the
   * experiment changes nothing.
   */
  readonly budget?: BudgetEdit;
}

/** A trial handed out by {@link Experiment.ask}. */
export interface AskedTrial {
  readonly name: string;
  readonly params: TrialRecord['params'];
}

/**
 * A Katib Experiment that runs here. Built from YAML (`Experiment.fromManifest`) or TypeScript
 * (`Experiment.create`); the same object runs trials in-process (`optimize`), as local processes from its
 * trial template (`run`), or hands them out one by one (`ask`/`tell`). Everything is stored, so a run
 * that dies is continued by running the same experiment again.
 */
export class Experiment {
  #manifest: ExperimentManifest;
  private readonly options: ExperimentOptions;
  private storeInstance: Store | undefined;
  /** The ask/tell session: its controller and executor, the lock's lease, and whether the lock was lost. */
  private manual:
    | {
        controller: ExperimentController;
        executor: ManualExecutor;
        prepared: Prepared;
        lease: { stop(): void };
        lost: boolean;
      }
    | undefined;

  private constructor(manifest: ExperimentManifest, options: ExperimentOptions) {
    this.#manifest = manifest;
    this.options = options;
  }

  /** The Katib Experiment object; after a run with a `budget`, with that budget. */
  get manifest(): ExperimentManifest {
    return this.#manifest;
  }

  /** Builds an Experiment from TypeScript options (the same fields as Katib's spec). */
  static create(options: BuildManifestOptions & ExperimentOptions): Experiment {
    const { store, sourcePath, now, ...manifestOptions } = options;
    const opts: ExperimentOptions = {
      ...(store === undefined ? {} : { store }),
      ...(sourcePath === undefined ? {} : { sourcePath }),
      ...(now === undefined ? {} : { now }),
    };
    return new Experiment(buildManifest(manifestOptions), opts);
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

  private async drive(executor: TrialExecutor, inProcess: boolean, run: RunOptions): Promise<ExperimentResult> {
    const source = this.options.sourcePath === undefined ? {} : { sourcePath: this.options.sourcePath };
    const checked = await checkForRun(this.manifest, { inProcess, ...source });
    const name = keyOf(checked.manifest);
    const prepared = await this.claim(checked, run.budget);
    // Later runs of this object continue with the edited budget instead of restoring the old one.
    if (run.budget !== undefined)
      this.#manifest = { ...this.#manifest, spec: { ...this.#manifest.spec, ...run.budget } };
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
      await this.store.releaseExperimentLock(name);
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
        await this.store.releaseExperimentLock(name);
        throw err;
      }
    } catch (err) {
      await checked.host.close();
      throw err;
    }
  }

  /** Renews the lock's lease while this object drives the experiment; `onLost` runs once if it is taken over. */
  private holdLease(name: ExperimentKey, onLost: () => void): { stop(): void } {
    return keepLease({
      store: this.store,
      experiment: name,
      onLost: () => {
        // The event is for the record; stopping must not wait for it nor fail with it.
        void this.store
          .addEvent({
            experiment: name.name,
            ...(name.namespace === defaultNamespace ? {} : { namespace: name.namespace }),
            type: 'Warning',
            reason: 'ControllerLockLost',
            message: `process ${process.pid} lost the experiment lock (its lease expired and was taken over, or hpo unlock --force removed it); it stops its trials so that only one controller drives the experiment`,
            time: (this.options.now?.() ?? new Date()).toISOString(),
          })
          .catch(() => undefined);
        onLost();
      },
    });
  }

  /** Two controllers must never run one experiment; a lock left by a dead process, or expired, is taken over. */
  private async lock(key: ExperimentKey): Promise<void> {
    const name = describeExperimentKey(key);
    if (await this.store.acquireExperimentLock(key)) return;
    const held = await this.store.getExperimentLock(key);
    const beat = held?.heartbeatAt === undefined ? '' : `, last heartbeat ${held.heartbeatAt}`;
    throw new WorkbenchError(
      ErrorCode.conflict,
      `experiment '${name}' is being run by process ${held?.pid ?? '?'} on ${held?.host ?? 'another host'} since ${held?.acquiredAt ?? '?'}${beat}; wait for it or stop it first (if that controller is gone for good: hpo unlock ${name} --force)`,
    );
  }

  /**
   * Runs every trial as a call of `objective` in this process (`report()` is the Push collector).
   *
   * Not a loop over the public `ask()`/`tell()` (Optuna's shape), on purpose: `ask()` asks the algorithm for one
   * point and waits for it, so such a loop would call the algorithm once per trial instead of once per free
   * slots (batch algorithms such as Hyperband propose whole rungs), would block launching while the algorithm
   * thinks, and would have to rebuild the abort/interrupt handling (a spinning worker is cancelled, not awaited),
   * the controller lease and the checkpoint folders outside the controller. Instead both share the controller's
   * stages (`ExperimentController.step()`: reap, completion, launch, request): `optimize()` runs its
   * `InProcessExecutor` under `step()`, `ask()`/`tell()` run the same reap and completion stages around a
   * `ManualExecutor`.
   */
  optimize(objective: Objective, run: RunOptions = {}): Promise<ExperimentResult> {
    const metric = this.manifest.spec.objective?.objectiveMetricName ?? 'objective';
    return this.drive(new InProcessExecutor(objective, { objectiveMetric: metric }), true, run);
  }

  /**
   * Runs every trial from the trial template on this machine, choosing the executor exactly as `hpo run` does:
   * the local distributed launcher for multi-replica jobs or GPU requests, otherwise one local process of the
   * primary container. `run.executor` overrides the choice (tests, custom backends).
   */
  run(run: RunOptions = {}): Promise<ExperimentResult> {
    return this.drive(run.executor ?? this.templateExecutor(), false, run);
  }

  /**
   * The executor `run()` uses for this experiment's trial template. Throws `unsupported`, with every problem, when
   * the template cannot run on this machine at all (a cluster-only workflow, a program that exists only in
   * the image), and `invalidSpec`, with the same issues as a run, when the Experiment does not validate.
   */
  templateExecutor(): TrialExecutor {
    const problems = localRunProblems(this.manifest);
    if (problems.length > 0) {
      throw new WorkbenchError(ErrorCode.unsupported, `Experiment '${this.name}' cannot run on this machine:`, {
        issues: problems,
      });
    }
    // Executors take the parsed config; an invalid Experiment fails here exactly as the run's own check would.
    const parsed = parseForThisInstallation(this.manifest);
    if (parsed.config === undefined) throwIfIssues(parsed.issues, `Experiment '${this.name}'`);
    const options = {
      config: parsed.config!,
      ...(this.options.sourcePath === undefined ? {} : { sourcePath: this.options.sourcePath }),
    };
    const spec = options.config.trialTemplate?.trialSpec;
    return spec && needsDistributedLauncher(spec)
      ? new LocalDistributedExecutor(options)
      : new LocalProcessExecutor(options);
  }

  private async manualController(): Promise<{ controller: ExperimentController; executor: ManualExecutor }> {
    if (!this.manual) {
      // Ask/tell drives the experiment like a run: it holds the lock (and its lease) until close().
      const checked = await checkForRun(this.manifest, {
        inProcess: true,
        ...(this.options.sourcePath === undefined ? {} : { sourcePath: this.options.sourcePath }),
      });
      const prepared = await this.claim(checked);
      const lease = this.holdLease(keyOf(checked.manifest), () => {
        if (this.manual) this.manual.lost = true;
      });
      const executor = new ManualExecutor(this.options.now);
      const controller = await ExperimentController.open({
        store: this.store,
        experiment: keyOf(checked.manifest),
        executor,
        host: prepared.host,
        settings: prepared.settings,
        earlyStopping: prepared.earlyStopping,
        ...(this.options.now === undefined ? {} : { now: this.options.now }),
      });
      this.manual = { controller, executor, prepared, lease, lost: false };
    }
    const manual = this.manual;
    if (manual.lost) {
      throw new WorkbenchError(
        ErrorCode.conflict,
        `experiment '${this.name}' was taken over by another controller (its lease expired or hpo unlock --force removed it); this object stops handing out trials`,
      );
    }
    return manual;
  }

  /** Ask/tell: the next trial to evaluate, or undefined when the experiment is complete. */
  async ask(): Promise<AskedTrial | undefined> {
    const { controller } = await this.manualController();
    const t = await controller.ask();
    return t ? { name: t.name, params: t.params } : undefined;
  }

  /**
   * Ask/tell: reports intermediate values of a trial handed out by `ask()` (a number for the objective metric, or
   * metrics; `step` as in `optimize`'s `report()`), and says whether the trial should stop: true once an
   * early-stopping rule stopped it (it is then recorded EarlyStopped with the values so far, and a later `tell()`
   * returns that record) or the experiment ended. Optuna's `trial.report()` and `should_prune()` in one call.
   */
  async report(trial: string, value: number | Metrics, options: { readonly step?: number } = {}): Promise<boolean> {
    const { executor } = await this.manualController();
    const step = options.step;
    if (step !== undefined && !(Number.isSafeInteger(step) && step >= 0)) {
      throw new WorkbenchError(ErrorCode.invalidArgument, `report(): step must be a whole number >= 0, got ${step}`);
    }
    if (!executor.has(trial)) {
      if (executor.wasStopped(trial)) return true;
      throw new WorkbenchError(
        ErrorCode.invalidArgument,
        `trial '${trial}' was not handed out by ask() or was already told`,
      );
    }
    const metric = this.manifest.spec.objective?.objectiveMetricName ?? 'objective';
    return executor.report(trial, typeof value === 'number' ? { [metric]: value } : value, step);
  }

  /**
   * Ask/tell: reports a trial's final value (a number for the objective metric, or metrics) and ends it; an Error
   * ends it Failed. A trial the controller already stopped (see `report()`) keeps its state and values: its record
   * is returned as stored.
   */
  async tell(trial: string, value: number | Metrics | Error): Promise<TrialRecord> {
    const { controller, executor } = await this.manualController();
    if (!executor.has(trial) && executor.wasStopped(trial)) return (await controller.settled(trial))!;
    if (!executor.has(trial)) {
      throw new WorkbenchError(
        ErrorCode.invalidArgument,
        `trial '${trial}' was not handed out by ask() or was already told`,
      );
    }
    if (value instanceof Error) executor.fail(trial, value.message);
    else {
      const metric = this.manifest.spec.objective?.objectiveMetricName ?? 'objective';
      executor.tell(trial, typeof value === 'number' ? { [metric]: value } : value);
    }
    const rec = await controller.settled(trial);
    return rec!;
  }

  /** The result document (status, best trial, all trials) as stored now. */
  async result(): Promise<ExperimentResult> {
    const r = await experimentResult(this.store, this.key);
    if (!r) throw new WorkbenchError(ErrorCode.notFound, `experiment '${this.name}' has not been started`);
    return r;
  }

  /** Stops the ask/tell worker and closes a store this object opened. */
  async close(): Promise<void> {
    if (this.manual) {
      this.manual.lease.stop();
      if (!this.manual.lost) await this.store.releaseExperimentLock(keyOf(this.manual.prepared.record.manifest));
      await this.manual.prepared.host.close();
    }
    this.manual = undefined;
    if (this.storeInstance && this.options.store !== this.storeInstance) await this.storeInstance.close();
    this.storeInstance = undefined;
  }
}

/** The store key of a manifest: `metadata.namespace` (default `default`) and `metadata.name`. */
export function keyOf(manifest: ExperimentManifest): ExperimentKey {
  return { namespace: manifest.metadata.namespace ?? defaultNamespace, name: manifest.metadata.name };
}
