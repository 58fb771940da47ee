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
  /** Every assignment handed out so far (Katib hides some trials from later requests; see history.ts). */
  readonly issued: readonly IssuedEntry[];
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
