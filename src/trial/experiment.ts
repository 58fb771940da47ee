import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import { type BuildManifestOptions, buildManifest } from '../spec/create.ts';
import type { ExperimentManifest } from '../spec/types.ts';
import { openStore } from '../store/open.ts';
import type { Store, TrialRecord } from '../store/types.ts';
import { ExperimentController, type Progress } from './controller.ts';
import type { TrialExecutor } from './executor.ts';
import { InProcessExecutor, type Metrics, type Objective } from './inProcess.ts';
import { LocalProcessExecutor } from './localProcess.ts';
import { ManualExecutor } from './manualExecutor.ts';
import { type Prepared, prepareExperiment } from './prepare.ts';
import { type ExperimentResult, experimentResult } from './report.ts';

/** Where an Experiment keeps its records, and how a run reports progress. */
export interface ExperimentOptions {
  /** A Store, a store path (default: `HPO_STORE` or `.hpo` in the current directory), or `':memory:'` for a throw-away one. */
  readonly store?: Store | string;
  /** The YAML file the Experiment came from; relative paths in it resolve against its folder. */
  readonly sourcePath?: string;
}

/** Options of one run. */
export interface RunOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: Progress) => void;
  /** Overrides the executor (tests, custom backends). */
  readonly executor?: TrialExecutor;
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
  readonly manifest: ExperimentManifest;
  private readonly options: ExperimentOptions;
  private storeInstance: Store | undefined;
  private manual: { controller: ExperimentController; executor: ManualExecutor; prepared: Prepared } | undefined;

  private constructor(manifest: ExperimentManifest, options: ExperimentOptions) {
    this.manifest = manifest;
    this.options = options;
  }

  /** Builds an Experiment from TypeScript options (the same fields as Katib's spec). */
  static create(options: BuildManifestOptions & ExperimentOptions): Experiment {
    const { store, sourcePath, ...manifestOptions } = options;
    const opts: ExperimentOptions = {
      ...(store === undefined ? {} : { store }),
      ...(sourcePath === undefined ? {} : { sourcePath }),
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

  /** The store this experiment writes to (opened on first use). */
  get store(): Store {
    if (!this.storeInstance) {
      const s = this.options.store;
      this.storeInstance = s === undefined || typeof s === 'string' ? openStore(s) : s;
    }
    return this.storeInstance;
  }

  private async drive(executor: TrialExecutor, inProcess: boolean, run: RunOptions): Promise<ExperimentResult> {
    const prepared = await prepareExperiment(this.manifest, {
      store: this.store,
      inProcess,
      ...(this.options.sourcePath === undefined ? {} : { sourcePath: this.options.sourcePath }),
    });
    const name = prepared.record.name;
    try {
      this.lock(name);
    } catch (err) {
      await prepared.host.close();
      throw err;
    }
    try {
      const controller = new ExperimentController({
        store: this.store,
        experiment: name,
        executor: run.executor ?? executor,
        host: prepared.host,
        settings: prepared.settings,
        earlyStopping: prepared.earlyStopping,
        ...(run.signal === undefined ? {} : { signal: run.signal }),
        ...(run.onProgress === undefined ? {} : { onProgress: run.onProgress }),
      });
      await controller.run();
    } finally {
      await (run.executor ?? executor).close?.();
      this.store.releaseExperimentLock(name);
      await prepared.host.close();
    }
    return this.result();
  }

  /** Two controllers must never run one experiment; a lock left by a dead process is taken over. */
  private lock(name: string): void {
    if (this.store.acquireExperimentLock(name)) return;
    const held = this.store.getExperimentLock(name);
    throw new WorkbenchError(
      ErrorCode.conflict,
      `experiment '${name}' is being run by process ${held?.pid ?? '?'} on ${held?.host ?? 'another host'} since ${held?.acquiredAt ?? '?'}; wait for it or stop it first`,
    );
  }

  /** Runs every trial as a call of `objective` in this process (`report()` is the Push collector). */
  optimize(objective: Objective, run: RunOptions = {}): Promise<ExperimentResult> {
    const metric = this.manifest.spec.objective?.objectiveMetricName ?? 'objective';
    return this.drive(new InProcessExecutor(objective, { objectiveMetric: metric }), true, run);
  }

  /**
   * Runs every trial as a local process from the trial template's primary container, or with `run.executor`
   * (e.g. `LocalDistributedExecutor` for multi-replica jobs — `hpo run` picks it by itself).
   */
  run(run: RunOptions = {}): Promise<ExperimentResult> {
    const executor =
      run.executor ??
      new LocalProcessExecutor({
        manifest: this.manifest,
        ...(this.options.sourcePath === undefined ? {} : { sourcePath: this.options.sourcePath }),
      });
    return this.drive(executor, false, run);
  }

  private async manualController(): Promise<{ controller: ExperimentController; executor: ManualExecutor }> {
    if (!this.manual) {
      const prepared = await prepareExperiment(this.manifest, {
        store: this.store,
        inProcess: true,
        ...(this.options.sourcePath === undefined ? {} : { sourcePath: this.options.sourcePath }),
      });
      const executor = new ManualExecutor();
      const controller = new ExperimentController({
        store: this.store,
        experiment: prepared.record.name,
        executor,
        host: prepared.host,
        settings: prepared.settings,
        earlyStopping: prepared.earlyStopping,
      });
      this.manual = { controller, executor, prepared };
    }
    return this.manual;
  }

  /** Ask/tell: the next trial to evaluate, or undefined when the experiment is complete. */
  async ask(): Promise<AskedTrial | undefined> {
    const { controller } = await this.manualController();
    const t = await controller.ask();
    return t ? { name: t.name, params: t.params } : undefined;
  }

  /** Ask/tell: reports a trial's final value (a number for the objective metric, or metrics) and ends it. */
  async tell(trial: string, value: number | Metrics | Error): Promise<TrialRecord> {
    const { controller, executor } = await this.manualController();
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
  result(): ExperimentResult {
    const r = experimentResult(this.store, this.name);
    if (!r) throw new WorkbenchError(ErrorCode.notFound, `experiment '${this.name}' has not been started`);
    return r;
  }

  /** Stops the ask/tell worker and closes a store this object opened. */
  async close(): Promise<void> {
    if (this.manual) await this.manual.prepared.host.close();
    this.manual = undefined;
    if (this.storeInstance && this.options.store !== this.storeInstance) this.storeInstance.close();
    this.storeInstance = undefined;
  }
}
