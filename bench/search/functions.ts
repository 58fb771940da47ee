/**
 * The benchmark objectives of issue #3, the same as `shared/bench/functions.py` (bounds, listed optimum and
 * formula), so our figures and Optuna's are regrets against the same numbers. All are minimised.
 */
import type { Assignment, SearchSpace } from '../../src/search/space.ts';

/** One objective: its bounds per dimension, the optimum the Python file lists, and its value at a point. */
export interface TestFunction {
  readonly name: string;
  readonly bounds: readonly (readonly [number, number])[];
  /** The known global minimum as `functions.py` lists it (rounded; regrets are measured against this). */
  readonly optimum: number;
  readonly f: (x: readonly number[]) => number;
}

function at(x: readonly number[], i: number): number {
  const v = x[i];
  if (v === undefined) throw new RangeError(`point has ${x.length} coordinates, needs at least ${i + 1}`);
  return v;
}

/** Branin–Hoo on [-5, 10] × [0, 15]. */
export function branin(x: readonly number[]): number {
  const x1 = at(x, 0);
  const x2 = at(x, 1);
  const b = 5.1 / (4 * Math.PI ** 2);
  const c = 5 / Math.PI;
  const t = 1 / (8 * Math.PI);
  return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
}

const h6A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const h6P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
];
const h6Alpha = [1.0, 1.2, 3.0, 3.2];

/** Hartmann's 6-D sum with term weights `alpha` (the multi-fidelity variant changes the first weight). */
export function hartmann6With(alpha: readonly number[], x: readonly number[]): number {
  let total = 0;
  for (let i = 0; i < 4; i++) {
    let inner = 0;
    for (let j = 0; j < 6; j++) inner += h6A[i]![j]! * (at(x, j) - h6P[i]![j]! * 1e-4) ** 2;
    total -= alpha[i]! * Math.exp(-inner);
  }
  return total;
}

/** The 6-D Hartmann function on [0, 1]^6. */
export function hartmann6(x: readonly number[]): number {
  return hartmann6With(h6Alpha, x);
}

/** Rosenbrock's valley in as many dimensions as `x` has. */
export function rosenbrock(x: readonly number[]): number {
  let total = 0;
  for (let i = 0; i < x.length - 1; i++) total += 100 * (at(x, i + 1) - at(x, i) ** 2) ** 2 + (1 - at(x, i)) ** 2;
  return total;
}

/** Ackley's function in as many dimensions as `x` has. */
export function ackley(x: readonly number[]): number {
  const d = x.length;
  let s1 = 0;
  let s2 = 0;
  for (const v of x) {
    s1 += v * v;
    s2 += Math.cos(2 * Math.PI * v);
  }
  return -20 * Math.exp(-0.2 * Math.sqrt(s1 / d)) - Math.exp(s2 / d) + 20 + Math.E;
}

/** The development set by the names `functions.py` uses, in its order. */
export const testFunctions: Readonly<Record<string, TestFunction>> = {
  branin: {
    name: 'branin',
    bounds: [
      [-5, 10],
      [0, 15],
    ],
    optimum: 0.397887,
    f: branin,
  },
  hartmann6: {
    name: 'hartmann6',
    bounds: Array.from({ length: 6 }, () => [0, 1] as const),
    optimum: -3.32237,
    f: hartmann6,
  },
  rosenbrock4: {
    name: 'rosenbrock4',
    bounds: Array.from({ length: 4 }, () => [-5, 10] as const),
    optimum: 0,
    f: rosenbrock,
  },
  ackley5: { name: 'ackley5', bounds: Array.from({ length: 5 }, () => [-15, 30] as const), optimum: 0, f: ackley },
};

/** The search space of a function: uniform doubles `x0`, `x1`, … (Optuna's parameter names in the reference). */
export function spaceOf(fn: TestFunction): SearchSpace {
  return fn.bounds.map(([min, max], i) => ({ name: `x${i}`, domain: { kind: 'double', min, max, scale: 'uniform' } }));
}

/** The point an assignment of {@link spaceOf} stands for. */
export function pointOf(fn: TestFunction, params: Assignment): number[] {
  return fn.bounds.map((_, i) => {
    const v = params[`x${i}`];
    if (typeof v !== 'number') throw new TypeError(`x${i} should be a number, got ${JSON.stringify(v)}`);
    return v;
  });
}

/** Levy's function in as many dimensions as `x` has (minimum 0 at x = 1). */
export function levy(x: readonly number[]): number {
  const w = x.map((v) => 1 + (v - 1) / 4);
  const d = w.length;
  let total = Math.sin(Math.PI * at(w, 0)) ** 2;
  for (let i = 0; i < d - 1; i++) total += (at(w, i) - 1) ** 2 * (1 + 10 * Math.sin(Math.PI * at(w, i) + 1) ** 2);
  return total + (at(w, d - 1) - 1) ** 2 * (1 + Math.sin(2 * Math.PI * at(w, d - 1)) ** 2);
}

/** Styblinski–Tang's minimum per dimension (at x ≈ −2.903534); 5 dimensions give −195.83082851885. */
const styblinskiTangMinimum = -39.16616570377;

