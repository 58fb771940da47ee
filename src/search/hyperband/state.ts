import type { Assignment } from '../space.ts';
import type { HyperbandConfig } from './settings.ts';

/**
 * The opaque state Hyperband returns: the whole schedule so far (which trial sat in which slot, which ones were
 * promoted) plus the params of the rung in progress. Everything but those params can be re-derived from the
 * labelled history; the params matter for a trial that was Killed and dropped from the history (the controller
 * does that), whose config must be proposed again even when a model (BOHB) would now propose another.
 */

/** A finished or running rung: its trials by slot (null: not created yet) and, once finished, who was promoted. */
export interface RungRecord {
  readonly loop: number;
  readonly bracket: number;
  readonly rung: number;
  readonly budget: number;
  readonly trials: readonly (string | null)[];
  readonly promoted?: readonly string[];
}

/** The rung in progress and the config of each slot that has one (null: not proposed yet). */
export interface CurrentRung {
  readonly loop: number;
  readonly bracket: number;
  readonly rung: number;
  readonly budget: number;
  readonly params: readonly (Assignment | null)[];
}

/** The state of the schedule, JSON as it is (no undefined, no Infinity). */
export interface ScheduleState {
  readonly kind: 'hyperband-schedule';
  readonly version: 1;
  readonly algorithm: string;
  /** The settings that shape the schedule; a state written under other settings is not reused. */
  readonly fingerprint: string;
  /** Every rung started so far, in schedule order. */
  readonly rungs: readonly RungRecord[];
  /** Absent once the schedule is done. */
  readonly current?: CurrentRung;
}

/** The key under which a state is valid: the algorithm, the schedule, the resource, the loops and the seed. */
export function fingerprint(algorithm: string, config: HyperbandConfig, seed: number): string {
  const { maxBudget, minBudget, eta } = config.schedule;
  return JSON.stringify([algorithm, maxBudget, minBudget, eta, config.loops, config.resource, seed]);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The params a previous answer gave each slot of the rung in progress, when `state` is ours, made under the same
 * fingerprint, and at the rung `where`; empty otherwise (a missing or foreign state is not an error: the schedule
 * is re-derived from the history).
 */
export function priorParams(
  state: unknown,
  print: string,
  where: { readonly loop: number; readonly bracket: number; readonly rung: number },
): readonly (Assignment | null)[] {
  if (!isRecord(state) || state.kind !== 'hyperband-schedule' || state.fingerprint !== print) return [];
  const current = state.current;
  if (!isRecord(current) || !Array.isArray(current.params)) return [];
  if (current.loop !== where.loop || current.bracket !== where.bracket || current.rung !== where.rung) return [];
  return current.params.map((p) => (isRecord(p) ? (p as Assignment) : null));
}
