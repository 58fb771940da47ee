import { assignmentKey } from '../assignment.ts';
import type { SearchSpace } from '../space.ts';
import type { TrialView } from '../types.ts';
import type { SpaceEncoding } from './encoding.ts';
import { decode } from './sample.ts';
import type { CmaesState, MemberState } from './state.ts';

/**
 * Matching trials to the members of the current generation by trial name. A member's trial is identified once,
 * when it first appears in the history (by the label CMA-ES puts on it, or else by creation order), and from
 * then on by its name; parameter values are only a consistency check, never the key (Katib's goptuna matches
 * by values, which mixes up members that decode to the same lattice point).
 */

/** The label carrying `<generation>.<slot>.<attempt>` on every proposed trial. */
export const memberLabel = 'cmaes.hpo/member';

/** How many times a member is drawn again after its trial failed before it is ranked worst instead. */
export const maxRetries = 2;

/** The label value of a member of generation `generation`. */
export function labelValue(generation: number, m: MemberState): string {
  return `${generation}.${m.slot}.${m.attempt}`;
}

/** The key a member's assignment has in the history (for the creation-order fallback). */
function memberKey(space: SearchSpace, enc: SpaceEncoding, m: MemberState): string {
  return assignmentKey(space, decode(space, enc, m.u ?? [], m.cats ?? []));
}

/**
 * Binds the trials that are new since the last request to the members issued then. A trial with our label is
 * bound to the member it names (if that member is still waiting for it). Without a label (a harness that
 * drops labels), new trials take the queued members in the order they were returned, skipping a member whose
 * assignment differs (its trial was removed, e.g. Killed, before we saw it). Unmatched new trials are foreign.
 */
export function bindTrials(
  state: CmaesState,
  trials: readonly TrialView[],
  space: SearchSpace,
  enc: SpaceEncoding,
): void {
  const known = new Set(state.known);
  const queue = state.queue.map((slot) => state.members[slot]).filter((m) => m?.status === 'issued') as MemberState[];
  let next = 0;
  for (const t of trials) {
    if (known.has(t.name)) continue;
    const label = t.labels?.[memberLabel];
    if (label !== undefined) {
      const m = queue.find((q) => q.status === 'issued' && labelValue(state.generation, q) === label);
      if (m) {
        m.status = 'bound';
        m.trial = t.name;
      }
      continue;
    }
    const key = assignmentKey(space, t.params);
    for (let i = next; i < queue.length; i++) {
      const m = queue[i]!;
      if (m.status !== 'issued' || memberKey(space, enc, m) !== key) continue;
      m.status = 'bound';
      m.trial = t.name;
      next = i + 1;
      break;
    }
  }
  state.queue = [];
}

/** Where a member stands after binding: to be proposed, running, finished with a value, or ranked worst. */
export type Outcome =
  | { readonly kind: 'open' }
  | { readonly kind: 'waiting' }
  | { readonly kind: 'done'; readonly value: number }
  | { readonly kind: 'dropped' };

/**
 * Reads each member's result from the history. A finished Succeeded or EarlyStopped trial with a numeric
 * objective gives a value (negated when maximising: CMA-ES minimises). A Failed, MetricsUnavailable or Killed
 * trial, one without an objective, one that disappeared from the history, or an issued member whose trial never
 * appeared, sends the member back to `open` with a fresh draw, at most {@link maxRetries} times; after that the
 * member is `dropped` and ranked below every finished one.
 */
export function collectOutcomes(state: CmaesState, trials: readonly TrialView[], sign: number): Outcome[] {
  const byName = new Map(trials.map((t) => [t.name, t]));
  return state.members.map((m): Outcome => {
    if (m.status === 'open') return { kind: 'open' };
    if (m.status === 'dropped') return { kind: 'dropped' };
    const t = m.status === 'bound' && m.trial !== undefined ? byName.get(m.trial) : undefined;
    if (t && (t.state === 'Pending' || t.state === 'Running')) return { kind: 'waiting' };
    const ok = t && (t.state === 'Succeeded' || t.state === 'EarlyStopped');
    if (ok && typeof t.objective === 'number' && Number.isFinite(t.objective)) {
      return { kind: 'done', value: sign * t.objective };
    }
    if (m.attempt < maxRetries) {
      m.attempt += 1;
      m.status = 'open';
      delete m.u;
      delete m.cats;
      delete m.mirrored;
      delete m.trial;
      return { kind: 'open' };
    }
    m.status = 'dropped';
    return { kind: 'dropped' };
  });
}
