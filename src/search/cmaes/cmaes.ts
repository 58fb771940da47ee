import type { Issue } from '../../common/issue.ts';
import { assignmentKey } from '../assignment.ts';
import { toUnit } from '../distributions.ts';
import { derive, Rng } from '../rng.ts';
import type { SearchSpace } from '../space.ts';
import type {
  SearchAlgorithm,
  Settings,
  Suggestion,
  SuggestRequest,
  SuggestResult,
  TrialView,
  ValidationContext,
} from '../types.ts';
import { advanceGeneration, firstPopulation } from './advance.ts';
import { eigen } from './eigen.ts';
import { encodeSpace, encodingSignature, type SpaceEncoding } from './encoding.ts';
import { bindTrials, collectOutcomes, labelValue, memberLabel } from './members.ts';
import { decode, drawMember, generationNormals } from './sample.ts';
import { type CmaesSettings, readSettings, validateCmaes } from './settings.ts';
import { type CmaesState, newMembers, newRun, normaliseZeros, restoreState } from './state.ts';

/** Redraws of a member that decodes to an assignment already tried, in spaces made only of lattices. */
const dedupeDraws = 8;

/**
 * Katib's `cmaes` (goptuna's CMA-ES), rebuilt: CMA-ES over the unit cube with active rank-μ updates, quasi-random
 * sampling, the integer margin for lattice parameters, a probability vector per categorical parameter, and
 * IPOP/BIPOP restarts. A generation's λ members may run in parallel: a request returns the next members not yet
 * proposed, and fewer than `count` (never `exhausted`) while the rest of the generation is still running. The
 * distribution travels in the returned state; trials are matched to members by name (see members.ts).
 */
export class CmaesSearch implements SearchAlgorithm {
  readonly name: string = 'cmaes';

  /** Katib's checks (≥ 2 int/double parameters, unique names) plus setting names and values, which Katib skips. */
  validate(settings: Settings, ctx: ValidationContext): Issue[] {
    return validateCmaes(settings, ctx.space);
  }

  /** Returns up to `req.count` members of the current generation, after advancing it if all its results are in. */
  suggest(req: SuggestRequest): SuggestResult {
    const cfg = readSettings(req.settings, req.seed);
    const enc = encodeSpace(req.space);
    const sign = req.objective.type === 'maximize' ? -1 : 1;
    const restored = restoreState(req.state, encodingSignature(enc), enc.dims.length);
    const state = restored ?? initialState(req, enc, cfg, sign);
    bindTrials(state, req.trials, req.space, enc);
    const outcomes = collectOutcomes(state, req.trials, sign);
    if (outcomes.every((o) => o.kind === 'done' || o.kind === 'dropped')) {
      advanceGeneration(state, {
        enc,
        outcomes,
        seed: cfg.seed,
        sigma0: cfg.sigma,
        restart: cfg.restart,
        lambda0: state.lambda0,
      });
    }
    const suggestions = issue(state, req, enc, cfg);
    state.known = req.trials.map((t) => t.name);
    return { suggestions, state: normaliseZeros(state) };
  }
}

/** The unit-cube point of a trial's Gaussian coordinates, or undefined if a value is missing or not in its domain. */
function unitPoint(space: SearchSpace, enc: SpaceEncoding, t: TrialView): number[] | undefined {
  const point: number[] = [];
  for (const d of enc.dims) {
    const v = t.params[space[d.param]!.name];
    if (v === undefined) return undefined;
    try {
      point.push(toUnit(d.domain, v));
    } catch {
      return undefined;
    }
  }
  return point;
}

/**
 * The state of a search that starts now. The mean is the centre of the cube or, when the history already holds
 * finished trials (another algorithm's, or ours after the state was lost), the best of them: a warm start.
 */
function initialState(req: SuggestRequest, enc: SpaceEncoding, cfg: CmaesSettings, sign: number): CmaesState {
  const n = enc.dims.length;
  let mean: number[] = new Array<number>(n).fill(0.5);
  let best = Number.POSITIVE_INFINITY;
  for (const t of req.trials) {
    if ((t.state !== 'Succeeded' && t.state !== 'EarlyStopped') || typeof t.objective !== 'number') continue;
    const value = sign * t.objective;
    const point = value < best ? unitPoint(req.space, enc, t) : undefined;
    if (point) {
      best = value;
      mean = point;
    }
  }
  const lambda = firstPopulation(n, req.parallelTrialCount);
  const catSizes = enc.cats.map((c) => c.size);
  return {
    version: 1,
    signature: encodingSignature(enc),
    lambda0: lambda,
    generation: 0,
    run: newRun({ index: 0, regime: 'default', lambda, sigma0: cfg.sigma, mean, catSizes }),
    budget: { largeRuns: 0, large: 0, small: 0 },
    members: newMembers(lambda),
    queue: [],
    known: [],
  };
}

/** Draws the next open members, up to `req.count`, marks them issued and queues them in the order returned. */
function issue(state: CmaesState, req: SuggestRequest, enc: SpaceEncoding, cfg: CmaesSettings): Suggestion[] {
  const open = state.members.filter((m) => m.status === 'open').slice(0, Math.max(0, req.count));
  if (open.length === 0) return [];
  const run = state.run;
  const n = enc.dims.length;
  const eig = n > 0 ? eigen(run.C) : undefined;
  const normals = generationNormals(cfg.seed, state.generation, n);
  const latticeOnly = enc.dims.every((d) => d.levels > 0);
  const seen = new Set<string>();
  if (latticeOnly) {
    for (const t of req.trials) seen.add(assignmentKey(req.space, t.params));
    for (const m of state.members) {
      if (m.u && m.cats) seen.add(assignmentKey(req.space, decode(req.space, enc, m.u, m.cats)));
    }
  }
  return open.map((m): Suggestion => {
    const rng = new Rng(derive(cfg.seed, 'cmaes', state.generation, m.slot, m.attempt));
    // A redrawn member (after a failure) takes a Sobol point past the first λ, so it is new but still spread out.
    let draw = drawMember(run, eig, rng, normals?.(m.slot + m.attempt * run.lambda));
    let params = decode(req.space, enc, draw.u, draw.cats);
    // In a space of lattices alone a repeat is likely once σ is small; redraw a few times to try something new.
    for (let i = 0; i < dedupeDraws && latticeOnly && seen.has(assignmentKey(req.space, params)); i++) {
      draw = drawMember(run, eig, rng);
      params = decode(req.space, enc, draw.u, draw.cats);
    }
    seen.add(assignmentKey(req.space, params));
    m.u = draw.u;
    m.cats = draw.cats;
    if (draw.mirrored) m.mirrored = true;
    m.status = 'issued';
    state.queue.push(m.slot);
    run.evaluations += 1;
    const explain = {
      phase: run.generation === 0 && run.index === 0 ? 'initial' : 'model',
      run: run.index,
      regime: run.regime,
      generation: state.generation,
      member: m.slot,
      attempt: m.attempt,
      populationSize: run.lambda,
      sigma: run.sigma,
      restartStrategy: cfg.restart,
      ...(run.cause === undefined ? {} : { restartedAfter: run.cause }),
    };
    return { params, labels: { [memberLabel]: labelValue(state.generation, m) }, explain };
  });
}
