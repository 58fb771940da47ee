import type { Rng } from '../rng.ts';
import type { Hyper } from './kernel.ts';

/**
 * The `gp_hedge` portfolio (Hoffman, Brochu & de Freitas, "Portfolio Allocation for Bayesian Optimization",
 * 2011), as scikit-optimize runs it but without PI (see `portfolio`): every step each acquisition (EI, LCB)
 * nominates a point, one nomination
 * is chosen with probability softmax(η · gains), and once the model has been refitted each acquisition's gain
 * grows by minus the new posterior mean at its nomination, so acquisitions whose picks look good get chosen more
 * (gains are discounted, see {@link discount}).
 * The nominations and gains travel in the algorithm state; without a state the gains start at zero.
 */

/** Scikit-optimize's η. */
const eta = 1;
/**
 * Old gains fade by this factor per request (scikit-optimize keeps them whole). The landscape the model sees
 * changes as data arrives, so old evidence should count less; and since PI's nominations sit next to the
 * incumbent they always look best by this measure, so undiscounted gains freeze the portfolio on PI for good.
 */
const discount = 0.9;

/** The portfolio's memory: accumulated gains and the last nominations (encoded points) per acquisition. */
export interface HedgeState {
  readonly gains: readonly number[];
  readonly nominations: readonly (readonly (readonly number[])[])[];
}

/** What `bayesianoptimization` keeps between requests; plain JSON. */
export interface GpState {
  readonly version: 1;
  /** The last fitted hyperparameters (warm start) and how many observations they were fitted to. */
  readonly hyper?: Hyper;
  readonly fittedAt?: number;
  /** The observation count at the last multi-start fit. */
  readonly fullFitAt?: number;
  readonly hedge?: HedgeState;
}

function isNumberList(v: unknown, length?: number): v is number[] {
  return (
    Array.isArray(v) &&
    (length === undefined || v.length === length) &&
    v.every((x) => typeof x === 'number' && Number.isFinite(x))
  );
}

/** Reads a stored state defensively: anything malformed or for another encoding is dropped, not trusted. */
export function readState(raw: unknown, dims: number, portfolioSize: number): GpState {
  if (typeof raw !== 'object' || raw === null) return { version: 1 };
  const r = raw as Record<string, unknown>;
  let out: GpState = { version: 1 };
  const h = r.hyper as Record<string, unknown> | undefined;
  if (
    typeof h === 'object' &&
    h !== null &&
    isNumberList(h.logLength, dims) &&
    typeof h.logSignal === 'number' &&
    Number.isFinite(h.logSignal) &&
    typeof h.logNoise === 'number' &&
    Number.isFinite(h.logNoise)
  ) {
    out = { ...out, hyper: { logLength: h.logLength, logSignal: h.logSignal, logNoise: h.logNoise } };
    if (typeof r.fittedAt === 'number') out = { ...out, fittedAt: r.fittedAt };
    if (typeof r.fullFitAt === 'number') out = { ...out, fullFitAt: r.fullFitAt };
  }
  const hedge = r.hedge as Record<string, unknown> | undefined;
  if (typeof hedge === 'object' && hedge !== null && isNumberList(hedge.gains, portfolioSize)) {
    const nominations = hedge.nominations;
    const valid =
      Array.isArray(nominations) &&
      nominations.length === portfolioSize &&
      nominations.every((list) => Array.isArray(list) && list.every((x) => isNumberList(x, dims)));
    out = { ...out, hedge: { gains: hedge.gains, nominations: valid ? (nominations as number[][][]) : [] } };
  }
  return out;
}

/** The gains after crediting each acquisition with minus the current posterior mean at its last nominations. */
export function updatedGains(
  state: HedgeState | undefined,
  portfolioSize: number,
  mean: (x: Float64Array) => number,
): number[] {
  const gains = Array.from({ length: portfolioSize }, (_, a) => discount * (state?.gains[a] ?? 0));
  state?.nominations.forEach((list, a) => {
    for (const x of list) gains[a] = gains[a]! - mean(Float64Array.from(x));
  });
  return gains;
}

/** softmax(η · gains), shifted by the maximum so large gains cannot overflow. */
export function hedgeProbabilities(gains: readonly number[]): number[] {
  const top = Math.max(...gains);
  const w = gains.map((g) => Math.exp(eta * (g - top)));
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / total);
}

/** Draws an index with the given probabilities. */
export function drawIndex(probabilities: readonly number[], rng: Rng): number {
  let u = rng.next();
  for (let i = 0; i < probabilities.length; i++) {
    u -= probabilities[i]!;
    if (u < 0) return i;
  }
  return probabilities.length - 1;
}
