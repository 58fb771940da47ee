import { derive, Rng } from '../rng.ts';
import { maxSobolDimensions } from '../sobolDirections.ts';
import { SobolSequence } from '../sobolSequence.ts';
import {
  type AcquisitionContext,
  type AcquisitionName,
  acquire,
  acquireValue,
  acquisitionContext,
} from './acquisition.ts';
import type { SpaceEncoder } from './encode.ts';
import { minimizeInBox } from './lbfgs.ts';
import type { GpModel } from './model.ts';
import { regionBox, type TrustRegionState } from './trustRegion.ts';

/**
 * Proposals inside a trust region (see `trustRegion.ts`): candidates are the incumbent with a random subset of
 * its coordinates replaced by a scrambled Sobol point of the region's box, as TuRBO draws them. Changing every
 * coordinate at once in 20-D lands almost surely far from the incumbent in some direction that matters;
 * changing about 20/D of them (at least one) keeps most candidates next to the incumbent along all but a few
 * axes, which is where improvements are found once a basin is located. The best few by the acquisition are then
 * refined by L-BFGS inside the box.
 */

/** What a proposal in the region needs besides the model. */
export interface RegionRequest {
  readonly seed: number;
  /** The incumbent the region is centred on, encoded. */
  readonly centre: Float64Array;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  readonly acquisition: AcquisitionName;
  readonly ctx: AcquisitionContext;
  /** Candidates scored (snapped to the encoder's grid first). */
  readonly candidates: number;
  /** Best candidates refined by gradient inside the box (0 for `acq_optimizer: sampling`). */
  readonly starts: number;
  readonly iterations: number;
  /** Rejects points already tried or in flight, and infeasible ones. */
  readonly isSeen: (x: Float64Array) => boolean;
}

/** A chosen point with its acquisition value, or the probability with which each coordinate was perturbed. */
export interface RegionPick {
  readonly x: Float64Array;
  readonly value: number;
  readonly perturbProbability: number;
}

/** The probability that a candidate's coordinate is drawn from the box rather than kept at the incumbent's. */
export function perturbProbability(dims: number): number {
  return Math.min(1, 20 / dims);
}

/** The candidate set: `count` rows of `dims`, each the centre with a random non-empty subset of coordinates redrawn. */
export function regionCandidates(
  centre: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
  count: number,
  seed: number,
): Float64Array {
  const dims = centre.length;
  const points = new Float64Array(count * dims);
  const sobol = dims <= maxSobolDimensions ? new SobolSequence(dims, derive(seed, 'tr-sobol')) : undefined;
  const fill = new Rng(derive(seed, 'tr-fill'));
  const mask = new Rng(derive(seed, 'tr-mask'));
  const p = perturbProbability(dims);
  for (let c = 0; c < count; c++) {
    const u = sobol === undefined ? Float64Array.from({ length: dims }, () => fill.next()) : sobol.point(c);
    let changed = 0;
    for (let d = 0; d < dims; d++) {
      const redraw = p >= 1 || mask.next() < p;
      points[c * dims + d] = redraw ? lower[d]! + (upper[d]! - lower[d]!) * u[d]! : centre[d]!;
      if (redraw) changed++;
    }
    if (changed === 0) {
      const d = mask.int(0, dims - 1);
      points[c * dims + d] = lower[d]! + (upper[d]! - lower[d]!) * u[d]!;
    }
  }
  return points;
}

/** Step sizes of {@link localCandidates}, as fractions of the box's side in each dimension. */
const localScales = [0.02, 0.1, 0.3];

/**
 * Candidates next to the incumbent: the same random subset of coordinates moved by Gaussian steps of 2%, 10% or
 * 30% of the box's side (cycling), clipped to the box. Uniform draws in a box of side 0.8 are all far from the
 * incumbent in 20-D, and EI then ranks them by their variance; alone they made the trust-region GP worse than
 * the global one on 20-D Rosenbrock (seed 0, regret@200 16,124 against 3,653), so half the candidates are these.
 */
export function localCandidates(
  centre: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
  count: number,
  seed: number,
): Float64Array {
  const dims = centre.length;
  const points = new Float64Array(count * dims);
  const step = new Rng(derive(seed, 'tr-step'));
  const mask = new Rng(derive(seed, 'tr-local-mask'));
  const p = perturbProbability(dims);
  for (let c = 0; c < count; c++) {
    const scale = localScales[c % localScales.length]!;
    const forced = p >= 1 ? -1 : mask.int(0, dims - 1);
    for (let d = 0; d < dims; d++) {
      const move = p >= 1 || d === forced || mask.next() < p;
      const v = move ? centre[d]! + scale * (upper[d]! - lower[d]!) * step.normal() : centre[d]!;
      points[c * dims + d] = Math.min(upper[d]!, Math.max(lower[d]!, v));
    }
  }
  return points;
}

