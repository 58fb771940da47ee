import { derive, Rng } from '../rng.ts';
import { type AcquisitionName, acquisitionContext, portfolio } from './acquisition.ts';
import { FantasyAverage, fantasyDraws } from './average.ts';
import { batchRole, refineContext } from './batch.ts';
import type { SpaceEncoder } from './encode.ts';
import { fitHyper, fitStarts } from './fit.ts';
import { drawIndex, type GpState, hedgeProbabilities, updatedGains } from './hedge.ts';
import { type History, selectSubset, standardise } from './history.ts';
import type { Hyper } from './kernel.ts';
import { GpModel } from './model.ts';
import { type Candidate, filterSweep, maximizeAcquisition, sweepCandidates } from './optimize.ts';
import { type GpOptions, usesTrustRegion } from './options.ts';
import { stallDue, stallLength } from './stall.ts';
import { replayTrustRegion, type TrustRegionState } from './trustRegion.ts';
import { trustedProposal } from './trustRegionProposal.ts';

/** Observations the posterior is conditioned on at most (see the cost notes in `bayesian.ts`). */
export const modelCap = 800;
/** Observations a hyperparameter fit sees at most. */
export const fitCap = 128;

/**
 * A local proposal ranks candidates predicted at least as good as this quantile of the observations the posterior
 * holds (all of them up to {@link modelCap}; past it the best quarter and a space-filling rest, so a tighter cap).
 */
export const localQuantile = 0.1;
/** An exploring proposal made while trials run ranks candidates predicted at least as good as this quantile. */
export const exploringQuantile = 0.5;
/** Candidates a capped sweep must keep, else the proposal ranks the whole sweep. */
const minCapped = 8;

/**
 * Candidates in the sweep for a posterior over n points: 2,048 while cheap (up to 220 points), fewer as each
 * costs O(n²): 399 at 500 points, 256 from 625 on. Scoring the sweep's variances was the largest single cost of
 * a suggestion at 500 points (a quarter of a CPU profile with 640 candidates there); 400 cut the cost of such a
 * suggestion by about a quarter, measured side by side on the shared machine. Studies of up to 220 trials (the
 * whole search benchmark) see no change.
 */
export function sweepSize(n: number): number {
  return Math.max(256, Math.min(2048, Math.floor(1e8 / (n * n + 1))));
}

/** How the hyperparameters were obtained this time (for `explain`). */
export type FitKind = 'full' | 'warm' | 'reused';

/** One proposal of the model phase. */
export interface Proposal {
  readonly x: Float64Array;
  readonly explain: Readonly<Record<string, unknown>>;
}

/**
 * One request's model phase: fits (or reuses) the hyperparameters, conditions the GP on the observations and
 * on fantasies for in-flight trials, then proposes points one at a time, each becoming a fantasy for the next.
 * A fantasy enters the model at the model's own mean (kriging believer, Ginsbourger et al., 2010), which gives
 * the exact posterior variance given the pending points, so a batch spreads out. While fantasies are pending,
 * EI and PI are not read at that single believed outcome but averaged over draws of the pending outcomes from
 * their joint posterior (greedy sequential q-EI by Monte Carlo, see FantasyAverage): a point next to one that
 * may well come back poor keeps some of its value. Measured with 4 suggestions per request, regret@100 median
 * over 30 seeds, believer → average: Ackley-5 3.11 → 2.69, Levy-4 0.56 → 0.26, Rosenbrock-4 8.5 → 11.7 (the same
 * distribution: geometric mean over 60 seeds 10.4 → 10.5), Hartmann6 and Branin below 1e-5 either way. The best-value lie
 * (CL-min) did worse than both (Hartmann6 0.06 vs 6e-6). While trials are in flight, all but one proposal in
 * every `parallelTrialCount` rank only points the model predicts among the best (see `searchRegion` and
 * {@link ModelSession.propose}).
 */
