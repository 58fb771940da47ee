import { fromUnit } from '../distributions.ts';
import { derive, Rng } from '../rng.ts';
import { maxSobolDimensions } from '../sobolDirections.ts';
import { SobolSequence } from '../sobolSequence.ts';
import type { Assignment, ParamValue, SearchSpace } from '../space.ts';
import { type Eigen, scaleByRoot } from './eigen.ts';
import type { SpaceEncoding } from './encoding.ts';
import { normalQuantile } from './normal.ts';
import type { RunState } from './state.ts';

/** One draw of a member: the point in the unit cube, whether mirroring moved it, and the categorical choices. */
export interface Draw {
  readonly u: number[];
  readonly mirrored: boolean;
  readonly cats: number[];
}

/**
 * Folds a coordinate back into [0, 1] by reflecting at the faces (as often as needed). Unlike clipping it does not
 * pile draws up on a face, and unlike resampling it costs one draw however far outside the mean's distribution
 * reaches; the best value of a hyperparameter is often at the edge of its range, and mirroring keeps it reachable.
 */
export function mirror(x: number): number {
  const t = ((x % 2) + 2) % 2;
  return t > 1 ? 2 - t : t;
}

/** Unscrambled Sobol sequences by dimension, built once: each generation only XORs its own digital shift on top. */
const plainSequences = new Map<number, SobolSequence>();

/**
 * Quasi-random standard normal vectors for one generation: point k of a Sobol sequence with a random digital shift
 * per generation, mapped through Φ⁻¹. Each vector is still exactly N(0, I) (a shifted point is uniform), but the
 * λ vectors of a generation spread out evenly instead of clumping, which steadies the ranking-based update
 * (Teytaud & Gelly's quasi-random CMA-ES; measured with Hansen's λ, median regret after 100 trials over 50 seeds:
 * Branin 0.010 → 0.002, Hartmann6 0.30 → 0.23, Rosenbrock-4 38 → 29). Undefined beyond the Sobol tables' dimensions.
 */
export function generationNormals(seed: number, generation: number, n: number): ((k: number) => number[]) | undefined {
  if (n < 1 || n > maxSobolDimensions) return undefined;
  let plain = plainSequences.get(n);
  if (!plain) {
    plain = new SobolSequence(n);
    plainSequences.set(n, plain);
  }
  const sequence = plain;
  const rng = new Rng(derive(seed, 'cmaes-normals', generation));
  const shifts = Array.from({ length: n }, () => rng.uint32());
  return (k) =>
    sequence.point(k).map((p, d) => {
      // Points are multiples of 2^-32, so the XOR is exact; the half-ulp offset keeps Φ⁻¹ away from 0.
      const shifted = ((p * twoPow32) ^ shifts[d]!) >>> 0;
      return normalQuantile((shifted + 0.5) / twoPow32);
    });
}

const twoPow32 = 4294967296;

/** Draws an index from a probability vector. */
function pick(probs: readonly number[], rng: Rng): number {
  let r = rng.next();
  for (let i = 0; i < probs.length - 1; i++) {
    r -= probs[i]!;
    if (r < 0) return i;
  }
  return probs.length - 1;
}

/**
 * One candidate: u = mirror(m + σ·A·B·D·z) with z standard normal (`normals`, else drawn from `rng`), where A is
 * the margin's scaling of lattice coordinates (CMA-ES with Margin samples x ~ N(m, σ²C) and evaluates
 * m + A(x − m)); categorical values are drawn from their own probability vectors with `rng`. `eig` is undefined
 * when there is no Gaussian coordinate.
 */
export function drawMember(run: RunState, eig: Eigen | undefined, rng: Rng, normals?: readonly number[]): Draw {
  const n = run.mean.length;
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) z[i] = normals?.[i] ?? rng.normal();
  const y = eig ? scaleByRoot(eig, z) : z;
  const u = new Array<number>(n);
  let mirrored = false;
  for (let i = 0; i < n; i++) {
    const x = run.mean[i]! + run.A[i]! * run.sigma * y[i]!;
    const folded = mirror(x);
    if (folded !== x) mirrored = true;
    u[i] = folded;
  }
  const cats = run.cats.map((p) => pick(p, rng));
  return { u, mirrored, cats };
}

/** Decodes a draw into an assignment of every parameter of `space`, keys in space order. */
export function decode(
  space: SearchSpace,
  enc: SpaceEncoding,
  u: readonly number[],
  cats: readonly number[],
): Assignment {
  const values = new Array<ParamValue>(space.length);
  enc.dims.forEach((d, i) => {
    values[d.param] = fromUnit(d.domain, u[i]!);
  });
  enc.cats.forEach((c, i) => {
    const domain = space[c.param]!.domain;
    if (domain.kind === 'categorical') values[c.param] = domain.values[cats[i]!]!;
  });
  const out: Record<string, ParamValue> = {};
  space.forEach((p, i) => {
    out[p.name] = values[i]!;
  });
  return out;
}
