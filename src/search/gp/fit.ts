import { derive, Rng } from '../rng.ts';
import { CholeskyFactor } from './cholesky.ts';
import { covarianceMatrix, type Hyper, kernelParams, matern52, matern52Slope, scaledDistance2 } from './kernel.ts';
import { minimizeInBox } from './lbfgs.ts';

/**
 * Type-II maximum a posteriori fit of the kernel hyperparameters: maximise the log marginal likelihood plus
 * log priors over θ = (log ℓ_1..D, log σ_f², log σ_n²) with analytic gradients, by projected L-BFGS from several
 * starts. Inputs live in the unit cube and outputs are standardised, which is what makes fixed priors sensible:
 * - log ℓ_d ~ Normal(log(0.3) + ½ log D, 1.2²): a length scale of 0.3 of the cube in 1-D, growing like √D as
 *   distances between points grow in more dimensions (the dimension scaling of Hvarfner et al., 2024), wide
 *   enough for the data to move it by an order of magnitude. Longer centres (0.5) let the fit declare whole
 *   dimensions irrelevant from a dozen points, and the search then never looks there (Hartmann-6 stalls in
 *   its second-best basin far more often);
 * - log σ_f² ~ Normal(0, 1.5²): the standardised outputs have unit variance;
 * - log σ_n² ~ Normal(log 1e-4, 3²), bounded below by 1e-9: many objectives are nearly deterministic at the
 *   resolution that matters, and an over-estimated noise blurs the incumbent so the search stops refining it
 *   (a floor of 1e-6 of the output variance left Branin's regret stuck near 1e-5); a truly noisy metric still
 *   moves it up, the prior being wide, and the Cholesky adds jitter if a tiny noise makes K singular.
 */

/** The observations a fit sees: `n` rows of `dims` encoded inputs and standardised outputs. */
export interface FitData {
  readonly X: Float64Array;
  readonly y: Float64Array;
  readonly n: number;
  readonly dims: number;
}

/** The best hyperparameters found and their log posterior (up to a constant). */
export interface FitResult {
  readonly hyper: Hyper;
  readonly logPosterior: number;
  readonly evaluations: number;
}

const lengthSd = 1.2;
const signalSd = 1.5;
const noiseMean = Math.log(1e-4);
const noiseSd = 3;
const bounds = {
  length: [Math.log(0.005), Math.log(100)],
  signal: [Math.log(0.01), Math.log(100)],
  noise: [Math.log(1e-9), Math.log(2)],
} as const;

function lengthMean(dims: number): number {
  return Math.log(0.3) + 0.5 * Math.log(dims);
}

/** The centre of the priors: the default start of a fit. */
export function priorCentre(dims: number): Hyper {
  return { logLength: Array.from({ length: dims }, () => lengthMean(dims)), logSignal: 0, logNoise: noiseMean };
}

/** A draw from the priors (clipped to the bounds), for extra starts of a fit. */
export function samplePrior(dims: number, rng: Rng): Hyper {
  const clip = (v: number, [lo, hi]: readonly [number, number]) => Math.min(hi, Math.max(lo, v));
  return {
    logLength: Array.from({ length: dims }, () => clip(lengthMean(dims) + lengthSd * rng.normal(), bounds.length)),
    logSignal: clip(signalSd * 0.5 * rng.normal(), bounds.signal),
    logNoise: clip(noiseMean + noiseSd * 0.5 * rng.normal(), bounds.noise),
  };
}

function toVector(h: Hyper): Float64Array {
  return Float64Array.from([...h.logLength, h.logSignal, h.logNoise]);
}

function fromVector(v: Float64Array, dims: number): Hyper {
  return { logLength: Array.from(v.subarray(0, dims)), logSignal: v[dims]!, logNoise: v[dims + 1]! };
}

/**
 * The log marginal likelihood plus log priors at θ, with its gradient written into `grad`:
 * ∂/∂θ_j = ½ tr((ααᵀ − K⁻¹) ∂K/∂θ_j) + ∂ log p(θ)/∂θ_j. −Infinity when K cannot be factored.
 */
