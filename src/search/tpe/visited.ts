import { assignmentKey, sampleAssignment, spaceSize } from '../assignment.ts';
import { Combinations } from '../combinations.ts';
import type { Rng } from '../rng.ts';
import type { Assignment, SearchSpace } from '../space.ts';
import type { TrialView } from '../types.ts';

/** Draws before giving up on finding an unused assignment by sampling. */
const redraws = 32;
/** Up to this many combinations, a nearly used-up space is enumerated to find what is left. */
const enumerateLimit = 100_000;

/**
 * The assignments already tried (in any state, failed ones included) in a finite space, so TPE does not
 * propose the same point again while unused ones remain. In a space with a continuous double, repeats have
 * probability zero and nothing is tracked.
 */
export class Visited {
  private readonly keys = new Set<string>();
  private readonly size: number;

  /** Records every trial of the history when the space is finite. */
  constructor(
    private readonly space: SearchSpace,
    trials: readonly TrialView[],
  ) {
    this.size = spaceSize(space);
    if (this.tracking) for (const t of trials) this.keys.add(assignmentKey(space, t.params));
  }

  private get tracking(): boolean {
    return Number.isFinite(this.size);
  }

  /** True when `params` was tried and something else is still unused (so a repeat would waste a trial). */
  wasted(params: Assignment): boolean {
    return this.tracking && this.keys.size < this.size && this.keys.has(assignmentKey(this.space, params));
  }

  /** Marks an assignment as proposed. */
  add(params: Assignment): void {
    if (this.tracking) this.keys.add(assignmentKey(this.space, params));
  }

  /** A random assignment, unused when one can be found (sampling first, then enumerating small spaces). */
  fresh(rng: Rng): Assignment {
    let params = sampleAssignment(this.space, rng);
    for (let i = 0; i < redraws && this.wasted(params); i++) params = sampleAssignment(this.space, rng);
    if (!this.wasted(params) || this.size > enumerateLimit) return params;
    const grid = new Combinations(this.space);
    const left: number[] = [];
    for (let k = 0; k < grid.size; k++) if (!this.keys.has(assignmentKey(this.space, grid.at(k)))) left.push(k);
    return left.length === 0 ? params : grid.at(rng.choice(left));
  }
}
