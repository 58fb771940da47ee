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
}

/** Formats an issue as one line: `path: message (fix)`. */
export function formatIssue(issue: Issue): string {
  return issue.fix ? `${issue.path}: ${issue.message} Fix: ${issue.fix}` : `${issue.path}: ${issue.message}`;
}
