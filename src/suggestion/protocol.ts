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

/**
 * A worker call's answer. Comlink would flatten a thrown error to its message; the worker answers with the
 * error's code, issues and retryability instead, and the host throws the same WorkbenchError again.
 */
export type Answer<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      readonly error: {
        readonly code: ErrorCode;
        readonly message: string;
        readonly issues: readonly Issue[];
        readonly retryable: boolean;
        readonly stack?: string;
      };
    };

const codes: ReadonlySet<string> = new Set(Object.values(ErrorCode));

function isWorkbenchErrorLike(err: unknown): err is WorkbenchError {
  return (
    err instanceof Error &&
    err.name === 'WorkbenchError' &&
    codes.has((err as WorkbenchError).code) &&
    Array.isArray((err as WorkbenchError).issues)
  );
}

/** Runs `call` and turns what it throws into an {@link Answer} (a plain Error becomes `algorithmFailed`). */
export async function answer<T>(call: () => T | Promise<T>): Promise<Answer<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (err) {
    // By shape, not instanceof: a user module may carry its own copy of the class (another tsx namespace, or the
    // installed package beside our sources).
    const e = isWorkbenchErrorLike(err) ? err : undefined;
    const message = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      error: {
        code: e?.code ?? ErrorCode.algorithmFailed,
        message,
        issues: e?.issues ?? [],
        retryable: e?.retryable ?? false,
        ...(err instanceof Error && err.stack !== undefined ? { stack: err.stack } : {}),
      },
    };
  }
}

/** The value of an {@link Answer}, or the WorkbenchError it carries, thrown again on this side. */
export function unwrap<T>(a: Answer<T>): T {
  if (a.ok) return a.value;
  const { code, message, issues, retryable, stack } = a.error;
  const err = new WorkbenchError(code, message, { issues, retryable });
  if (stack !== undefined) err.stack = stack;
  throw err;
}

/** The API a suggestion worker exposes over comlink. */
export interface WorkerApi {
  /** Loads the algorithm and answers what it declares it can do (plain data, `{}` when it declares nothing). */
  load(ref: AlgorithmRef): Promise<Answer<AlgorithmCapabilities>>;
  validate(settings: Settings, ctx: ValidationContext): Promise<Answer<Issue[]>>;
  suggest(call: SuggestCall): Promise<Answer<SuggestResult>>;
  /** Test hook: makes the worker exit abruptly, as an out-of-memory or native crash would. */
  crash(): void;
}
