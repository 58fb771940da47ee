import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import type { SuggestResult } from '../search/types.ts';
import type { ExperimentRecord, TrialRecord } from '../store/types.ts';
import { type Loaded, loadController } from './controllerLoad.ts';
import { type ControllerOptions, ControllerStages } from './controllerStages.ts';
import { activeCount, slotsToFill } from './status.ts';
import type { StepReport } from './stepReport.ts';

export type { SuggestionSource } from './claimAndLaunch.ts';
export type { ControllerOptions } from './controllerStages.ts';
export type { Progress, StepReport, StepState } from './stepReport.ts';

/** A caller waiting in {@link ExperimentController.ask}. */
interface Asker {
  resolve(t: TrialRecord | undefined): void;
  reject(err: unknown): void;
  /** Detaches the caller's abort listener once answered. */
  done?: () => void;
}

/**
 * The Experiment controller, with Katib's semantics (REFERENCE.md §5): fills up to `parallelTrialCount`
 * slots with suggestions, writes each trial before launching it, collects its metrics, judges it, and ends
 * the experiment on goal, max failed, max trials, or an exhausted algorithm. Algorithms propose; only the
 * controller acts. Its work is {@link ExperimentController.step}, a fixed sequence of stages that never waits
 * on the algorithm or on a running trial; {@link ExperimentController.run} is a loop of steps, and tests drive
 * steps by hand.
 */
export class ExperimentController extends ControllerStages {
  /** Callers of {@link ExperimentController.ask} waiting for a trial, oldest first. */
  private readonly askers: Asker[] = [];
  private pumping = false;
  /** The end of the last {@link ExperimentController.exclusive} call. */
  private lockTail: Promise<void> = Promise.resolve();

  /** Reads the experiment and its history from the store and returns a controller ready to step. */
  static async open(options: ControllerOptions): Promise<ExperimentController> {
    return new ExperimentController(options, await loadController(options));
  }

  private constructor(options: ControllerOptions, loaded: Loaded) {
    super(options, loaded);
  }

  /**
   * One controller iteration, in fixed stages: (1) reap: store the ends of trials whose executors returned;
   * then stop on an abort or a failed algorithm; (2) completion: end the experiment when a rule holds;
   * (3) launch: store the algorithm's answer as Pending trials and start them; (4) request: ask the algorithm
   * for the free slots. It waits for no trial and no answer, except to stop trials when the run ends.
   */
  async step(): Promise<StepReport> {
    if (this.final) return this.final;
    await this.settleWrites();
    if (!this.begun) {
      this.begun = true;
      await this.begin();
      const done = this.verdict();
      // Already finished by an earlier run: nothing to do, nothing to record again.
      if (done && (this.record.phase === 'Succeeded' || this.record.phase === 'Failed'))
        return this.report('completed', { verdict: done });
      this.progress();
    }
    const reaped = await this.reap();
    if (this.o.signal?.aborted) return this.interrupt(reaped);
    if (this.request.failure !== undefined) return this.fail(reaped);
    const verdict = this.verdict();
    if (verdict) return this.complete(verdict, reaped);
    const launched = await this.launchAnswer();
    // An answer that broke the algorithm contract fails the experiment now, before anything else is asked.
    if (this.request.failure !== undefined) return this.fail(reaped);
    // An empty answer can exhaust the algorithm with nothing running.
    const exhausted = this.verdict();
    if (exhausted) return this.complete(exhausted, reaped, launched);
    const requested = this.requestSuggestions();
    if (this.live.size === 0 && !this.request.asking && !this.request.ready) {
      this.request.failure = new WorkbenchError(
        ErrorCode.internal,
        'controller has no trial to wait for and nothing to ask',
      );
      return this.fail(reaped);
    }
    return this.report('running', { reaped, launched, requested });
  }

  /**
   * Ask/tell: resolves with a trial created from the algorithm and started (the executor decides when it ends), or
   * with undefined once the experiment is over (goal, budget, exhausted or failed algorithm, interrupt). Callers
   * that ask at once are served by one request for as many points (a batch algorithm proposes a whole rung at
   * once); an algorithm that has nothing to propose until a running trial ends (Hyperband between rungs) is asked
   * again when one ends, so the call waits: it never hands out nothing while the experiment goes on. A caller that
   * holds every running trial must end one before asking again. Aborting `signal` gives up waiting (the call
   * rejects with the abort's reason); a failed algorithm fails the experiment and rejects the waiting calls with
   * its error.
   */
  ask(signal?: AbortSignal): Promise<TrialRecord | undefined> {
    return new Promise<TrialRecord | undefined>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const asker: Asker = { resolve, reject };
      const leave = () => {
        const at = this.askers.indexOf(asker);
        if (at >= 0) this.askers.splice(at, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', leave, { once: true });
      asker.done = () => signal?.removeEventListener('abort', leave);
      this.askers.push(asker);
      void this.pump();
    });
  }

  /** Serves the waiting askers round by round; a round that cannot serve them all says what to wait for. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.askers.length > 0) {
        const wait = await this.exclusive(() => this.askRound());
        if (wait !== undefined) await wait;
      }
    } catch (err) {
      this.answerAll(err, true);
    } finally {
      this.pumping = false;
    }
  }

  /** Resolves every waiting asker with `value` (undefined: the experiment is over), or rejects them with it. */
  private answerAll(value: unknown, reject = false): void {
    for (const a of this.askers.splice(0)) {
      a.done?.();
      if (reject) a.reject(value);
      else a.resolve(value as TrialRecord | undefined);
    }
  }

