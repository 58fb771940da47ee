/**
 * The multi-objective test problems of `npm run bench:multiobjective` (issue #16): ZDT1 and ZDT2 (Zitzler, Deb
 * and Thiele 2000) and DTLZ2 (Deb, Thiele, Laumanns and Zitzler 2002), all on 6 parameters in [0, 1], every
 * objective minimised. Each has a fixed hypervolume reference point, 10% beyond the largest value each objective
 * takes on the search box, and the exact hypervolume of its true Pareto front against it.
 */
import type { Assignment, SearchSpace } from '../../src/search/space.ts';

/** One problem: the space, the objective vector of an assignment, the reference point and the true front's hypervolume. */
export interface MultiObjectiveProblem {
  readonly name: string;
  readonly space: SearchSpace;
  readonly objectives: number;
  readonly evaluate: (params: Assignment) => number[];
  readonly reference: readonly number[];
  /** The hypervolume of the true Pareto front against `reference` (worked out in closed form below). */
  readonly optimum: number;
}

/** Parameters of every problem: x0 … x5 in [0, 1]. */
export const dimensions = 6;

const unitSpace: SearchSpace = Array.from({ length: dimensions }, (_, i) => ({
  name: `x${i}`,
  domain: { kind: 'double', min: 0, max: 1, scale: 'uniform' },
}));

function xs(params: Assignment): number[] {
  return unitSpace.map(({ name }) => {
    const v = params[name];
    if (typeof v !== 'number') throw new TypeError(`parameter ${name} should be a number, got ${JSON.stringify(v)}`);
    return v;
  });
}

/** ZDT's g: 1 + 9·mean(x1 … x5); 1 on the true front. */
function zdtG(x: readonly number[]): number {
  let sum = 0;
  for (let i = 1; i < x.length; i++) sum += x[i]!;
  return 1 + (9 * sum) / (x.length - 1);
}

/** ZDT1: a convex front f2 = 1 − √f1. f1 ≤ 1 and f2 ≤ g ≤ 10 on the box, so the reference is (1.1, 11). */
export const zdt1: MultiObjectiveProblem = {
  name: 'zdt1',
  space: unitSpace,
  objectives: 2,
  evaluate: (params) => {
    const x = xs(params);
    const g = zdtG(x);
    return [x[0]!, g * (1 - Math.sqrt(x[0]! / g))];
  },
  reference: [1.1, 11],
  // Over f1 ∈ [0, 1] the front leaves 11 − (1 − √f1) of height, ∫ = 10 + 2/3; then 0.1 × 11 for f1 ∈ [1, 1.1].
  optimum: 10 + 2 / 3 + 1.1,
};

/** ZDT2: a concave front f2 = 1 − f1²; same bounds and reference as ZDT1. */
export const zdt2: MultiObjectiveProblem = {
  name: 'zdt2',
  space: unitSpace,
  objectives: 2,
  evaluate: (params) => {
    const x = xs(params);
    const g = zdtG(x);
    return [x[0]!, g * (1 - (x[0]! / g) ** 2)];
  },
  reference: [1.1, 11],
  // ∫₀¹ (11 − (1 − f1²)) df1 = 10 + 1/3, plus 1.1 for f1 ∈ [1, 1.1].
  optimum: 10 + 1 / 3 + 1.1,
};

/**
 * DTLZ2 with 3 objectives and k = 4 distance parameters (x2 … x5): the front is the positive octant of the
 * unit sphere. Each fᵢ ≤ 1 + g ≤ 2 on the box, so the reference is (2.2, 2.2, 2.2).
 */
export const dtlz2: MultiObjectiveProblem = {
  name: 'dtlz2',
  space: unitSpace,
  objectives: 3,
  evaluate: (params) => {
    const x = xs(params);
    let g = 0;
    for (let i = 2; i < x.length; i++) g += (x[i]! - 0.5) ** 2;
    const a = (x[0]! * Math.PI) / 2;
    const b = (x[1]! * Math.PI) / 2;
    return [(1 + g) * Math.cos(a) * Math.cos(b), (1 + g) * Math.cos(a) * Math.sin(b), (1 + g) * Math.sin(a)];
  },
  reference: [2.2, 2.2, 2.2],
  // The box 2.2³ less the part of the unit ball's octant (π/6) that nothing on the front dominates.
  optimum: 2.2 ** 3 - Math.PI / 6,
};

/** The benchmark's problems by name. */
export const problems: Readonly<Record<string, MultiObjectiveProblem>> = { zdt1, zdt2, dtlz2 };
