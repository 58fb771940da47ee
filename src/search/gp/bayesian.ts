/**
 * Katib's `bayesianoptimization`, implemented here rather than wrapped: Gaussian-process Bayesian optimisation.
 *
 * Model. Parameters are encoded into the unit cube (`encode.ts`: `toUnit`, log domains in log space, categorical
 * one-hot), outputs are oriented for minimisation and standardised. The surrogate is a Matérn-5/2 ARD GP whose
 * hyperparameters are MAP-fitted with priors and analytic gradients by projected L-BFGS from several seeded
 * starts (`fit.ts`); the Cholesky factorisation escalates jitter when the matrix is ill-conditioned.
 *
 * Proposals. The first `n_initial_points` trials (default 10) come from a Sobol design scrambled by the seed,
 * indexed by trial number as in `sobol`. After that each proposal maximises an acquisition (`acq_func`: EI as
 * log-EI, LCB, PI as log-PI, or the default `gp_hedge` portfolio of log-EI and LCB) over a Sobol sweep plus
 * perturbations of the incumbents, refined by L-BFGS on the continuous relaxation and snapped to the grid
 * (`optimize.ts`). Pending/Running trials and earlier proposals of the same batch are kriging-believer
 * fantasies with EI/PI averaged over draws of their outcomes, and while trials are in flight all but one
 * proposal in every `parallelTrialCount` ranks only points predicted among the best (`session.ts`), the second
 * of them minimising the posterior mean to refine the incumbent (`batch.ts`). No
 * assignment already tried (in any state) is proposed again while an alternative exists.
 *
 * Cost (the target: under 250 ms per suggestion at 500 observations, and flat beyond). Per request:
 * - hyperparameters: a multi-start fit whenever the observations grew by 10% since the last one (4 starts while
 *   there are at most 100 observations, then the stored optimum and the prior centre; ≤ 50 L-BFGS iterations),
 *   else a warm-started 25-iteration fit from the stored optimum while the model has at most 128 points, else
 *   the stored values until the data grow by 2%. Fits only ever see 128 points (the best quarter plus a
 *   space-filling pick), so one costs O(128³) however long the experiment runs. The state carries the
 *   hyperparameters; without it (a restarted controller) the next request simply refits fully.
 * - posterior: one Cholesky of at most 800 observations (`modelCap`); beyond that the best quarter and a greedy
 *   max-min subset of the rest are kept, so cost and memory stop growing with the history. Between refits the
 *   previous request's factor is extended by the new rows only (`factorCache.ts`, bit-identical).
 * - acquisition: a sweep of 2,048 candidates while the model is small, shrinking as O(1/n²) (each needs an O(n²)
 *   solve) to 399 at 500 points and 256 from 625; then 3–9 L-BFGS refinements of 10–40 steps (fewer and
 *   shorter past 200 points), each step O(n²).
 * Measured on the shared 2-core development machine (Hartmann-6, one suggestion at a time, state passed back):
 * median 18 ms near trial 50, 37 ms near 100, 74 ms near 250, 120–140 ms near 500 (165 ms at most, refits
 * included), 230–300 ms from 800 observations on (10,000 included); 42 s for a 500-trial study.
 *
 * Several objectives (`capabilities.multiObjective`): one GP per objective under the same caps and schedule, and
 * proposals by exact expected hypervolume improvement (`paretoSession.ts`, `ehvi.ts`), so a request costs about M
 * times one single-objective request plus the EHVI (≤ 12,000 boxes per candidate). Measured in CPU time on the
 * shared 2-core machine under heavy load (one seed, 6 parameters): ZDT1 median 141 ms per suggestion near trial
 * 100, 336 ms near 200, 570 ms near 300 (99 s for the 300-trial study); DTLZ2 (3 objectives) 180 ms near 100.
 */
