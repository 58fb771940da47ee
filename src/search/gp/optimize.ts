import { derive, Rng } from '../rng.ts';
import { maxSobolDimensions } from '../sobolDirections.ts';
import { SobolSequence } from '../sobolSequence.ts';
import { type AcquisitionContext, type AcquisitionName, acquire, acquireValue } from './acquisition.ts';
import type { FantasyAverage } from './average.ts';
import type { SpaceEncoder } from './encode.ts';
import { minimizeInBox } from './lbfgs.ts';
import type { GpModel } from './model.ts';

/**
 * Acquisition maximisation in two stages. A sweep scores a scrambled Sobol set over the whole cube plus Gaussian
 * perturbations of the best observations (at three scales tied to the fitted length scales, where EI's maximum
 * usually is once the model has found a basin); every candidate is snapped first. Then projected L-BFGS refines
 * the best few candidates on the continuous relaxation with analytic gradients of the acquisition, the result is
 * snapped, and a coordinate search over discrete moves (ordinal ±1/±2 levels, other categories) finishes it.
 */

/** Snapped candidate points with their posterior mean and variance, shared by every acquisition of a hedge. */
export interface Sweep {
  readonly points: Float64Array;
  readonly size: number;
  readonly mean: Float64Array;
  readonly variance: Float64Array;
  /** With fantasies in the model: per candidate, the weights of their draws on its mean (see FantasyAverage). */
  readonly tail?: Float64Array;
}

/** A snapped point and its acquisition value. */
export interface Candidate {
  readonly x: Float64Array;
  readonly value: number;
}

/** How large the sweep is and where its perturbations are centred. */
export interface SweepOptions {
  readonly seed: number;
  readonly size: number;
  /** Encoded points to perturb, best first. */
  readonly incumbents: readonly Float64Array[];
  /** Fantasies at the end of the model whose draws a batch average needs ({@link Sweep.tail}); 0 for none. */
  readonly fantasies?: number;
}

/** Builds and scores the candidate sweep. */
export function sweepCandidates(model: GpModel, encoder: SpaceEncoder, options: SweepOptions): Sweep {
  const dims = encoder.dims;
  const local = options.incumbents.length === 0 ? 0 : Math.floor(options.size / 4);
  const global = options.size - local;
  const points = new Float64Array(options.size * dims);
  if (dims <= maxSobolDimensions) {
    const sobol = new SobolSequence(dims, derive(options.seed, 'gp-sweep'));
    for (let c = 0; c < global; c++) points.set(sobol.point(c), c * dims);
  } else {
    const rng = new Rng(derive(options.seed, 'gp-sweep'));
    for (let i = 0; i < global * dims; i++) points[i] = rng.next();
  }
  const rng = new Rng(derive(options.seed, 'gp-perturb'));
  const scales = [0.02, 0.1, 0.3];
  for (let c = global; c < options.size; c++) {
    const k = c - global;
    const centre = options.incumbents[k % options.incumbents.length]!;
    const scale = scales[k % scales.length]!;
    for (let d = 0; d < dims; d++) {
      // Step in proportion to the fitted length scale (capped at the cube's width).
      const sd = scale * Math.min(1, 1 / Math.sqrt(model.params.invLength2[d]!));
      points[c * dims + d] = Math.min(1, Math.max(0, centre[d]! + sd * rng.normal()));
    }
  }
  for (let c = 0; c < options.size; c++) encoder.snap(points, c * dims);
  const mean = new Float64Array(options.size);
  const variance = new Float64Array(options.size);
  const q = options.fantasies ?? 0;
  if (q === 0) {
    model.predictMany(points, options.size, mean, variance);
    return { points, size: options.size, mean, variance };
  }
  const tail = new Float64Array(options.size * q);
  model.predictMany(points, options.size, mean, variance, { q, out: tail });
  return { points, size: options.size, mean, variance, tail };
}

/** The sweep's candidates for which `keep` holds (by index), in their order, with their scores and tail weights. */
export function filterSweep(sweep: Sweep, dims: number, keep: (c: number) => boolean): Sweep {
  const kept = Array.from({ length: sweep.size }, (_, c) => c).filter(keep);
  const size = kept.length;
  const points = new Float64Array(size * dims);
  const mean = new Float64Array(size);
  const variance = new Float64Array(size);
  const q = sweep.tail === undefined ? 0 : sweep.tail.length / sweep.size;
  const tail = sweep.tail === undefined ? undefined : new Float64Array(size * q);
  kept.forEach((c, i) => {
    points.set(sweep.points.subarray(c * dims, (c + 1) * dims), i * dims);
    mean[i] = sweep.mean[c]!;
    variance[i] = sweep.variance[c]!;
    if (tail !== undefined) tail.set(sweep.tail!.subarray(c * q, (c + 1) * q), i * q);
  });
  return tail === undefined ? { points, size, mean, variance } : { points, size, mean, variance, tail };
}

