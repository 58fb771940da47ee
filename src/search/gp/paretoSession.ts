import { derive } from '../rng.ts';
import type { ObjectiveSpec } from '../types.ts';
import { HypervolumeCells } from './ehvi.ts';
import type { SpaceEncoder } from './encode.ts';
import { type GpState, readState } from './hedge.ts';
import { selectSubset, standardise } from './history.ts';
import { minimizeInBox } from './lbfgs.ts';
import { GpModel } from './model.ts';
import { filterSweep, type Sweep, sweepCandidates } from './optimize.ts';
import type { GpOptions } from './options.ts';
import { nonDominated, type ParetoHistory, paretoScore, referencePoint, thinFront } from './pareto.ts';
import { chooseHyper, type FitKind, modelCap, type Proposal, sweepSize } from './session.ts';

/** What multi-objective `bayesianoptimization` keeps between requests: one GP state per objective. */
export interface ParetoState {
  readonly version: 1;
  readonly objectives: readonly GpState[];
}

/** Reads a stored multi-objective state defensively (one entry per objective, or none at all). */
export function readParetoState(raw: unknown, dims: number, objectives: number): ParetoState {
  const list = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>).objectives : undefined;
  const valid = Array.isArray(list) && list.length === objectives;
  return {
    version: 1,
    objectives: Array.from({ length: objectives }, (_, k) => readState(valid ? list[k] : undefined, dims, 0)),
  };
}

/**
 * The reference point lies at least this many standard deviations beyond the front's worst value. Measured on the
 * benchmark (ZDT1 / DTLZ2 at 100 trials, 2 seeds): 0.1 gave 11.680 / 10.008, 0.25 gave 11.758 / 9.993, 0.5 gave
 * 11.759 / 9.954; and a reference beyond the worst observation (not the front's) 11.759 / 9.767, the extremes then
 * drawing the proposals away from the middle of a three-objective front. A larger floor also keeps a front that
 * one dominant trial collapsed to a point or two from shrinking the region worth improving to almost nothing.
 */
const referenceFloor = 0.25;
/** Variance floor in standardised units, as for the single-objective acquisitions. */
const minVariance = 1e-12;
/** Front members whose perturbations join the candidate sweep (spread along the front). */
const perturbed = 16;

/** One objective's model and the transform between its standardised and the user's units. */
interface ObjectiveModel {
  readonly model: GpModel;
  readonly mean: number;
  readonly scale: number;
  readonly sign: number;
  readonly fit: { kind: FitKind; hyper: GpState['hyper']; fittedAt: number; fullFitAt: number };
}

/**
 * One request's model phase with several objectives: an independent GP per objective (the single-objective
 * model, fit and hyperparameter schedule of `session.ts`, each on its own standardised outputs), and proposals
 * that maximise the expected hypervolume improvement (`ehvi.ts`, exact) over the Pareto front of the
 * observations in standardised units, against a reference point derived from that front ({@link referencePoint}).
 * Standardising scales each objective, which scales every hypervolume by the same constant, so the maximiser is
 * the one in the user's units. Trials in flight and earlier members of the batch are kriging believers: each
 * model is conditioned on its predicted mean there and the predicted vector joins the front.
 */
export class ParetoSession {
  private readonly fantasised: number[][] = [];
  private fantasies = 0;

  private constructor(
    private readonly encoder: SpaceEncoder,
    private readonly options: GpOptions,
    private readonly history: ParetoHistory,
    private readonly objectives: readonly ObjectiveModel[],
    private readonly front: readonly { readonly x: Float64Array; readonly y: readonly number[] }[],
    private readonly reference: readonly number[],
  ) {}

