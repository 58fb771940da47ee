import { derive } from '../rng.ts';

/**
 * PBT names its trials (Katib's service uses `<experiment>-<uuid4>`; we use deterministic names so a
 * resumed or repeated run names trials the same way): `<experiment>-g<generation>-<slot>`, and
 * `…-r<n>` for the n-th retry of a member whose trial failed. Names are DNS-1123 labels (lowercase letters,
 * digits and '-', starting and ending with a letter or digit, at most 63 characters), as Kubernetes needs
 * for the Job a trial creates.
 */

/** The longest DNS-1123 label. */
export const maxNameLength = 63;

/** The experiment name made DNS-1123 safe: lowercase, other characters as '-', no '-' at either end. */
function safePrefix(experiment: string): string {
  const text = experiment
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '');
  return text === '' ? 'pbt' : text;
}

/** A prefix of at most `limit` characters; a shortened one ends in a hash of the full name, so it stays distinctive. */
function prefixWithin(experiment: string, limit: number): string {
  const prefix = safePrefix(experiment);
  if (prefix.length <= limit) return prefix;
  const hash = derive(0, 'pbt-name', experiment).toString(16).padStart(8, '0').slice(0, 6);
  const head = prefix.slice(0, Math.max(1, limit - hash.length - 1)).replace(/-+$/, '');
  return `${head}-${hash}`.slice(0, limit);
}

/** Which try of which member a trial is: `retry` 0 is the first try. */
export interface MemberTry {
  readonly generation: number;
  readonly slot: number;
  readonly retry: number;
}

/** The name of one try of a member. */
export function memberName(experiment: string, at: MemberTry): string {
  const suffix = `-g${at.generation}-${at.slot}${at.retry > 0 ? `-r${at.retry}` : ''}`;
  return `${prefixWithin(experiment, maxNameLength - suffix.length)}${suffix}`;
}

/** The first name from `at.retry` on that no trial in `taken` has yet (a history from a lost state may hold ours). */
export function freeMemberName(experiment: string, at: MemberTry, taken: ReadonlySet<string>): string {
  let retry = at.retry;
  let name = memberName(experiment, at);
  while (taken.has(name)) name = memberName(experiment, { ...at, retry: ++retry });
  return name;
}