/** How hard {@link maximizeAcquisition} works beyond the sweep. */
export interface RefineOptions {
  /** Sweep candidates refined by L-BFGS (0 for acq_optimizer `sampling`). */
  readonly starts: number;
  readonly iterations: number;
  /** Extra sweep candidates kept, unrefined, as fallbacks when the best ones collide with known points. */
  readonly fallbacks: number;
  /**
   * For a later member of a batch: candidates are ranked by the acquisition averaged over draws of the pending
   * points' outcomes (the sweep must carry its tail weights). Refinement still climbs the plain (believer)
   * acquisition's gradient from the best-ranked starts, and its end points are ranked by the average too.
   */
  readonly average?: FantasyAverage;
}

/** Maximises one acquisition over the sweep and local refinements; returns candidates best first. */
export function maximizeAcquisition(
  model: GpModel,
  encoder: SpaceEncoder,
  name: AcquisitionName,
  ctx: AcquisitionContext,
  sweep: Sweep,
  options: RefineOptions,
): Candidate[] {
  const dims = encoder.dims;
  const average = options.average;
  const tail = sweep.tail;
  const scores = Float64Array.from({ length: sweep.size }, (_, c) =>
    average !== undefined && tail !== undefined
      ? average.value(name, sweep.mean[c]!, sweep.variance[c]!, tail, c * average.q, ctx)
      : acquireValue(name, sweep.mean[c]!, sweep.variance[c]!, ctx),
  );
  const order = Array.from({ length: sweep.size }, (_, c) => c).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const out: Candidate[] = [];
  for (const c of order.slice(0, Math.max(options.fallbacks, options.starts))) {
    out.push({ x: sweep.points.slice(c * dims, (c + 1) * dims), value: scores[c]! });
  }
  const lower = new Float64Array(dims);
  const upper = new Float64Array(dims).fill(1);
  const objective = (x: Float64Array, grad: Float64Array): number => {
    const p = model.predictWithGradient(x);
    const a = acquire(name, p.mean, p.variance, ctx);
    for (let d = 0; d < dims; d++) grad[d] = -(a.dMean * p.dMean[d]! + a.dVariance * p.dVariance[d]!);
    return -a.value;
  };
  for (const start of out.slice(0, options.starts)) {
    const result = minimizeInBox(objective, start.x, lower, upper, {
      maxIterations: options.iterations,
      firstStep: 0.05,
      gradientTolerance: 1e-9,
      relativeTolerance: 1e-10,
    });
    const x = result.x;
    let value = -result.value;
    if (encoder.hasDiscrete) {
      encoder.snap(x);
      value = scoreOne(model, name, ctx, x);
      const moved = coordinateSearch(model, encoder, name, ctx, { x, value });
      out.push(average === undefined ? moved : { x: moved.x, value: average.valueAt(model, name, moved.x, ctx) });
    } else {
      out.push({ x, value: average === undefined ? value : average.valueAt(model, name, x, ctx) });
    }
  }
  return out.sort((a, b) => b.value - a.value);
}

function scoreOne(model: GpModel, name: AcquisitionName, ctx: AcquisitionContext, x: Float64Array): number {
  const mean = new Float64Array(1);
  const variance = new Float64Array(1);
  model.predictMany(x, 1, mean, variance);
  return acquireValue(name, mean[0]!, variance[0]!, ctx);
}

/** Greedy ascent over discrete moves from a snapped point, a few rounds at most. */
function coordinateSearch(
  model: GpModel,
  encoder: SpaceEncoder,
  name: AcquisitionName,
  ctx: AcquisitionContext,
  from: Candidate,
): Candidate {
  let best = from;
  for (let round = 0; round < 4; round++) {
    const moves = encoder.neighbours(best.x);
    if (moves.length === 0) break;
    const P = new Float64Array(moves.length * encoder.dims);
    moves.forEach((m, i) => {
      P.set(m, i * encoder.dims);
    });
    const mean = new Float64Array(moves.length);
    const variance = new Float64Array(moves.length);
    model.predictMany(P, moves.length, mean, variance);
    let improved = false;
    for (let i = 0; i < moves.length; i++) {
      const value = acquireValue(name, mean[i]!, variance[i]!, ctx);
      if (value > best.value + 1e-12 * Math.abs(best.value)) {
        best = { x: moves[i]!, value };
        improved = true;
      }
    }
    if (!improved) break;
  }
  return best;
}
