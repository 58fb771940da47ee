import { ErrorCode, WorkbenchError } from '../common/errors.ts';

/** Checks a caller's position or limit argument: `value` must be a whole number ≥ `min` (`what` names it). */
export function wholeNumber(value: number, min: number, what: string): void {
  if (!(Number.isSafeInteger(value) && value >= min)) {
    throw new WorkbenchError(ErrorCode.invalidArgument, `${what} must be a whole number ≥ ${min}, got ${value}`);
  }
}
