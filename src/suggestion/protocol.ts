import type { Issue } from '../common/issue.ts';
import type { Settings, SuggestRequest, SuggestResult, TrialView, ValidationContext } from '../search/types.ts';

/** Which algorithm a worker hosts: a built-in by name, or a user module that exports one. */
export interface AlgorithmRef {
  readonly name: string;
  /** File URL or path of a module whose default export (or `algorithm` export) is a SearchAlgorithm or a factory of one. */
  readonly moduleUrl?: string;
}

/**
 * A suggestion request as it crosses the worker boundary: only the trials that changed since the last call
 * (`upserts`), or the whole history after a (re)start (`reset`). The worker rebuilds the full
 * {@link SuggestRequest} so the algorithm contract (full history in) is unchanged.
 */
export interface SuggestCall {
  readonly reset: boolean;
  readonly upserts: readonly TrialView[];
  /** Trials sent earlier that the history no longer holds (Killed ones, whose slots are reissued). */
  readonly removals: readonly string[];
  readonly request: Omit<SuggestRequest, 'trials'>;
}

/** The API a suggestion worker exposes over comlink. */
export interface WorkerApi {
  load(ref: AlgorithmRef): Promise<void>;
  validate(settings: Settings, ctx: ValidationContext): Promise<Issue[]>;
  suggest(call: SuggestCall): Promise<SuggestResult>;
  /** Test hook: makes the worker exit abruptly, as an out-of-memory or native crash would. */
  crash(): void;
}
