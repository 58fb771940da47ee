/**
 * A validation problem: where it is (`spec.parameters[1].feasibleSpace.max`), what is wrong, and how to fix it.
 * Validators return lists of these so a user sees every problem at once.
 */
export interface Issue {
  /** Dotted path into the Experiment, e.g. `spec.parameters[1].feasibleSpace.max`. */
  readonly path: string;
  /** What is wrong, in one sentence. */
  readonly message: string;
  /** What to do about it, when there is something better to say than the message. */
  readonly fix?: string;
  /** `warning`: worth saying, but the Experiment still runs (e.g. something Katib's webhook rejects that is harmless here). */
  readonly severity?: 'warning';
}

/** Issues that stop an Experiment (everything but warnings). */
export function errorsOnly(issues: readonly Issue[]): Issue[] {
  return issues.filter((i) => i.severity !== 'warning');
}

/** Formats an issue as one line: `path: message (fix)`. */
export function formatIssue(issue: Issue): string {
  const head = issue.severity === 'warning' ? `warning: ${issue.path}` : issue.path;
  return issue.fix ? `${head}: ${issue.message} Fix: ${issue.fix}` : `${head}: ${issue.message}`;
}
