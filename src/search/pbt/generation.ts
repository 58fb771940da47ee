import { sampleAssignment } from '../assignment.ts';
import { derive, Rng } from '../rng.ts';
import type { SearchSpace } from '../space.ts';
import { explore } from './explore.ts';
import type { PbtSettings } from './settings.ts';
import type { PbtMember, PbtState } from './state.ts';

/**
 * Building generations. Generation 0 is `n_population` random members. Each later generation is built from
 * the complete one before it by truncation selection (Jaderberg et al. 2017): rank by objective; each of the
 * bottom `floor(n × truncation_threshold)` members EXPLOITS a random member of the top as many (it copies that
 * member's parameters and takes it as `parent`, so it resumes from the better checkpoint) and then EXPLORES
 * (perturbs or resamples the copied parameters); every other member CONTINUES from its own checkpoint with its
 * parameters unchanged.
 *
 * Katib's pbt service differs, on purpose not copied: it sets the exploited trial's parent to the *low* trial
 * itself (so the copied parameters resume from the poor checkpoint) and does not perturb them, while it perturbs
 * every member that survived. Every random choice here comes from a stream derived from (seed, generation, slot),
 * so a generation does not depend on batch sizes or on when its trials finished.
 */

/** Generation 0: `population` members drawn from the space's distributions (Katib ignores the distribution). */
export function firstGeneration(space: SearchSpace, cfg: PbtSettings): PbtState {
  const members: PbtMember[] = [];
  for (let slot = 0; slot < cfg.population; slot++) {
    const params = { ...sampleAssignment(space, new Rng(derive(cfg.seed, 'pbt', 0, slot))) };
    members.push({ slot, status: 'open', action: 'init', params, attempt: 0 });
  }
  return { version: 1, generation: 0, members, issued: [], seen: 0, finished: false };
}

/** Slots best first (highest score; ties go to the lower slot, so the order is total and stable). */
export function ranking(members: readonly PbtMember[]): PbtMember[] {
  return [...members].sort((a, b) => (b.score ?? 0) - (a.score ?? 0) || a.slot - b.slot);
}

/** How many members are replaced, and how many are copied from, for a population of `n`. */
export function truncationSize(n: number, truncation: number): number {
  // The small epsilon keeps products such as 10 × 0.3 = 3.0000000000000004 or 100 × 0.29 = 28.999… on the
  // integer the user meant.
  return Math.min(n, Math.floor(n * truncation + 1e-9));
}

/** The generation after `state`'s, whose members must all be `done` (their trials are the parents). */
export function nextGeneration(state: PbtState, space: SearchSpace, cfg: PbtSettings): PbtState {
  const generation = state.generation + 1;
  const ranked = ranking(state.members);
  const cut = truncationSize(ranked.length, cfg.truncation);
  const bottom = new Set(ranked.slice(ranked.length - cut).map((m) => m.slot));
  const top = ranked.slice(0, Math.max(1, cut));
  const members = state.members.map((m): PbtMember => {
    const trial = m.trial as string;
    if (!bottom.has(m.slot)) {
      return { slot: m.slot, status: 'open', action: 'continue', params: m.params, parent: trial, attempt: 0 };
    }
    const rng = new Rng(derive(cfg.seed, 'pbt', generation, m.slot));
    // With truncation_threshold > 0.5 the top and the bottom overlap; never copy oneself when another will do.
    const others = top.filter((t) => t.slot !== m.slot);
    const source = rng.choice(others.length > 0 ? others : top);
    const explored = explore(space, source.params, rng, cfg.resample);
    return {
      slot: m.slot,
      status: 'open',
      action: 'exploit',
      params: explored.params,
      parent: source.trial as string,
      explore: explored.explore,
      attempt: 0,
    };
  });
  return { version: 1, generation, members, issued: [], seen: state.seen, finished: false };
}