import type { Issue } from '../../common/issue.ts';
import { assignmentFromUnit, assignmentKey, sampleAssignment, spaceSize } from '../assignment.ts';
import { Combinations } from '../combinations.ts';
import { drawFeasible, type Feasibility, feasibilityOf } from '../constraints.ts';
import { derive, Rng } from '../rng.ts';
import { maxSobolDimensions } from '../sobolDirections.ts';
import { SobolSequence } from '../sobolSequence.ts';
import type { Assignment, SearchSpace } from '../space.ts';
import type {
  AlgorithmCapabilities,
  SearchAlgorithm,
  Settings,
  Suggestion,
  SuggestRequest,
  SuggestResult,
  ValidationContext,
} from '../types.ts';
import { portfolio } from './acquisition.ts';
import { SpaceEncoder } from './encode.ts';
import { type GpState, readState } from './hedge.ts';
import { type History, readHistory } from './history.ts';
import { type GpOptions, gpOptions, validateGpSettings } from './options.ts';
import { type ParetoHistory, readParetoHistory } from './pareto.ts';
import { ParetoSession, type ParetoState, readParetoState } from './paretoSession.ts';
import { ModelSession, type Proposal } from './session.ts';

/** Below this many usable observations there is nothing to fit, and the Sobol design continues. */
const minObservations = 2;
/** Up to this many combinations, a space whose candidates are all taken is enumerated to find what is left. */
const enumerateLimit = 100_000;

/** Gaussian-process Bayesian optimisation under Katib's name and settings (`base_estimator: GP` only). */
export class BayesianOptimization implements SearchAlgorithm {
  readonly name: string = 'bayesianoptimization';
  /**
   * The acquisition is maximised over feasible candidates only; design points skip infeasible Sobol points. With
   * several objectives: one GP per objective and expected hypervolume improvement (see `paretoSession.ts`).
   */
  readonly capabilities: AlgorithmCapabilities = { multiObjective: true, constraints: true };

  /** Katib's setting checks (unknown names rejected), plus RF/ET/GBRT and EIps/PIps reported as not implemented. */
  validate(settings: Settings, ctx: ValidationContext): Issue[] {
    const issues = validateGpSettings(settings);
    if (ctx.space.length > maxSobolDimensions) {
      issues.push({
        path: 'spec.parameters',
        message: `bayesianoptimization supports at most ${maxSobolDimensions} parameters, the experiment has ${ctx.space.length}`,
        fix: 'Use random search or tpe for very wide spaces.',
      });
    }
    return issues;
  }

  /** Returns exactly `req.count` suggestions: Sobol points during the initial design, then GP proposals. */
  suggest(req: SuggestRequest): SuggestResult {
    const options = gpOptions(req.settings, req.seed);
    if (req.space.length === 0) return { suggestions: Array.from({ length: req.count }, () => ({ params: {} })) };
    const encoder = new SpaceEncoder(req.space);
    const pareto = req.objectives.length > 1;
    const history = pareto ? readParetoHistory(req, encoder) : readHistory(req, encoder);
    const state = pareto
      ? readParetoState(req.state, encoder.dims, req.objectives.length)
      : readState(req.state, encoder.dims, portfolio.length);
    const seen = history.seen;
    const inflight: Float64Array[] = [...history.pending];
    const keyOf = (x: Float64Array) => assignmentKey(req.space, encoder.decode(x));
    const feasibility = feasibilityOf(req.space, req.constraints);
    const feasible =
      feasibility === undefined ? undefined : (x: Float64Array) => feasibility.feasible(encoder.decode(x));
    const suggestions: Suggestion[] = [];
    let session: { propose: ModelSession['propose']; state(): unknown } | undefined;
    let sobol: SobolSequence | undefined;
    for (let i = 0; i < req.count; i++) {
      const index = req.trials.length + i;
      if (index < options.initialPoints || history.n < minObservations) {
        sobol ??= new SobolSequence(req.space.length, options.seed);
        const { params, sobolIndex } = designPoint(req, sobol, index, seen, feasibility);
        seen.add(assignmentKey(req.space, params));
        suggestions.push({ params, explain: { phase: 'startup', sobolIndex, observations: history.n } });
        continue;
      }
      session ??= openSession(req, encoder, options, history, state, req.count - i);
      const proposal: Proposal = session.propose(
        index,
        // Never the same point as a trial in flight (or earlier in this batch), even up to rounding: near
        // convergence the acquisition's maximiser barely moves after a fantasy.
        (x) =>
          (feasible !== undefined && !feasible(x)) || seen.has(keyOf(x)) || inflight.some((p) => nearlyEqual(p, x)),
        () =>
          encoder.encode(unseenAssignment(req.space, seen, derive(options.seed, 'gp-fallback', index), feasibility)),
        feasible,
      );
      const params = encoder.decode(proposal.x);
      inflight.push(encoder.encode(params));
      seen.add(assignmentKey(req.space, params));
      suggestions.push({ params, explain: proposal.explain });
    }
    const next = session?.state() ?? (req.state === undefined ? undefined : state);
    return next === undefined ? { suggestions } : { suggestions, state: next };
  }
}

