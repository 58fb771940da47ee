import { assignmentKey } from '../assignment.ts';
import type { SearchSpace } from '../space.ts';
import type { ObjectiveSpec, TrialView } from '../types.ts';
import type { PbtMember, PbtState } from './state.ts';

/**
 * Matching the history to the members of the current generation. A member's trial is found by the name PBT
 * gave it; a host that names trials itself (an ask/tell loop) is matched by creation order among the trials
 * that are new since the last answer, with equal parameters as a consistency check. Parameter values alone
 * are never the key: members that continue unchanged, or copy the same top member, can share them.
 */

/** Binds the members issued last time to their trials; a member whose trial never appeared is proposed again. */
export function bindTrials(state: PbtState, trials: readonly TrialView[], space: SearchSpace): void {
  const byName = new Map(trials.map((t) => [t.name, t]));
  const waiting: PbtMember[] = [];
  for (const slot of state.issued) {
    const m = state.members[slot];
    if (m === undefined || m.status !== 'issued') continue;
    if (m.name !== undefined && byName.has(m.name)) {
      m.status = 'bound';
      m.trial = m.name;
    } else waiting.push(m);
  }
  const claimed = new Set(state.members.flatMap((m) => [m.trial, m.name, m.parent, m.failed]));
  let next = 0;
  for (const t of trials.slice(Math.min(state.seen, trials.length))) {
    const m = waiting[next];
    if (m === undefined) break;
    if (claimed.has(t.name) || assignmentKey(space, t.params) !== assignmentKey(space, m.params)) continue;
    m.status = 'bound';
    m.trial = t.name;
    next++;
  }
  // Issued but never created (the host stopped between answer and insert): propose it again.
  for (const m of waiting) if (m.status === 'issued') m.status = 'open';
  state.issued = [];
  state.seen = trials.length;
}

/** The objective made higher-is-better and finite (NaN ranks last; ±Infinity is kept as the largest finite value). */
export function scoreOf(objective: number, type: ObjectiveSpec['type']): number {
  if (Number.isNaN(objective)) return -Number.MAX_VALUE;
  const signed = type === 'maximize' ? objective : -objective;
  return Math.min(Number.MAX_VALUE, Math.max(-Number.MAX_VALUE, signed)) + 0;
}

/**
 * Reads the bound members' trials. Succeeded or EarlyStopped with an objective: `done`. Failed, Killed,
 * MetricsUnavailable, finished without an objective, or gone from the history: re-queued with the same
 * parameters, parent and generation (Katib re-queues Killed and Failed trials the same way), as often as it
 * takes — the experiment's `maxFailedTrialCount` is what bounds the retries.
 */
export function collectOutcomes(state: PbtState, trials: readonly TrialView[], objective: ObjectiveSpec): void {
  const byName = new Map(trials.map((t) => [t.name, t]));
  for (const m of state.members) {
    if (m.status !== 'bound' || m.trial === undefined) continue;
    const t = byName.get(m.trial);
    if (t !== undefined && (t.state === 'Pending' || t.state === 'Running')) continue;
    const finished = t !== undefined && (t.state === 'Succeeded' || t.state === 'EarlyStopped');
    if (finished && typeof t.objective === 'number') {
      m.status = 'done';
      m.score = scoreOf(t.objective, objective.type);
      continue;
    }
    m.status = 'open';
    m.failed = m.trial;
    m.attempt += 1;
    delete m.trial;
    delete m.name;
  }
}
