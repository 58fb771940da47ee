import { assignmentKey, sampleAssignment, spaceSize } from '../assignment.ts';
import { Combinations } from '../combinations.ts';
import { drawFeasible, type Feasibility } from '../constraints.ts';
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
 * probability zero and nothing is tracked. With parameter constraints, an infeasible assignment is always wasted, so
 * every place TPE takes a candidate from rejects it (rejection within candidate generation).
 */
export class Visited {
  private readonly keys = new Set<string>();
  private readonly size: number;

  /** Records every trial of the history when the space is finite. */
  constructor(
    private readonly space: SearchSpace,
    trials: readonly TrialView[],
    private readonly feasibility?: Feasibility,
    /** The algorithm's name, for the error when the constraints let no draw through. */
    private readonly algorithm = 'tpe',
  ) {
    this.size = spaceSize(space);
    if (this.tracking) for (const t of trials) this.keys.add(assignmentKey(space, t.params));
  }

  private get tracking(): boolean {
    return Number.isFinite(this.size);
  }

  /**
   * True when `params` violates a constraint, or was tried while something else is still unused (so a repeat would
   * waste a trial).
   */
  wasted(params: Assignment): boolean {
    if (this.feasibility !== undefined && !this.feasibility.feasible(params)) return true;
    return this.tracking && this.keys.size < this.size && this.keys.has(assignmentKey(this.space, params));
  }

  /** Marks an assignment as proposed. */
  add(params: Assignment): void {
    if (this.tracking) this.keys.add(assignmentKey(this.space, params));
  }

  /**
   * A random feasible assignment, unused when one can be found (sampling first, then enumerating small spaces);
   * throws when the constraints let no draw through (see `drawFeasible`).
   */
  fresh(rng: Rng): Assignment {
    let params = sampleAssignment(this.space, rng);
    for (let i = 0; i < redraws && this.wasted(params); i++) params = sampleAssignment(this.space, rng);
    if (!this.wasted(params) || this.size > enumerateLimit) return this.feasible(params, rng);
    const grid = new Combinations(this.space);
    const left: number[] = [];
    for (let k = 0; k < grid.size; k++) {
      const at = grid.at(k);
      if (!this.keys.has(assignmentKey(this.space, at)) && (this.feasibility?.feasible(at) ?? true)) left.push(k);
    }
    return left.length === 0 ? this.feasible(params, rng) : grid.at(rng.choice(left));
  }

  /** `params` when it satisfies the constraints, else a feasible random draw (a repeat is fine, a violation never). */
  private feasible(params: Assignment, rng: Rng): Assignment {
    const f = this.feasibility;
    if (f === undefined || f.feasible(params)) return params;
    return drawFeasible(() => sampleAssignment(this.space, rng), f, this.algorithm);
  }
}