  /** Fits one model per objective and finds the front; `extra` is the number of fantasies to make room for. */
  static open(
    encoder: SpaceEncoder,
    options: GpOptions,
    history: ParetoHistory,
    state: ParetoState,
    meta: { readonly extra: number; readonly objectives: readonly ObjectiveSpec[] },
  ): ParetoSession {
    const dims = encoder.dims;
    const m = meta.objectives.length;
    const frontRows = nonDominated(history.losses);
    const keep = selectSubset(
      history.X,
      paretoScore(history.losses, frontRows),
      history.n,
      dims,
      modelCap,
      options.seed,
    );
    const n = keep.length;
    const X = new Float64Array(n * dims);
    keep.forEach((row, i) => {
      X.set(history.X.subarray(row * dims, (row + 1) * dims), i * dims);
    });
    const objectives: ObjectiveModel[] = [];
    for (let k = 0; k < m; k++) {
      const std = standardise(Float64Array.from(keep, (row) => history.losses[row]![k]!));
      const seed = derive(options.seed, 'objective', k);
      const chosen = chooseHyper(X, std.y, n, dims, history.n, state.objectives[k]!, seed);
      const model = GpModel.fit(X, std.y, n, dims, chosen.hyper, history.pending.length + meta.extra);
      objectives.push({
        model,
        mean: std.mean,
        scale: std.scale,
        sign: meta.objectives[k]!.type === 'maximize' ? -1 : 1,
        fit: { kind: chosen.kind, hyper: chosen.hyper, fittedAt: chosen.fittedAt, fullFitAt: chosen.fullFitAt },
      });
    }
    const front = frontRows.map((row) => ({
      x: history.X.slice(row * dims, (row + 1) * dims),
      y: history.losses[row]!.map((v, k) => (v - objectives[k]!.mean) / objectives[k]!.scale),
    }));
    const reference = referencePoint(
      front.map((p) => p.y),
      referenceFloor,
    );
    const session = new ParetoSession(encoder, options, history, objectives, front, reference);
    for (const x of history.pending) session.addFantasy(x);
    return session;
  }

  /** Posterior means and standard deviations of every objective at the `count` rows of `points`. */
  private predict(points: Float64Array, count: number, first?: Sweep): { mean: Float64Array[]; sd: Float64Array[] } {
    const mean: Float64Array[] = [];
    const sd: Float64Array[] = [];
    this.objectives.forEach((o, k) => {
      const mu = k === 0 && first !== undefined ? first.mean : new Float64Array(count);
      const variance = k === 0 && first !== undefined ? first.variance : new Float64Array(count);
      if (k > 0 || first === undefined) o.model.predictMany(points, count, mu, variance);
      mean.push(mu);
      sd.push(Float64Array.from(variance, (v) => Math.sqrt(Math.max(v, minVariance))));
    });
    return { mean, sd };
  }

  private addFantasy(x: Float64Array): void {
    const { mean } = this.predict(x, 1);
    const believed = mean.map((mu) => mu[0]!);
    let added = true;
    this.objectives.forEach((o, k) => {
      added = o.model.addFantasy(x, believed[k]!) && added;
    });
    if (added) this.fantasies++;
    this.fantasised.push(believed);
  }

  /**
   * Proposes the point for trial `index` (the same contract as `ModelSession.propose`): the EHVI maximiser over a
   * Sobol sweep plus perturbations of front members, the best few refined by L-BFGS on −log EHVI.
   */
  propose(
    index: number,
    isSeen: (x: Float64Array) => boolean,
    fallback: () => Float64Array,
    feasible?: (x: Float64Array) => boolean,
  ): Proposal {
    const seed = derive(this.options.seed, 'gp', index);
    const dims = this.encoder.dims;
    const vectors = [...this.front.map((p) => p.y), ...this.fantasised];
    const current = nonDominated(vectors).map((i) => vectors[i]!);
    const kept = thinFront(current).map((i) => current[i]!);
    const cells = new HypervolumeCells(kept, this.reference);
    const step = Math.max(1, Math.ceil(this.front.length / perturbed));
    const incumbents = this.front.filter((_, i) => i % step === 0).map((p) => p.x);
    const n = this.objectives[0]!.model.size;
    const swept = sweepCandidates(this.objectives[0]!.model, this.encoder, { seed, size: sweepSize(n), incumbents });
    const sweep =
      feasible === undefined
        ? swept
        : filterSweep(swept, dims, (c) => feasible(swept.points.subarray(c * dims, (c + 1) * dims)));
    const { mean, sd } = this.predict(sweep.points, sweep.size, sweep);
    const m = this.objectives.length;
    const at = (c: number, of: Float64Array[]) => Float64Array.from({ length: m }, (_, k) => of[k]![c]!);
    const scores = Float64Array.from({ length: sweep.size }, (_, c) => cells.expected(at(c, mean), at(c, sd)));
    const order = Array.from({ length: sweep.size }, (_, c) => c).sort((a, b) => scores[b]! - scores[a]! || a - b);
    // The best distinct unseen candidates: perturbations of a front member at the cube's corner often clip onto the
    // member itself, whose EHVI stays positive (σ > 0 there), and would otherwise fill every place.
    const candidates: { x: Float64Array; value: number }[] = [];
    const taken = new Set<string>();
    for (const c of order) {
      if (candidates.length >= 32) break;
      const x = sweep.points.slice(c * dims, (c + 1) * dims);
      const key = x.join(',');
      if (taken.has(key) || isSeen(x)) continue;
      taken.add(key);
      candidates.push({ x, value: scores[c]! });
    }
    // Each refinement step costs O(n²) per objective: past 200 points fewer, shorter refinements.
    const small = n <= 200;
    const starts = this.options.localSearch ? (small ? 5 : 3) : 0;
    const iterations = small ? 40 : n <= 600 ? 15 : 10;
    for (const start of candidates.slice(0, starts)) candidates.push(this.refine(cells, start.x, iterations));
    candidates.sort((a, b) => b.value - a.value);
    const pick = candidates.find((c) => !isSeen(c.x));
    const x = pick?.x ?? fallback();
    const predicted = this.predict(x, 1);
    const userScale = this.objectives.reduce((acc, o) => acc * o.scale, 1);
    const explain: Record<string, unknown> = {
      phase: 'model',
      acquisition: pick === undefined ? 'fallback' : 'EHVI',
      // Expected hypervolume improvement in the objectives' own units, against `referencePoint`.
      acquisitionValue: pick === undefined ? null : pick.value * userScale,
      predictedMeans: this.objectives.map((o, k) => this.toUser(o, predicted.mean[k]![0]!)),
      predictedSds: this.objectives.map((o, k) => o.scale * predicted.sd[k]![0]!),
      referencePoint: this.objectives.map((o, k) => this.toUser(o, this.reference[k]!)),
      paretoFront: this.front.length,
      ...(kept.length < current.length ? { frontUsed: kept.length } : {}),
      observations: this.history.n,
      modelPoints: n - this.fantasies,
      liar: this.fantasies,
      fit: this.objectives.map((o) => o.fit.kind),
    };
    this.addFantasy(x);
    return { x, explain };
  }

