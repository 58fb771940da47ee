import { dLogH, inverseMillsRatio, logH, logNormalCdf } from './normal.ts';

/**
 * Acquisition functions over standardised outputs, always for minimisation (the driver negates a maximised
 * metric). Larger is better for all three, and each comes with its derivatives with respect to the posterior
 * mean and variance so the optimiser can chain them through the GP's input gradients.
 * - EI as log-EI (Ament et al., 2023): log σ + log h(z), z = (best − ξ − μ)/σ, stable for every z;
 * - LCB as −(μ − κσ) with κ = 1.96, scikit-optimize's default;
 * - PI as log Φ(z) with ξ = 0.01, again scikit-optimize's default margin.
 */

/** The single acquisitions; `gp_hedge` chooses among EI and LCB. */
export type AcquisitionName = 'EI' | 'LCB' | 'PI';

/**
 * The acquisitions a `gp_hedge` portfolio holds, in a fixed order (its gains are stored in this order). PI is
 * left out, unlike scikit-optimize's portfolio: its nominations sit next to the incumbent, so the hedge's gains
 * (minus the posterior mean at each nomination) favour it, and it refined whichever basin was found first.
 * Hartmann-6's regret@50, median over 20 seeds: 0.119 with PI, 0.0009 without (13 of 20 seeds in the global
 * basin by trial 50 against 9); log-EI keeps LCB beside it, whose exploration the benchmark's valley and
 * ellipsoid need (README, "GP-BO at 50 trials").
 */
export const portfolio: readonly AcquisitionName[] = ['EI', 'LCB'];

/** What an acquisition compares against: the incumbent (lowest standardised value) and the margins. */
export interface AcquisitionContext {
  readonly best: number;
  /** ξ for EI. */
  readonly eiMargin: number;
  /** ξ for PI. */
  readonly piMargin: number;
  /** κ for LCB. */
  readonly kappa: number;
}

/** The default margins: EI without a margin (log-EI already explores), PI with scikit-optimize's 0.01, κ = 1.96. */
export function acquisitionContext(best: number): AcquisitionContext {
  return { best, eiMargin: 0, piMargin: 0.01, kappa: 1.96 };
}

/** The variance floor in standardised units: keeps z finite at observed points of a noiseless model. */
const minVariance = 1e-12;

/** An acquisition value with its derivatives with respect to the posterior mean and the latent variance. */
export interface AcquisitionValue {
  readonly value: number;
  readonly dMean: number;
  readonly dVariance: number;
}

/** The acquisition `name` at a point with posterior `mean` and latent `variance`. */
export function acquire(
  name: AcquisitionName,
  mean: number,
  variance: number,
  ctx: AcquisitionContext,
): AcquisitionValue {
  const floored = variance < minVariance;
  const sigma = Math.sqrt(floored ? minVariance : variance);
  // d/dVariance = d/dσ · 1/(2σ); zero below the floor, where σ no longer moves with the variance.
  const perSigma = floored ? 0 : 1 / (2 * sigma);
  if (name === 'LCB') {
    return { value: -mean + ctx.kappa * sigma, dMean: -1, dVariance: ctx.kappa * perSigma };
  }
  if (name === 'EI') {
    const z = (ctx.best - ctx.eiMargin - mean) / sigma;
    const r = dLogH(z);
    return { value: Math.log(sigma) + logH(z), dMean: -r / sigma, dVariance: ((1 - z * r) / sigma) * perSigma };
  }
  const z = (ctx.best - ctx.piMargin - mean) / sigma;
  const r = inverseMillsRatio(z);
  return { value: logNormalCdf(z), dMean: -r / sigma, dVariance: ((-z * r) / sigma) * perSigma };
}

/** Only the value of {@link acquire}, for sweeps over many candidates. */
export function acquireValue(name: AcquisitionName, mean: number, variance: number, ctx: AcquisitionContext): number {
  const sigma = Math.sqrt(Math.max(variance, minVariance));
  if (name === 'LCB') return -mean + ctx.kappa * sigma;
  if (name === 'EI') return Math.log(sigma) + logH((ctx.best - ctx.eiMargin - mean) / sigma);
  return logNormalCdf((ctx.best - ctx.piMargin - mean) / sigma);
}
