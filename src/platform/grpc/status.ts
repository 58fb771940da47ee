import { type ServiceError, status } from '@grpc/grpc-js';
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import { formatIssue, type Issue } from '../../common/issue.ts';

/**
 * A failed call as gRPC reports it: a status code and the details string Katib's controller logs (and, for
 * validation, copies into the Suggestion's "Validation failed: …" condition).
 */
export class GrpcStatusError extends Error {
  readonly code: status;

  /** `details` is the whole message the client sees. */
  constructor(code: status, details: string) {
    super(details);
    this.name = 'GrpcStatusError';
    this.code = code;
  }
}

/** `INVALID_ARGUMENT` listing every issue, one `path: message` per line after `what`. */
export function invalidArgument(what: string, issues: readonly Issue[]): GrpcStatusError {
  const lines = issues.map(formatIssue);
  return new GrpcStatusError(status.INVALID_ARGUMENT, lines.length === 0 ? what : `${what}: ${lines.join('; ')}`);
}

/**
 * Any error thrown while answering, as a gRPC status. A WorkbenchError that blames the input (invalid settings at
 * suggest time) is INVALID_ARGUMENT, one naming a missing object (a Trial SetTrialStatus cannot find) NOT_FOUND;
 * anything else is INTERNAL. Katib's controller counts only INVALID_ARGUMENT and
 * UNKNOWN as a failed validation, so the validation handlers map crashes themselves.
 */
export function toGrpcStatus(error: unknown): GrpcStatusError {
  if (error instanceof GrpcStatusError) return error;
  if (error instanceof WorkbenchError) {
    const code =
      error.code === ErrorCode.notFound
        ? status.NOT_FOUND
        : error.isBadInput
          ? status.INVALID_ARGUMENT
          : status.INTERNAL;
    return new GrpcStatusError(code, error.describe().replace(/\n\s*-\s*/g, '; '));
  }
  const text = error instanceof Error ? error.message : String(error);
  return new GrpcStatusError(status.INTERNAL, text);
}

/** The `ServiceError` grpc-js sends for `error`. */
export function toServiceError(error: unknown): Partial<ServiceError> {
  const e = toGrpcStatus(error);
  return { code: e.code, details: e.message, message: e.message };
}
