import type { Settings } from '../../search/types.ts';

/**
 * What the server keeps between GetSuggestions calls. Katib stores the settings a reply returns in
 * `Suggestion.status.algorithmSettings` and sends them back with every later request (overriding the Experiment's
 * settings of the same name), so the whole state travels as one setting, base64 JSON, and a restarted server pod
 * continues where the last accepted reply left off (only the grace-period clocks of history.ts live in memory). Katib drops a reply (and its state)
 * unless it has exactly the requested number of assignments, so a state is only ever the one of an accepted reply.
 */

/** The algorithm setting that carries the server's state; it is removed before the algorithm sees the settings. */
export const stateSetting = 'hpo_state';

/**
 * One assignment the server handed out, in order: its trial name (the algorithm's, else one we chose), its values
 * as text in space order, its labels, and `s` once a request has shown its trial.
 */
export interface IssuedEntry {
  readonly n: string;
  readonly v: readonly string[];
  readonly l?: Readonly<Record<string, string>>;
  readonly s?: 1;
}

/** The decoded `hpo_state` setting. */
export interface ServerState {
  readonly version: 1;
  /** The algorithm the state belongs to; a state of another algorithm is ignored. */
  readonly algorithm: string;
  /** The algorithm's own opaque state from its last accepted answer. */
  readonly state?: unknown;
  /**
   * The assignments handed out that Katib may not show again (Katib hides some trials from later requests; see
   * history.ts), in issue order: all of them until the record grows past its cap, then {@link compactIssued}'s.
   */
  readonly issued: readonly IssuedEntry[];
  /** How many assignments were ever handed out (names new trials once the record was compacted); default `issued`'s length. */
  readonly count?: number;
}

/**
 * What an entry of the record is at the current request: `settled` (finished, and Katib will show it in every later
 * request), `live` (shown, not finished), `hidden` (shown before, missing now: MetricsUnavailable) or `unseen` (not
 * shown yet: not created, or hidden before Katib showed it).
 */
export type EntryKind = 'settled' | 'live' | 'hidden' | 'unseen';

/**
 * Keeps the record bounded, so the Suggestion object Katib stores it in stays far under etcd's 1.5 MiB (about 100
 * bytes an entry: 10,000 trials made a 1 MB state before). Up to `max` entries nothing changes. Past it, settled
 * entries go: their trials still reach the algorithm from the request, now ordered by start time before the
 * record's own (the order the record kept). If live, unseen and hidden entries still exceed `max`, the oldest hidden
 * ones go too: the algorithm no longer sees those MetricsUnavailable trials at all (a bounded record cannot keep every
 * failure). Live and unseen entries always stay: dropping one would lose a trial that Katib is about to show.
 */
export function compactIssued(
  entries: readonly IssuedEntry[],
  kinds: readonly EntryKind[],
  max: number,
): IssuedEntry[] {
  if (entries.length <= max) return [...entries];
  let kept = entries.map((e, i) => ({ e, kind: kinds[i] ?? 'live' })).filter((x) => x.kind !== 'settled');
  let excess = kept.length - max;
  if (excess > 0) {
    kept = kept.filter((x) => {
      if (excess <= 0 || x.kind !== 'hidden') return true;
      excess--;
      return false;
    });
  }
  return kept.map((x) => x.e);
}

/** The state as the setting's value. */
export function encodeState(state: ServerState): string {
  return Buffer.from(JSON.stringify(state), 'utf8').toString('base64');
}

function isIssuedEntry(value: unknown): value is IssuedEntry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return Array.isArray(e.v) && e.v.every((x) => typeof x === 'string') && typeof e.n === 'string';
}

/**
 * The state in a setting's value, or undefined when there is none, it is not ours, or it belongs to another
 * algorithm. A damaged state is dropped rather than failing every call (Katib would retry forever): the
 * algorithms re-derive what they can from the trials.
 */
export function decodeState(text: string | undefined, algorithm: string): ServerState | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
    if (typeof value !== 'object' || value === null) return undefined;
    const s = value as Record<string, unknown>;
    if (s.version !== 1 || s.algorithm !== algorithm || !Array.isArray(s.issued)) return undefined;
    if (s.count !== undefined && !(Number.isSafeInteger(s.count) && (s.count as number) >= s.issued.length)) {
      return undefined;
    }
    if (!s.issued.every(isIssuedEntry)) return undefined;
    return value as ServerState;
  } catch {
    return undefined;
  }
}

/** The settings without {@link stateSetting}, and the state it held. */
export function splitSettings(
  settings: Settings,
  algorithm: string,
): { settings: Settings; state: ServerState | undefined } {
  const { [stateSetting]: text, ...rest } = settings;
  return { settings: rest, state: decodeState(text, algorithm) };
}