/** Styblinski–Tang in as many dimensions as `x` has (minimum −39.1661657 per dimension at x ≈ −2.903534). */
export function styblinskiTang(x: readonly number[]): number {
  let total = 0;
  for (const v of x) total += (v ** 4 - 16 * v ** 2 + 5 * v) / 2;
  return total;
}

/** The six-hump camel on [−3, 3] × [−2, 2] (two global minima, −1.0316284535). */
export function sixHumpCamel(x: readonly number[]): number {
  const a = at(x, 0);
  const b = at(x, 1);
  return (4 - 2.1 * a ** 2 + a ** 4 / 3) * a ** 2 + a * b + (-4 + 4 * b ** 2) * b ** 2;
}

/** Rastrigin's function in as many dimensions as `x` has (minimum 0 at the origin, a lattice of local minima). */
export function rastrigin(x: readonly number[]): number {
  let total = 10 * x.length;
  for (const v of x) total += v * v - 10 * Math.cos(2 * Math.PI * v);
  return total;
}

/** An axis-aligned ellipsoid whose curvature grows by 10^6 across the dimensions (minimum 0 at the origin). */
export function ellipsoid(x: readonly number[]): number {
  const d = x.length;
  let total = 0;
  for (let i = 0; i < d; i++) total += 10 ** ((6 * i) / Math.max(1, d - 1)) * at(x, i) ** 2;
  return total;
}

/**
 * Functions outside the development set, for checking that a choice made on the four above carries
 * over (`bench/search/parity.ts`); the Optuna side of `bench:search` does not know them.
 */
export const heldOutFunctions: Readonly<Record<string, TestFunction>> = {
  levy4: { name: 'levy4', bounds: Array.from({ length: 4 }, () => [-10, 10] as const), optimum: 0, f: levy },
  styblinski5: {
    name: 'styblinski5',
    bounds: Array.from({ length: 5 }, () => [-5, 5] as const),
    optimum: -195.83082851885,
    f: styblinskiTang,
  },
  camel: {
    name: 'camel',
    bounds: [
      [-3, 3],
      [-2, 2],
    ],
    optimum: -1.0316284534899,
    f: sixHumpCamel,
  },
  rastrigin4: {
    name: 'rastrigin4',
    bounds: Array.from({ length: 4 }, () => [-5.12, 5.12] as const),
    optimum: 0,
    f: rastrigin,
  },
  ellipsoid6: {
    name: 'ellipsoid6',
    bounds: Array.from({ length: 6 }, () => [-5, 5] as const),
    optimum: 0,
    f: ellipsoid,
  },
  ...multimodalFunctions(),
};

/**
 * Issue #18's own multimodal set for GP-BO: Levy, Rastrigin, Styblinski–Tang and Ackley, each in a low and a high
 * dimension beside the held-out sizes above, so a change to the GP is judged on how it scales, not on one size.
 */
function multimodalFunctions(): Record<string, TestFunction> {
  const box = (d: number, lo: number, hi: number) => Array.from({ length: d }, () => [lo, hi] as const);
  const out: Record<string, TestFunction> = {};
  for (const d of [2, 8]) {
    out[`levy${d}`] = { name: `levy${d}`, bounds: box(d, -10, 10), optimum: 0, f: levy };
    out[`rastrigin${d}`] = { name: `rastrigin${d}`, bounds: box(d, -5.12, 5.12), optimum: 0, f: rastrigin };
  }
  for (const d of [3, 8]) {
    out[`styblinski${d}`] = {
      name: `styblinski${d}`,
      bounds: box(d, -5, 5),
      optimum: d * styblinskiTangMinimum,
      f: styblinskiTang,
    };
  }
  for (const d of [2, 10]) out[`ackley${d}`] = { name: `ackley${d}`, bounds: box(d, -15, 30), optimum: 0, f: ackley };
  return out;
}

/**
 * Twenty-dimensional versions for `npm run bench:search:highdim` (issue #18), where a GP over the whole cube
 * degrades. Ackley keeps the development set's asymmetric box and Levy its held-out one, so the optimum is off
 * the centre of the cube (a search that starts at the centre gets no free answer); Rosenbrock's optimum at
 * x = 1 is off-centre in [−5, 10] already.
 */
export const highDimFunctions: Readonly<Record<string, TestFunction>> = {
  rosenbrock20: {
    name: 'rosenbrock20',
    bounds: Array.from({ length: 20 }, () => [-5, 10] as const),
    optimum: 0,
    f: rosenbrock,
  },
  ackley20: { name: 'ackley20', bounds: Array.from({ length: 20 }, () => [-15, 30] as const), optimum: 0, f: ackley },
  levy20: { name: 'levy20', bounds: Array.from({ length: 20 }, () => [-10, 10] as const), optimum: 0, f: levy },
};

/** A function of the development set, the held-out one or the high-dimensional one by name. */
export function benchmarkFunction(name: string): TestFunction | undefined {
  if (Object.hasOwn(testFunctions, name)) return testFunctions[name];
  return Object.hasOwn(heldOutFunctions, name) ? heldOutFunctions[name] : highDimFunctions[name];
}