export class ModelSession {
  private readonly model: GpModel;
  private readonly best: number;
  private readonly incumbents: Float64Array[];
  private readonly sortedY: Float64Array;
  private readonly gains: number[];
  private readonly nominations: number[][][];
  private fantasies = 0;
  /** Observations since the last significant improvement, when PI is due to make this request's first proposal. */
  private stalled: number | undefined;
  /** The trust region replayed from the history, when this search uses one (see `trustRegion.ts`). */
  private trust: TrustRegionState | undefined;

  private constructor(
    private readonly encoder: SpaceEncoder,
    private readonly options: GpOptions,
    private readonly history: History,
    private readonly hyper: Hyper,
    private readonly fit: { kind: FitKind; fittedAt: number; fullFitAt: number },
    private readonly standard: { mean: number; scale: number; sign: number },
    private readonly parallel: number,
    state: GpState,
    built: { model: GpModel; y: Float64Array; X: Float64Array },
    stalled?: number,
  ) {
    this.model = built.model;
    this.stalled = stalled;
    const dims = encoder.dims;
    const order = Array.from(built.y, (_, i) => i).sort((a, b) => built.y[a]! - built.y[b]! || a - b);
    this.best = built.y[order[0]!]!;
    this.sortedY = Float64Array.from(order, (i) => built.y[i]!);
    this.incumbents = order.slice(0, 5).map((i) => built.X.slice(i * dims, (i + 1) * dims));
    this.gains = updatedGains(state.hedge, portfolio.length, (x) => this.predictAt(x).mean);
    this.nominations = portfolio.map(() => []);
  }

  /** Fits and conditions the model for a request; `extra` is the number of fantasies it must make room for. */
  static open(
    encoder: SpaceEncoder,
    options: GpOptions,
    history: History,
    state: GpState,
    meta: { extra: number; sign: number; parallel: number; parameters: number },
  ): ModelSession {
    const dims = encoder.dims;
    const keep = selectSubset(history.X, history.values, history.n, dims, modelCap, options.seed);
    const n = keep.length;
    const X = new Float64Array(n * dims);
    keep.forEach((row, i) => {
      X.set(history.X.subarray(row * dims, (row + 1) * dims), i * dims);
    });
    const std = standardise(Float64Array.from(keep, (row) => history.values[row]!));
    const { hyper, kind, fittedAt, fullFitAt } = chooseHyper(X, std.y, n, dims, history.n, state, options.seed);
    const model = GpModel.fit(X, std.y, n, dims, hyper, history.pending.length + meta.extra);
    // Only the default portfolio exploits on a stall (an explicit acq_func is kept), and only with nothing in flight.
    const stall = stallLength(history.values, history.n, std.scale, options.initialPoints);
    const stalled =
      options.acquisition === 'gp_hedge' && history.pending.length === 0 && stallDue(stall) ? stall : undefined;
    const session = new ModelSession(
      encoder,
      options,
      history,
      hyper,
      { kind, fittedAt, fullFitAt },
      { mean: std.mean, scale: std.scale, sign: meta.sign },
      meta.parallel,
      state,
      { model, y: std.y, X },
      stalled,
    );
    if (usesTrustRegion(options, meta.parameters)) {
      session.trust = replayTrustRegion(history.values, options.initialPoints, meta.parameters);
    }
    for (const x of history.pending) session.addFantasy(x);
    return session;
  }

  /** A standardised value in the user's units and direction (the standardisation and the sign for maximize undone). */
  private toUser(v: number): number {
    return this.standard.sign * (this.standard.mean + this.standard.scale * v);
  }

  /** The standardised observation at quantile `q` (0 = the best) of those the posterior holds. */
  private quantileY(q: number): number {
    return this.sortedY[Math.min(this.sortedY.length - 1, Math.floor(q * this.sortedY.length))]!;
  }

  private predictAt(x: Float64Array): { mean: number; variance: number } {
    const mean = new Float64Array(1);
    const variance = new Float64Array(1);
    this.model.predictMany(x, 1, mean, variance);
    return { mean: mean[0]!, variance: variance[0]! };
  }

