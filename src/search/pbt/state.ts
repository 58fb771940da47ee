import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import type { ParamValue } from '../space.ts';

/**
 * The opaque state PBT returns with every answer and gets back with the next request: the current generation,
 * member by member. It is plain JSON (no undefined, no NaN/Infinity, no -0), so a copy restored from the store
 * schedules exactly like the original.
 */

/** Why a member of a generation has its parameters. `requeue` is how a retried member is explained, never stored. */
export type PbtAction = 'init' | 'exploit' | 'continue';

/**
 * One slot of the current generation. `open`: to be proposed (first time, or again after its trial failed);
 * `issued`: proposed last time, its trial not seen yet; `bound`: its trial is known; `done`: its trial
 * finished with an objective, kept as `score`.
 */
export interface PbtMember {
  readonly slot: number;
  status: 'open' | 'issued' | 'bound' | 'done';
  readonly action: PbtAction;
  readonly params: Record<string, ParamValue>;
  /** The trial whose checkpoint this member starts from (absent in generation 0). */
  readonly parent?: string;
  /** How each parameter was explored after an exploit (`×1.2`, `+1`, `resampled`, `kept`). */
  readonly explore?: Record<string, string>;
  /** How many of this member's trials failed and were proposed again. */
  attempt: number;
  /** The name proposed for the current attempt, once issued. */
  name?: string;
  /** The trial running the current attempt, once seen in the history. */
  trial?: string;
  /** The last failed trial of this member (what a requeue is explained from). */
  failed?: string;
  /** The objective made higher-is-better (negated when minimising), finite; set when `done`. */
  score?: number;
}

/** The whole PBT state. */
export interface PbtState {
  readonly version: 1;
  readonly generation: number;
  readonly members: PbtMember[];
  /** Slots proposed in the last answer, in the order returned (for matching trials that were renamed). */
  issued: number[];
  /** How many trials the last request had (trials after this index are new). */
  seen: number;
  /** True once `n_generations` generations are complete. */
  finished: boolean;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isMember(x: unknown, slot: number): boolean {
  if (!isRecord(x) || x.slot !== slot || !isRecord(x.params)) return false;
  return ['open', 'issued', 'bound', 'done'].includes(String(x.status)) && Number.isInteger(x.attempt);
}

/**
 * Checks and deep-copies a state handed back by the store, so the request (frozen by some hosts) is never
 * mutated. Throws `invalidArgument` when it is not a PBT state for a population of `population`.
 */
export function restoreState(raw: unknown, population: number): PbtState {
  const ok =
    isRecord(raw) &&
    raw.version === 1 &&
    Number.isInteger(raw.generation) &&
    Array.isArray(raw.members) &&
    Array.isArray(raw.issued) &&
    Number.isInteger(raw.seen) &&
    raw.members.every((m, i) => isMember(m, i));
  if (!ok) throw new WorkbenchError(ErrorCode.invalidArgument, 'the stored pbt state is not one pbt wrote');
  const members = raw.members as unknown[];
  if (members.length !== population) {
    throw new WorkbenchError(
      ErrorCode.invalidArgument,
      `the stored pbt state has a population of ${members.length} but n_population is ${population}`,
      { issues: [{ path: 'spec.algorithm.algorithmSettings', message: 'n_population changed during the experiment' }] },
    );
  }
  return structuredClone(raw) as unknown as PbtState;
}