  /** L-BFGS on −log EHVI from `start` (log: EHVI spans many decades), snapped and scored by EHVI itself. */
  private refine(cells: HypervolumeCells, start: Float64Array, iterations: number): { x: Float64Array; value: number } {
    const dims = this.encoder.dims;
    const m = this.objectives.length;
    const mean = new Float64Array(m);
    const sd = new Float64Array(m);
    const objective = (x: Float64Array, grad: Float64Array): number => {
      const predictions = this.objectives.map((o) => o.model.predictWithGradient(x));
      predictions.forEach((p, k) => {
        mean[k] = p.mean;
        sd[k] = Math.sqrt(Math.max(p.variance, minVariance));
      });
      const e = cells.expectedWithGradient(mean, sd);
      grad.fill(0);
      if (!(e.value > 1e-300)) return 690; // −log of the smallest double: flat, L-BFGS stops
      for (let k = 0; k < m; k++) {
        const p = predictions[k]!;
        // dσ/dx = (dVariance/dx) / 2σ, zero below the floor where σ no longer moves.
        const perVariance = p.variance < minVariance ? 0 : 1 / (2 * sd[k]!);
        for (let d = 0; d < dims; d++)
          grad[d]! -= (e.dMean[k]! * p.dMean[d]! + e.dSd[k]! * perVariance * p.dVariance[d]!) / e.value;
      }
      return -Math.log(e.value);
    };
    const result = minimizeInBox(objective, start, new Float64Array(dims), new Float64Array(dims).fill(1), {
      maxIterations: iterations,
      firstStep: 0.05,
      gradientTolerance: 1e-9,
      relativeTolerance: 1e-10,
    });
    const x = result.x;
    this.encoder.snap(x);
    const { mean: mu, sd: s } = this.predict(x, 1);
    return {
      x,
      value: cells.expected(
        mu.map((v) => v[0]!),
        s.map((v) => v[0]!),
      ),
    };
  }

  /** A standardised value of one objective in the user's units and direction. */
  private toUser(o: ObjectiveModel, v: number): number {
    return o.sign * (o.mean + o.scale * v);
  }

  /** The state to hand back: each objective's hyperparameters for the next warm start. */
  state(): ParetoState {
    return {
      version: 1,
      objectives: this.objectives.map((o) => ({
        version: 1,
        ...(o.fit.hyper === undefined ? {} : { hyper: o.fit.hyper }),
        fittedAt: o.fit.fittedAt,
        fullFitAt: o.fit.fullFitAt,
      })),
    };
  }
}