  private addFantasy(x: Float64Array): void {
    // Kriging believer: the fantasy is the model's own prediction at x.
    if (this.model.addFantasy(x, this.predictAt(x).mean)) this.fantasies++;
  }

  /**
   * Proposes the point for trial `index`, skipping candidates for which `isSeen` holds; `fallback` supplies an
   * unseen point in the rare case that every candidate of every acquisition is taken (a nearly used-up space).
   * With `feasible` (parameter constraints), the sweep keeps only feasible candidates, so the acquisition is
   * maximised inside the feasible region; `isSeen` must reject infeasible points too (refinements may leave it).
   */
  propose(
    index: number,
    isSeen: (x: Float64Array) => boolean,
    fallback: () => Float64Array,
    feasible?: (x: Float64Array) => boolean,
  ): Proposal {
    const seed = derive(this.options.seed, 'gp', index);
    if (this.trust !== undefined) return this.proposeTrusted(this.trust, seed, isSeen, fallback);
    const n = this.model.size;
    // A stalled study's first proposal of the request is PI's (see stall.ts); nothing is pending then.
    const stalled = this.fantasies === 0 ? this.stalled : undefined;
    this.stalled = undefined;
    // A local proposal ranks only candidates that the model, believing the pending outcomes, predicts at least as
    // good as the best tenth of the observations: a batch's exploiting members may go to any basin the model
    // already rates, but not to places it knows nothing about. Ranking everything, a later member is drawn to far
    // corners: the fantasy average lowers the incumbent for points near the pending ones while the variance far
    // away stays near the prior's, so an unexplored corner outranks the refinements near the best. Measured,
    // 4 per request (sync batches), regret@100 median over 30 seeds; ranking everything → only perturbations of
    // the incumbents (the rule before this cap) → the cap; sequential in brackets: Rosenbrock-4 11.7 → 6.05 →
    // 5.38 (7.0), Ackley-5 2.69 → 2.34 → 1.99 (2.58); held out: Styblinski–Tang-5 28.3 → 14.5 (14.7) and
    // Ellipsoid-6 0.21 → 0.27 (0.32) for the last two rules. Branin and Hartmann6 stay below 1e-5, but on
    // Hartmann6's seeds 0–9 perturbations only reached the best basin late in one run (median 1.25e-3 against
    // 6.5e-6 sequential; the cap: 7.8e-6). A looser cap (best quarter / half): Rosenbrock-4 4.97 / 6.48;
    // Rastrigin-4 (held out, multimodal) 14.9 / 9.45 against 12.4 for the tenth, 11.5 for perturbations only
    // and 6.57 sequential — the one function measured where parallel GP stays well behind.
    const role = batchRole(index, this.fantasies, this.parallel);
    const region = role === 'explore' ? 'global' : 'local';
    const swept = sweepCandidates(this.model, this.encoder, {
      seed,
      size: sweepSize(n),
      incumbents: this.incumbents,
      fantasies: this.fantasies,
    });
    const dims = this.encoder.dims;
    const full =
      feasible === undefined
        ? swept
        : filterSweep(swept, dims, (c) => feasible(swept.points.subarray(c * dims, (c + 1) * dims)));
    // An exploring proposal made while trials run (a rolling refill: every trial sees the others running) has the
    // same pull to far corners; it ranks candidates predicted at least as good as the median observation, on the
    // believer alone (no average over the pending outcomes). Async, 4 in flight, 30 seeds, regret@100 median,
    // before → after (sequential): Rosenbrock-4 10.5 → 4.99 (7.0), Ackley-5 2.24 → 1.91 (2.58), Hartmann6 below
    // 1e-5 either way; held out: Ellipsoid-6 0.375 → 0.321 (0.322), Styblinski–Tang-5 14.2 → 14.1 (14.7), Levy-4
    // 0.076 → 0.123 (0.105; geometric mean 0.050 → 0.025), Rastrigin-4 8.75 → 11.5 (6.57), the one clear loss.
    // Synchronous batches never reach this: their exploring member is the first, with nothing pending.
    const pending = this.fantasies > 0;
    const quantile = region === 'local' ? localQuantile : pending ? exploringQuantile : undefined;
    const cap = quantile === undefined ? undefined : this.quantileY(quantile);
    const capped = cap === undefined ? full : filterSweep(full, this.encoder.dims, (c) => full.mean[c]! <= cap);
    // The perturbations of the best observation nearly always pass the cap; should too few do, rank everything.
    const sweep = capped.size >= minCapped ? capped : full;
    const meanCap = cap === undefined || sweep === full ? undefined : this.toUser(cap);
    // The refining member of a batch minimises the posterior mean (see batch.ts), outside the hedge; a stalled
    // sequential study's proposal is PI's (see stall.ts), outside the hedge too.
    const refining = role === 'refine';
    const ctx = refining ? refineContext(this.best) : acquisitionContext(this.best);
    const piOnStall = !refining && stalled !== undefined;
    const hedged = this.options.acquisition === 'gp_hedge' && !refining && !piOnStall;
    const names: readonly AcquisitionName[] = refining
      ? ['LCB']
      : piOnStall
        ? ['PI']
        : hedged
          ? portfolio
          : [this.options.acquisition as AcquisitionName];
    // Each refinement step costs O(n²): past 200 points fewer, shorter refinements keep the request cheap.
    const small = n <= 200;
    const starts = hedged ? (small ? 3 : 2) : small ? 5 : 3;
    const iterations = small ? 40 : n <= 600 ? 15 : 10;
    const average =
      pending && role === 'local'
        ? new FantasyAverage(this.model, this.fantasies, this.best, derive(seed, 'fantasy-draws'))
        : undefined;
    const refine = {
      starts: this.options.localSearch ? starts : 0,
      iterations,
      fallbacks: 32,
      ...(average === undefined ? {} : { average }),
    };
    const picks: (Candidate | undefined)[] = names.map((name) =>
      maximizeAcquisition(this.model, this.encoder, name, ctx, sweep, refine).find((c) => !isSeen(c.x)),
    );
    let chosen = 0;
    let probabilities: number[] | undefined;
    if (hedged) {
      probabilities = hedgeProbabilities(this.gains);
      chosen = drawIndex(probabilities, new Rng(derive(seed, 'hedge')));
      picks.forEach((p, a) => {
        if (p) this.nominations[a]!.push(Array.from(p.x));
      });
    }
    // The drawn acquisition's pick, or another one's when every candidate it had is already taken.
    const used = picks[chosen] !== undefined ? chosen : picks.findIndex((p) => p !== undefined);
    const pick = used >= 0 ? picks[used] : undefined;
    const x = pick?.x ?? fallback();
    const at = this.predictAt(x);
    const explain: Record<string, unknown> = {
      phase: 'model',
      acquisition: used < 0 ? 'fallback' : refining ? 'mean' : names[used],
      acquisitionValue: pick?.value ?? null,
      predictedMean: this.toUser(at.mean),
      predictedSd: this.standard.scale * Math.sqrt(at.variance),
      observations: this.history.n,
      modelPoints: n - this.fantasies,
      liar: this.fantasies,
      region,
      ...(refining ? { batchRole: role } : {}),
      // A capped proposal's candidates were all predicted at least this good.
      ...(meanCap === undefined ? {} : { meanCap }),
      ...(average === undefined ? {} : { fantasyDraws }),
      fit: this.fit.kind,
      // PI instead of the portfolio: the best value had not improved significantly for `stalled` observations.
      ...(piOnStall ? { stalled } : {}),
    };
    if (probabilities) explain.hedgeProbabilities = probabilities;
    this.addFantasy(x);
    return { x, explain };
  }

