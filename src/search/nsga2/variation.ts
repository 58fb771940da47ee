import { fromUnit, toUnit } from '../distributions.ts';
import type { Rng } from '../rng.ts';
import type { Assignment, SearchSpace } from '../space.ts';

/** How two parents are bred into one child (see {@link breed}). */
export interface VariationOptions {
  readonly crossover: number;
  readonly crossoverEta: number;
  /** Per-parameter mutation chance. */
  readonly mutation: number;
  readonly mutationEta: number;
}

/**
 * One child of two parents. Numeric parameters (double, int, discrete) are bred in the unit encoding of
 * `toUnit` (log scales in log space) with bounded simulated binary crossover (Deb and Agrawal 1995) and
 * polynomial mutation (Deb and Goyal 1996); int and discrete values snap back to their steps or lists when decoded.
 * Categorical parameters take either parent's value with even odds (uniform crossover) and mutate by a uniform
 * redraw. Without crossover the child starts as a copy of the first parent.
 */
export function breed(space: SearchSpace, a: Assignment, b: Assignment, rng: Rng, o: VariationOptions): Assignment {
  const cross = rng.next() < o.crossover;
  const out: Record<string, number | string> = {};
  for (const { name, domain } of space) {
    const mutate = rng.next() < o.mutation;
    if (domain.kind === 'categorical') {
      let v = cross && rng.next() < 0.5 ? b[name]! : a[name]!;
      if (mutate) v = rng.choice(domain.values);
      out[name] = v;
      continue;
    }
    let u = toUnit(domain, a[name]!);
    // SBX changes each variable with probability 1/2 (Deb's reference implementation), so children keep some genes whole.
    if (cross && rng.next() < 0.5) u = sbx(u, toUnit(domain, b[name]!), o.crossoverEta, rng);
    if (mutate) u = polynomialMutation(u, o.mutationEta, rng);
    out[name] = fromUnit(domain, u);
  }
  return out;
}

/** Bounded SBX on [0, 1]: one of the two children of `x` and `y`, chosen with even odds. */
export function sbx(x: number, y: number, eta: number, rng: Rng): number {
  if (Math.abs(x - y) < 1e-14) return x;
  const lo = Math.min(x, y);
  const hi = Math.max(x, y);
  const u = rng.next();
  const spread = (beta: number) => {
    const alpha = 2 - beta ** -(eta + 1);
    return u <= 1 / alpha ? (u * alpha) ** (1 / (eta + 1)) : (1 / (2 - u * alpha)) ** (1 / (eta + 1));
  };
  // The spread is bounded so that neither child leaves [0, 1] (Deb's bounded variant).
  const c1 = 0.5 * (lo + hi - spread(1 + (2 * lo) / (hi - lo)) * (hi - lo));
  const c2 = 0.5 * (lo + hi + spread(1 + (2 * (1 - hi)) / (hi - lo)) * (hi - lo));
  const child = rng.next() < 0.5 ? c1 : c2;
  return Math.min(1, Math.max(0, child));
}

/** Bounded polynomial mutation on [0, 1]: perturbations concentrate near `x`, never leave the bounds. */
export function polynomialMutation(x: number, eta: number, rng: Rng): number {
  const u = rng.next();
  const power = 1 / (eta + 1);
  let delta: number;
  if (u < 0.5) {
    const v = 2 * u + (1 - 2 * u) * (1 - x) ** (eta + 1);
    delta = v ** power - 1;
  } else {
    const v = 2 * (1 - u) + 2 * (u - 0.5) * x ** (eta + 1);
    delta = 1 - v ** power;
  }
  return Math.min(1, Math.max(0, x + delta));
}
