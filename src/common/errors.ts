import { errorsOnly, formatIssue, type Issue } from './issue.ts';

/** Every error code the workbench raises; the CLI maps `invalid*` codes to exit status 2. */
export const ErrorCode = {
  invalidSpec: 'INVALID_SPEC',
  invalidArgument: 'INVALID_ARGUMENT',
  notFound: 'NOT_FOUND',
  conflict: 'CONFLICT',
  algorithmFailed: 'ALGORITHM_FAILED',
  workerCrashed: 'WORKER_CRASHED',
  executorFailed: 'EXECUTOR_FAILED',
  storeFailed: 'STORE_FAILED',
  unsupported: 'UNSUPPORTED',
  internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const badInput: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.invalidSpec,
  ErrorCode.invalidArgument,
  ErrorCode.notFound,
  ErrorCode.conflict,
  ErrorCode.unsupported,
]);

/** The one error class of the workbench: a code from {@link ErrorCode}, optional issues, a cause, and whether a retry may help. */
export class WorkbenchError extends Error {
  readonly code: ErrorCode;
  readonly issues: readonly Issue[];
  readonly retryable: boolean;

  constructor(
    code: ErrorCode,
    message: string,
    options: { issues?: readonly Issue[]; cause?: unknown; retryable?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WorkbenchError';
    this.code = code;
    this.issues = options.issues ?? [];
    this.retryable = options.retryable ?? false;
  }

  /** True when the error is the user's input (the CLI exits 2), false for a failure of the run itself. */
  get isBadInput(): boolean {
    return badInput.has(this.code);
  }

  /** The message followed by one line per issue. */
  describe(): string {
    if (this.issues.length === 0) return this.message;
    return [this.message, ...this.issues.map((i) => `  - ${formatIssue(i)}`)].join('\n');
  }
}

/** Throws an `invalidSpec` error carrying the issues when there are any besides warnings. */
export function throwIfIssues(all: readonly Issue[], what: string): void {
  const issues = errorsOnly(all);
  if (issues.length > 0) {
    throw new WorkbenchError(
      ErrorCode.invalidSpec,
      `${what} has ${issues.length} problem${issues.length === 1 ? '' : 's'}:`,
      {
        issues,
      },
    );
  }
}