  /** {@link propose} under a trust region: the region's pick (or `fallback`), explained, then fantasised. */
  private proposeTrusted(
    region: TrustRegionState,
    seed: number,
    isSeen: (x: Float64Array) => boolean,
    fallback: () => Float64Array,
  ): Proposal {
    const centreValue = region.centre < 0 ? undefined : this.history.values[region.centre]!;
    const { pick, explain } = trustedProposal(
      {
        model: this.model,
        encoder: this.encoder,
        logLength: this.hyper.logLength,
        X: this.history.X,
        region,
        best: centreValue === undefined ? this.best : (centreValue - this.standard.mean) / this.standard.scale,
        acquisition: this.options.acquisition === 'gp_hedge' ? 'EI' : this.options.acquisition,
        localSearch: this.options.localSearch,
      },
      seed,
      isSeen,
    );
    const x = pick?.x ?? fallback();
    const at = this.predictAt(x);
    const proposal: Proposal = {
      x,
      explain: {
        phase: 'model',
        acquisition: pick === undefined ? 'fallback' : region.centre < 0 ? 'maxVariance' : explainName(this.options),
        acquisitionValue: pick?.value ?? null,
        predictedMean: this.toUser(at.mean),
        predictedSd: this.standard.scale * Math.sqrt(at.variance),
        observations: this.history.n,
        modelPoints: this.model.size - this.fantasies,
        liar: this.fantasies,
        ...explain,
        ...(centreValue === undefined ? {} : { incumbent: this.standard.sign * centreValue }),
        fit: this.fit.kind,
      },
    };
    this.addFantasy(x);
    return proposal;
  }