export function logPosterior(theta: Float64Array, data: FitData, grad: Float64Array): number {
  const { X, y, n, dims } = data;
  const h = fromVector(theta, dims);
  const p = kernelParams(h);
  let chol: CholeskyFactor;
  try {
    chol = CholeskyFactor.factor(covarianceMatrix(X, n, dims, p), n);
  } catch {
    grad.fill(0);
    return Number.NEGATIVE_INFINITY;
  }
  const alpha = chol.solve(y);
  let fit = 0;
  for (let i = 0; i < n; i++) fit += y[i]! * alpha[i]!;
  const value = -0.5 * fit - 0.5 * chol.logDet() - 0.5 * n * Math.log(2 * Math.PI);
  const Kinv = chol.inverse();
  grad.fill(0);
  let gSignal = 0;
  let trace = 0;
  for (let i = 0; i < n; i++) {
    const wii = alpha[i]! * alpha[i]! - Kinv[i * n + i]!;
    trace += wii;
    gSignal += 0.5 * wii * p.signal;
    for (let j = 0; j < i; j++) {
      // Each off-diagonal pair appears twice in the trace; the ½ cancels.
      const w = alpha[i]! * alpha[j]! - Kinv[i * n + j]!;
      const r = Math.sqrt(scaledDistance2(X, i, X, j, p.invLength2, dims));
      gSignal += w * p.signal * matern52(r);
      const common = w * p.signal * matern52Slope(r);
      for (let d = 0; d < dims; d++) {
        const t = X[i * dims + d]! - X[j * dims + d]!;
        grad[d] = grad[d]! + common * t * t * p.invLength2[d]!;
      }
    }
  }
  grad[dims] = gSignal;
  grad[dims + 1] = 0.5 * trace * p.noise;
  return value + logPrior(theta, dims, grad);
}

/** Adds the gradient of the log priors to `grad` and returns their value. */
function logPrior(theta: Float64Array, dims: number, grad: Float64Array): number {
  let value = 0;
  const mean = lengthMean(dims);
  for (let d = 0; d < dims; d++) {
    const z = (theta[d]! - mean) / lengthSd;
    value -= 0.5 * z * z;
    grad[d] = grad[d]! - z / lengthSd;
  }
  const zs = theta[dims]! / signalSd;
  value -= 0.5 * zs * zs;
  grad[dims] = grad[dims]! - zs / signalSd;
  const zn = (theta[dims + 1]! - noiseMean) / noiseSd;
  value -= 0.5 * zn * zn;
  grad[dims + 1] = grad[dims + 1]! - zn / noiseSd;
  return value;
}

/** Maximises {@link logPosterior} from each start and keeps the best. */
export function fitHyper(data: FitData, starts: readonly Hyper[], maxIterations: number): FitResult {
  const dims = data.dims;
  const lower = Float64Array.from([...Array<number>(dims).fill(bounds.length[0]), bounds.signal[0], bounds.noise[0]]);
  const upper = Float64Array.from([...Array<number>(dims).fill(bounds.length[1]), bounds.signal[1], bounds.noise[1]]);
  let best: FitResult | undefined;
  let evaluations = 0;
  for (const start of starts) {
    const result = minimizeInBox(
      (theta, grad) => {
        const v = logPosterior(theta, data, grad);
        for (let i = 0; i < grad.length; i++) grad[i] = -grad[i]!;
        return -v;
      },
      toVector(start),
      lower,
      upper,
      { maxIterations, firstStep: 1, gradientTolerance: 1e-4, relativeTolerance: 1e-8 },
    );
    evaluations += result.evaluations;
    if (Number.isFinite(result.value) && (best === undefined || -result.value > best.logPosterior)) {
      best = { hyper: fromVector(result.x, dims), logPosterior: -result.value, evaluations: 0 };
    }
  }
  const hyper = best?.hyper ?? priorCentre(dims);
  return { hyper, logPosterior: best?.logPosterior ?? Number.NEGATIVE_INFINITY, evaluations };
}

/** The starts of a fit: the previous fit when there is one, the prior centre, and `extra` seeded prior draws. */
export function fitStarts(dims: number, previous: Hyper | undefined, extra: number, seed: number): Hyper[] {
  const starts: Hyper[] = [];
  if (previous !== undefined && previous.logLength.length === dims) starts.push(previous);
  starts.push(priorCentre(dims));
  const rng = new Rng(derive(seed, 'gp-fit-starts'));
  for (let i = 0; i < extra; i++) starts.push(samplePrior(dims, rng));
  return starts;
}