/** The best unseen point in the region by the acquisition, or undefined when every candidate is taken. */
export function proposeInRegion(model: GpModel, encoder: SpaceEncoder, r: RegionRequest): RegionPick | undefined {
  const dims = encoder.dims;
  const near = Math.floor(r.candidates / 2);
  const points = new Float64Array(r.candidates * dims);
  points.set(regionCandidates(r.centre, r.lower, r.upper, r.candidates - near, r.seed));
  points.set(localCandidates(r.centre, r.lower, r.upper, near, r.seed), (r.candidates - near) * dims);
  for (let c = 0; c < r.candidates; c++) encoder.snap(points, c * dims);
  const mean = new Float64Array(r.candidates);
  const variance = new Float64Array(r.candidates);
  model.predictMany(points, r.candidates, mean, variance);
  const picks: { x: Float64Array; value: number }[] = [];
  for (let c = 0; c < r.candidates; c++) {
    picks.push({
      x: points.slice(c * dims, (c + 1) * dims),
      value: acquireValue(r.acquisition, mean[c]!, variance[c]!, r.ctx),
    });
  }
  picks.sort((a, b) => b.value - a.value);
  const objective = (x: Float64Array, grad: Float64Array): number => {
    const q = model.predictWithGradient(x);
    const a = acquire(r.acquisition, q.mean, q.variance, r.ctx);
    for (let d = 0; d < dims; d++) grad[d] = -(a.dMean * q.dMean[d]! + a.dVariance * q.dVariance[d]!);
    return -a.value;
  };
  const refined: { x: Float64Array; value: number }[] = [];
  for (const start of picks.slice(0, r.starts)) {
    const result = minimizeInBox(objective, start.x, r.lower, r.upper, {
      maxIterations: r.iterations,
      firstStep: 0.05,
      gradientTolerance: 1e-9,
      relativeTolerance: 1e-10,
    });
    const x = result.x;
    encoder.snap(x);
    const m = new Float64Array(1);
    const v = new Float64Array(1);
    model.predictMany(x, 1, m, v);
    refined.push({ x, value: acquireValue(r.acquisition, m[0]!, v[0]!, r.ctx) });
  }
  const ranked = [...refined, ...picks].sort((a, b) => b.value - a.value);
  const pick = ranked.find((c) => !r.isSeen(c.x));
  return pick === undefined ? undefined : { ...pick, perturbProbability: perturbProbability(dims) };
}

/**
 * A restart's exploring proposal: the unseen point of a scrambled Sobol sweep over the whole cube where the
 * posterior is most uncertain, i.e. farthest (in the fitted length scales) from every observation and fantasy.
 */
export function proposeFarthest(
  model: GpModel,
  encoder: SpaceEncoder,
  r: Pick<RegionRequest, 'seed' | 'candidates' | 'isSeen'>,
): RegionPick | undefined {
  const dims = encoder.dims;
  const points = new Float64Array(r.candidates * dims);
  const sobol = dims <= maxSobolDimensions ? new SobolSequence(dims, derive(r.seed, 'tr-far')) : undefined;
  const rng = new Rng(derive(r.seed, 'tr-far'));
  for (let c = 0; c < r.candidates; c++) {
    points.set(sobol === undefined ? Float64Array.from({ length: dims }, () => rng.next()) : sobol.point(c), c * dims);
  }
  for (let c = 0; c < r.candidates; c++) encoder.snap(points, c * dims);
  const mean = new Float64Array(r.candidates);
  const variance = new Float64Array(r.candidates);
  model.predictMany(points, r.candidates, mean, variance);
  const order = Array.from({ length: r.candidates }, (_, c) => c).sort((a, b) => variance[b]! - variance[a]! || a - b);
  for (const c of order) {
    const x = points.slice(c * dims, (c + 1) * dims);
    if (!r.isSeen(x)) return { x, value: Math.sqrt(variance[c]!), perturbProbability: 1 };
  }
  return undefined;
}

/** What {@link trustedProposal} reads from the model phase of a request. */
export interface TrustedContext {
  readonly model: GpModel;
  readonly encoder: SpaceEncoder;
  /** The fitted log length scales, one per encoded dimension (they shape the box). */
  readonly logLength: readonly number[];
  /** Encoded observations, row-major, in creation order (the rows {@link TrustRegionState.centre} indexes). */
  readonly X: Float64Array;
  readonly region: TrustRegionState;
  /** The incumbent's value in the model's standardised units (EI and PI improve on it). */
  readonly best: number;
  readonly acquisition: AcquisitionName;
  readonly localSearch: boolean;
}

/** Candidates a trust-region proposal scores: 100 per encoded dimension, as TuRBO uses, up to 2,000. */
export function regionCandidateCount(dims: number): number {
  return Math.min(2000, Math.max(256, 100 * dims));
}

/**
 * The proposal for one trial under a trust region: inside the box around the incumbent, or, while a restart
 * explores, the most uncertain point of the cube. `explain` says which, with the region's side and counters.
 */
export function trustedProposal(
  t: TrustedContext,
  seed: number,
  isSeen: (x: Float64Array) => boolean,
): { pick: RegionPick | undefined; explain: Record<string, unknown> } {
  const dims = t.encoder.dims;
  const region = t.region;
  const summary = {
    length: region.length,
    successes: region.successes,
    failures: region.failures,
    restarts: region.restarts,
  };
  const candidates = regionCandidateCount(dims);
  if (region.centre < 0) {
    const pick = proposeFarthest(t.model, t.encoder, { seed: derive(seed, 'tr'), candidates, isSeen });
    return { pick, explain: { region: 'trust-region restart', trustRegion: summary } };
  }
  const centre = t.X.slice(region.centre * dims, (region.centre + 1) * dims);
  const box = regionBox(centre, t.logLength, region.length);
  const pick = proposeInRegion(t.model, t.encoder, {
    seed: derive(seed, 'tr'),
    centre,
    ...box,
    acquisition: t.acquisition,
    ctx: acquisitionContext(t.best),
    candidates,
    starts: t.localSearch ? 3 : 0,
    iterations: 20,
    isSeen,
  });
  const explain = {
    region: 'trust-region',
    trustRegion: { ...summary, perturbProbability: perturbProbability(dims) },
  };
  return { pick, explain };
}
