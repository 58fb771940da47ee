import { Worker } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import type { Issue } from '../common/issue.ts';
import type {
  AlgorithmCapabilities,
  Settings,
  SuggestRequest,
  SuggestResult,
  TrialView,
  ValidationContext,
} from '../search/types.ts';
import { type AlgorithmRef, unwrap, type WorkerApi } from './protocol.ts';

/** Starts the worker module, from compiled `.js` directly or, under tsx/vitest, through tsx's loader. */
function spawnWorker(): Worker {
  const self = import.meta.url;
  if (self.endsWith('.ts')) {
    // Node 20 cannot start a .ts worker by URL; register tsx's ESM hooks inside the worker first.
    const tsxApi = import.meta.resolve('tsx/esm/api');
    const workerUrl = new URL('./worker.ts', self).href;
    const boot = `(async () => { const { register } = await import(${JSON.stringify(tsxApi)}); register(); await import(${JSON.stringify(workerUrl)}); })().catch((e) => { console.error(e); process.exit(71); });`;
    return new Worker(boot, { eval: true });
  }
  return new Worker(new URL('./worker.js', self));
}

interface Live {
  worker: Worker;
  api: Comlink.Remote<WorkerApi>;
  /** Rejects when the worker dies, so no call waits forever on a dead thread. */
  died: Promise<never>;
  sent: WeakSet<TrialView>;
  /** False until the first suggest call: the first call after a (re)start sends the full history. */
  primed: boolean;
  /** Names of the trials the worker's mirror holds. */
  names: Set<string>;
  /** What the loaded algorithm declared. */
  capabilities: AlgorithmCapabilities;
}

/**
 * Runs one search algorithm in a worker thread so the controller never blocks on it. Sends only the trials
 * that changed since the last call; after a worker crash it starts a new worker, resends the full history
 * and retries the call once, then fails with `WORKER_CRASHED`.
 */
export class SuggestionHost {
  readonly ref: AlgorithmRef;
  private live: Live | undefined;
  private closed = false;
  /** Bumped by {@link SuggestionHost.cancel}: a call that started before it fails instead of retrying. */
  private cancels = 0;
  /** A worker still loading its algorithm (not yet `live`), so that cancel can stop it too. */
  private starting: Worker | undefined;
  /** How many times a worker was restarted after a crash (for events and tests). */
  restarts = 0;

  constructor(ref: AlgorithmRef) {
    this.ref = ref;
  }

  private async start(): Promise<Live> {
    const worker = spawnWorker();
    worker.unref();
    this.starting = worker;
    const died = new Promise<never>((_, reject) => {
      const fail = (why: string): void => {
        reject(
          new WorkbenchError(ErrorCode.workerCrashed, `suggestion worker for '${this.ref.name}' ${why}`, {
            retryable: true,
          }),
        );
      };
      worker.once('error', (err) => fail(`crashed: ${err.message}`));
      worker.once('exit', (code) => fail(`exited with code ${code}`));
    });
    died.catch(() => {});
    const api = Comlink.wrap<WorkerApi>(nodeEndpoint(worker));
    try {
      const capabilities = unwrap(await Promise.race([api.load(this.ref), died]));
      return { worker, api, died, sent: new WeakSet(), primed: false, names: new Set(), capabilities };
    } finally {
      if (this.starting === worker) this.starting = undefined;
    }
  }

  private cancelled(cause: unknown): WorkbenchError {
    return new WorkbenchError(ErrorCode.workerCrashed, `suggestion from '${this.ref.name}' was cancelled`, { cause });
  }

  private async withWorker<T>(call: (live: Live) => Promise<T>): Promise<T> {
    if (this.closed) throw new WorkbenchError(ErrorCode.internal, 'suggestion host is closed');
    const cancelsAtStart = this.cancels;
    for (let attempt = 0; ; attempt++) {
      if (!this.live) {
        try {
          this.live = await this.start();
        } catch (err) {
          throw this.cancels === cancelsAtStart ? err : this.cancelled(err);
        }
      }
      const live = this.live;
      try {
        return await Promise.race([call(live), live.died]);
      } catch (err) {
        const crashed = err instanceof WorkbenchError && err.code === ErrorCode.workerCrashed;
        if (!crashed) throw err;
        if (this.live === live) this.live = undefined;
        void live.worker.terminate();
        if (this.cancels !== cancelsAtStart) throw this.cancelled(err);
        if (attempt >= 1 || this.closed) {
          throw new WorkbenchError(ErrorCode.workerCrashed, `${err.message}; it was restarted once and failed again`, {
            cause: err,
          });
        }
        this.restarts++;
      }
    }
  }

  /** What the hosted algorithm declares it can do (`SearchAlgorithm.capabilities`), read when its worker loads it. */
  capabilities(): Promise<AlgorithmCapabilities> {
    return this.withWorker(async (live) => live.capabilities);
  }

  /** Katib's ValidateAlgorithmSettings. */
  validate(settings: Settings, ctx: ValidationContext): Promise<Issue[]> {
    return this.withWorker(async (live) => unwrap(await live.api.validate(settings, ctx)));
  }

  /** Katib's GetSuggestions: `req.trials` is the full history; only what changed crosses the thread boundary. */
  suggest(req: SuggestRequest): Promise<SuggestResult> {
    return this.withWorker(async (live) => {
      const reset = !live.primed;
      const upserts = req.trials.filter((t) => !live.sent.has(t));
      // The mirror holds more names than the history keeps: some were dropped (Killed), so say which.
      const fresh = upserts.filter((t) => !live.names.has(t.name)).length;
      let removals: string[] = [];
      if (!reset && live.names.size > req.trials.length - fresh) {
        const current = new Set(req.trials.map((t) => t.name));
        removals = [...live.names].filter((n) => !current.has(n));
      }
      const { trials: _all, ...request } = req;
      const result = unwrap(await live.api.suggest({ reset, upserts, removals, request }));
      for (const t of upserts) {
        live.sent.add(t);
        live.names.add(t.name);
      }
      for (const n of removals) live.names.delete(n);
      live.primed = true;
      return result;
    });
  }

  /** Test hook: crashes the current worker. */
  async crashWorkerForTest(): Promise<void> {
    if (!this.live) this.live = await this.start();
    const live = this.live;
    live.api.crash().catch(() => {});
    await live.died.catch(() => {});
  }

  /**
   * Terminates the worker now, so that a call in flight fails at once instead of waiting for an algorithm
   * that may never answer (the controller calls this on an interrupt). The next call starts a fresh worker.
   */
  async cancel(): Promise<void> {
    this.cancels++;
    const workers = [this.live?.worker, this.starting];
    this.live = undefined;
    this.starting = undefined;
    await Promise.all(workers.map((w) => w?.terminate()));
  }

  /** Stops the worker. */
  async close(): Promise<void> {
    this.closed = true;
    const live = this.live;
    this.live = undefined;
    if (live) {
      live.api[Comlink.releaseProxy]();
      await live.worker.terminate();
    }
  }
}