  /**
   * One round for the waiting askers, under the controller's lock: reap, the completion rules, then one request for
   * as many points as callers wait (within the budget). Returns what to wait for before the next round when the
   * algorithm answered short while trials run.
   */
  private async askRound(): Promise<Promise<void> | undefined> {
    await this.settleWrites();
    if (!this.begun) {
      this.begun = true;
      await this.begin();
      this.progress();
    }
    if (this.final) {
      this.answerAll(undefined);
      return undefined;
    }
    await this.reap();
    if (this.o.signal?.aborted) {
      await this.interrupt([]);
      this.answerAll(undefined);
      return undefined;
    }
    const verdict = this.verdict();
    if (verdict) {
      await this.complete(verdict, []);
      this.answerAll(undefined);
      return undefined;
    }
    const want = slotsToFill(
      this.book.counts,
      activeCount(this.book.counts) + this.askers.length,
      this.config.budget.maxTrialCount,
    );
    // The budget is held by trials still running: no further trial will ever be created.
    if (want === 0) {
      this.answerAll(undefined);
      return undefined;
    }
    const askedAt = this.changes;
    let result: SuggestResult;
    try {
      result = await this.suggestUnlessAborted(want);
    } catch (err) {
      // Interrupted while the algorithm thought: the next round stores the interrupt.
      if (this.o.signal?.aborted) return undefined;
      return this.failAsk(err);
    }
    let created: TrialRecord[];
    try {
      created = await this.storeAnswer(result, want);
    } catch (err) {
      if (err instanceof WorkbenchError && err.code === ErrorCode.algorithmFailed) return this.failAsk(err);
      throw err;
    }
    for (const t of created) {
      await this.launch(t);
      const asker = this.askers.shift();
      asker?.done?.();
      asker?.resolve(this.book.records.get(t.name));
    }
    if (this.askers.length === 0 || this.endedQueue.length > 0) return undefined;
    if (this.live.size === 0) {
      // Nothing runs and the algorithm, knowing every result, proposes nothing: it never will.
      if (created.length === 0 && this.changes === askedAt) this.exhausted = true;
      return undefined;
    }
    return this.changed();
  }

  /** The algorithm failed: the experiment fails as a run's would, and the waiting askers get its error. */
  private async failAsk(err: unknown): Promise<undefined> {
    this.request.failure = err;
    await this.fail([]);
    this.answerAll(err, true);
    return undefined;
  }

  /** Asks the algorithm for `count` points; an abort of the run cancels a request still thinking. */
  private async suggestUnlessAborted(count: number): Promise<SuggestResult> {
    const signal = this.o.signal;
    const cancel = () => {
      this.o.host.cancel().catch(() => undefined);
    };
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      return await this.suggest(count);
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  }

  /** Runs `fn` after every earlier call has finished: ask rounds and trial ends never interleave their stages. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lockTail.then(fn);
    this.lockTail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /**
   * Ask/tell: resolves once a launched trial's final state is stored, then applies the completion rules (stopping
   * the trials still running when one holds) and wakes the callers waiting in {@link ExperimentController.ask}.
   */
  async settled(name: string): Promise<TrialRecord | undefined> {
    await this.live.get(name)?.ended;
    return this.exclusive(async () => {
      await this.settleWrites();
      await this.reap();
      const verdict = this.final ? undefined : this.verdict();
      if (verdict) await this.complete(verdict, []);
      this.notify();
      return this.book.records.get(name);
    });
  }

  /**
   * Ask/tell: ends the session as an interrupt does (running trials Killed, reason `Interrupted`, the experiment
   * left resumable) unless it already ended; waiting askers get undefined.
   */
  async interruptAsk(): Promise<void> {
    await this.exclusive(async () => {
      if (!this.final && this.begun) await this.interrupt([]);
      this.answerAll(undefined);
    });
  }

  /** Writes buffered observations every `intervalMs` while an ask/tell session runs; returns the stop. */
  keepFlushing(intervalMs: number = this.o.flushIntervalMs ?? 500): () => void {
    const timer = setInterval(() => this.flushInBackground(), intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Resolves once a launched trial's executor returned (at once for a trial not running). */
  async ended(name: string): Promise<void> {
    await this.live.get(name)?.ended;
  }

  /** The experiment as stored now. */
  get current(): ExperimentRecord {
    return this.record;
  }

  /**
   * Runs the experiment to completion (or until `signal` aborts) and returns the final record: steps, waiting
   * between them for whichever comes first (a trial's end, the algorithm's answer, the abort). Safe to call
   * on an experiment that a crashed process left behind: it resumes.
   */
  async run(): Promise<ExperimentRecord> {
    const flush = setInterval(() => this.flushInBackground(), this.o.flushIntervalMs ?? 500);
    flush.unref();
    try {
      while ((await this.step()).state === 'running') await this.changed();
      return this.record;
    } finally {
      clearInterval(flush);
      // A write still running when a step failed must not outlive the run unobserved.
      await this.writesSettled();
    }
  }
}