  /** The state to hand back: hyperparameters for the next warm start and the portfolio's memory. */
  state(): GpState {
    return {
      version: 1,
      hyper: this.hyper,
      fittedAt: this.fit.fittedAt,
      fullFitAt: this.fit.fullFitAt,
      hedge: { gains: this.gains, nominations: this.nominations },
    };
  }
}

/** The acquisition a trust-region proposal maximises: the one asked for, EI in place of the `gp_hedge` portfolio. */
function explainName(options: GpOptions): string {
  return options.acquisition === 'gp_hedge' ? 'EI' : options.acquisition;
}

/**
 * Hyperparameters for this request (also for each objective's model of a multi-objective search). A full multi-start fit when there is no previous fit or the data grew by a
 * tenth since the last one; otherwise a short warm-started fit from the previous optimum while the fit set is
 * small, and past that the previous values as they are until the data grows by 2% (each fit costs O(fitCap³)).
 */
export function chooseHyper(
  X: Float64Array,
  y: Float64Array,
  n: number,
  dims: number,
  observed: number,
  state: GpState,
  seed: number,
): { hyper: Hyper; kind: FitKind; fittedAt: number; fullFitAt: number } {
  const previous = state.hyper;
  const fullDue = previous === undefined || observed - (state.fullFitAt ?? 0) >= Math.max(1, Math.floor(observed / 10));
  const warmDue = n <= fitCap || observed - (state.fittedAt ?? 0) >= Math.max(1, Math.ceil(observed / 50));
  if (!fullDue && !warmDue && previous !== undefined) {
    return { hyper: previous, kind: 'reused', fittedAt: state.fittedAt ?? observed, fullFitAt: state.fullFitAt ?? 0 };
  }
  const rows = selectSubset(X, y, n, dims, fitCap, seed);
  const fx = new Float64Array(rows.length * dims);
  rows.forEach((row, i) => {
    fx.set(X.subarray(row * dims, (row + 1) * dims), i * dims);
  });
  const data = { X: fx, y: Float64Array.from(rows, (r) => y[r]!), n: rows.length, dims };
  if (fullDue) {
    // Random restarts matter while the data are few and the likelihood multi-modal; later the previous optimum
    // and the prior centre suffice, and two starts keep a full refit near 100 ms.
    const starts = fitStarts(dims, previous, observed <= 100 ? 2 : 0, derive(seed, 'fit', observed));
    const result = fitHyper(data, starts, 50);
    return { hyper: result.hyper, kind: 'full', fittedAt: observed, fullFitAt: observed };
  }
  const result = fitHyper(data, [previous!], 25);
  return { hyper: result.hyper, kind: 'warm', fittedAt: observed, fullFitAt: state.fullFitAt ?? 0 };
}
