import { crowdingDistances, nonDominatedSort } from '../multiobjective/dominance.ts';
import { nicheSelect } from '../multiobjective/niching.ts';
import { dasDennisPoints, divisionsFor } from '../multiobjective/referencePoints.ts';
import type { Rng } from '../rng.ts';

/** A parent population: members (indices into the loss vectors) with the keys binary tournaments compare. */
export interface Population {
  readonly members: readonly number[];
  /** Non-dominated rank within the population (0 is the first front), aligned with `members`. */
  readonly rank: readonly number[];
  /** Crowding distance within the member's front, aligned with `members`. */
  readonly crowding: readonly number[];
}

/**
 * Environmental selection: the best `size` of `candidates` (indices into `losses`) by non-dominated rank; the
 * front that does not fit whole is cut by crowding distance with two objectives or fewer (NSGA-II, largest
 * first, ties to the older trial) and by reference-point niching with three or more (NSGA-III, with
 * {@link dasDennisPoints} sized to the population), where crowding distance no longer spreads a front well.
 */
export function selectSurvivors(
  losses: readonly (readonly number[])[],
  candidates: readonly number[],
  size: number,
  rng: Rng,
): Population {
  if (candidates.length <= size) return rankPopulation(losses, candidates);
  const sub = candidates.map((i) => losses[i]!);
  const fronts = nonDominatedSort(sub);
  const kept: number[] = [];
  for (const front of fronts) {
    const members = front.map((f) => candidates[f]!);
    if (kept.length + members.length <= size) {
      kept.push(...members);
      if (kept.length === size) break;
      continue;
    }
    const room = size - kept.length;
    const objectives = sub[0]!.length;
    if (objectives <= 2) {
      const distance = crowdingDistances(sub, front);
      const order = front.map((_, r) => r).sort((x, y) => distance[y]! - distance[x]! || front[x]! - front[y]!);
      kept.push(...order.slice(0, room).map((r) => members[r]!));
    } else {
      const references = dasDennisPoints(objectives, divisionsFor(objectives, size));
      kept.push(...nicheSelect({ points: losses, kept: [...kept], last: members, count: room, references, rng }));
    }
    break;
  }
  return rankPopulation(
    losses,
    kept.sort((a, b) => a - b),
  );
}

/** Ranks and crowding distances of a chosen population, for the tournaments that pick parents. */
export function rankPopulation(losses: readonly (readonly number[])[], members: readonly number[]): Population {
  const sub = members.map((i) => losses[i]!);
  const rank = new Array<number>(members.length).fill(0);
  const crowding = new Array<number>(members.length).fill(0);
  nonDominatedSort(sub).forEach((front, r) => {
    const distance = crowdingDistances(sub, front);
    front.forEach((f, q) => {
      rank[f] = r;
      crowding[f] = distance[q]!;
    });
  });
  return { members, rank, crowding };
}

/** A binary tournament: two members drawn at random, the lower rank wins, then the larger crowding distance. */
export function tournament(pop: Population, rng: Rng): number {
  const a = rng.int(0, pop.members.length - 1);
  const b = rng.int(0, pop.members.length - 1);
  const better =
    pop.rank[a]! < pop.rank[b]! || (pop.rank[a] === pop.rank[b] && pop.crowding[a]! >= pop.crowding[b]!) ? a : b;
  return pop.members[better]!;
}