/** The model phase of one request: GP + acquisition with one objective, one GP per objective + EHVI with several. */
function openSession(
  req: SuggestRequest,
  encoder: SpaceEncoder,
  options: GpOptions,
  history: History | ParetoHistory,
  state: GpState | ParetoState,
  extra: number,
): { propose: ModelSession['propose']; state(): unknown } {
  if ('losses' in history) {
    return ParetoSession.open(encoder, options, history, state as ParetoState, { extra, objectives: req.objectives });
  }
  return ModelSession.open(encoder, options, history, state as GpState, {
    extra,
    sign: req.objective.type === 'maximize' ? -1 : 1,
    parallel: req.parallelTrialCount,
    parameters: req.space.length,
  });
}

/**
 * The design point for trial `index`: Sobol point `index`, or when that assignment was already used (a small
 * finite space, or a trial created by hand) one of the later points 4,096 apart, which are just as well spread.
 */
function designPoint(
  req: SuggestRequest,
  sobol: SobolSequence,
  index: number,
  seen: ReadonlySet<string>,
  feasibility: Feasibility | undefined,
): { params: Assignment; sobolIndex: number } {
  let first: { params: Assignment; sobolIndex: number } | undefined;
  for (let j = 0; j < 64; j++) {
    const sobolIndex = index + j * 4096;
    const params = assignmentFromUnit(req.space, sobol.point(sobolIndex));
    // With constraints, only a feasible point may stand in; without, the first one does.
    if (feasibility !== undefined && !feasibility.feasible(params)) continue;
    first ??= { params, sobolIndex };
    if (!seen.has(assignmentKey(req.space, params))) return { params, sobolIndex };
  }
  if (first !== undefined) return first;
  // Every candidate design point was infeasible (a small feasible region): a random feasible one.
  return {
    params: unseenAssignment(req.space, seen, derive(req.seed, 'gp-design', index), feasibility),
    sobolIndex: -1,
  };
}

/**
 * An assignment not in `seen`, for when the acquisition search found none: uniformly among what is left of a
 * small finite space (enumerated), else the first of 64 random draws that is new. A used-up space repeats.
 */
function unseenAssignment(
  space: SearchSpace,
  seen: ReadonlySet<string>,
  seed: number,
  feasibility?: Feasibility,
): Assignment {
  const rng = new Rng(seed);
  const ok = (p: Assignment) => feasibility === undefined || feasibility.feasible(p);
  if (spaceSize(space) <= enumerateLimit) {
    const grid = new Combinations(space);
    const left: number[] = [];
    for (let k = 0; k < grid.size; k++) if (!seen.has(assignmentKey(space, grid.at(k))) && ok(grid.at(k))) left.push(k);
    if (left.length > 0) return grid.at(rng.choice(left));
  }
  let params = sampleAssignment(space, rng);
  for (let tries = 0; tries < 64 && (seen.has(assignmentKey(space, params)) || !ok(params)); tries++)
    params = sampleAssignment(space, rng);
  // A repeat is fine when the space is used up; an infeasible point never is.
  return ok(params) ? params : drawFeasible(() => sampleAssignment(space, rng), feasibility!, 'bayesianoptimization');
}

/** Two encoded points closer than 1e-6 in every coordinate of the unit cube. */
function nearlyEqual(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i]! - b[i]!) > 1e-6) return false;
  return true;
}
