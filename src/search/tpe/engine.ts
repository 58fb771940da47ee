import { assignmentFromUnit } from '../assignment.ts';
import { derive, Rng } from '../rng.ts';
import { maxSobolDimensions } from '../sobolDirections.ts';
import type { SobolSequence } from '../sobolSequence.ts';
import type { Assignment } from '../space.ts';
import type { Suggestion, SuggestRequest, SuggestResult } from '../types.ts';
import { decodePoint, encodeAssignment, encodeSpace, type TpeSpace } from './encoding.ts';
import type { Memo } from './memo.ts';
import { rankCandidates } from './sampler.ts';
import type { TpeConfig } from './settings.ts';
import { type History, readHistory, splitHistory } from './split.ts';
import { Visited } from './visited.ts';

/**
 * The request loop shared by `tpe` and `multivariate-tpe`. Trial n (its creation index) draws from a stream
 * derived from (seed, algorithm, n); the first `startup` trials, and any while nothing has finished, take point n
 * of a scrambled Sobol sequence, so the initial design is the same whatever the batch sizes. Within a batch each
 * suggestion is a constant liar for the next.
 */
export function suggestTpe(req: SuggestRequest, cfg: TpeConfig, memo: Memo): SuggestResult {
  if (req.space.length === 0) return { suggestions: Array.from({ length: req.count }, () => ({ params: {} })) };
  const enc = encodeSpace(req.space);
  const history = readHistory(enc, req.trials, req.objective.type === 'maximize' ? -1 : 1, memo);
  const visited = new Visited(req.space, req.trials);
  const design = (): SobolSequence | undefined =>
    req.space.length <= maxSobolDimensions ? memo.sequence(req.space.length, cfg.seed) : undefined;
  const batch: Float64Array[] = [];
  const suggestions: Suggestion[] = [];
  for (let i = 0; i < req.count; i++) {
    const index = req.trials.length + i;
    const rng = new Rng(derive(cfg.seed, cfg.algorithm, index));
    const startup = index < cfg.startup || history.points.length === 0;
    const s = startup ? initial(req, index, design(), rng, visited) : modelled(enc, history, batch, cfg, rng, visited);
    visited.add(s.params);
    const point = new Float64Array(enc.dims.length);
    if (encodeAssignment(enc, s.params, point)) batch.push(point);
    suggestions.push(s);
  }
  return { suggestions };
}

/** A point of the initial design: Sobol point `index` (random when the space is too wide for Sobol). */
function initial(
  req: SuggestRequest,
  index: number,
  sobol: SobolSequence | undefined,
  rng: Rng,
  visited: Visited,
): Suggestion {
  let params: Assignment | undefined = sobol ? assignmentFromUnit(req.space, sobol.point(index)) : undefined;
  const design = params === undefined || visited.wasted(params) ? 'random' : 'sobol';
  if (design === 'random') params = visited.fresh(rng);
  return { params: params as Assignment, explain: { phase: 'startup', design, index } };
}

/** The best-ranked candidate that is not a repeat (a fresh random point if every candidate is). */
function modelled(
  enc: TpeSpace,
  history: History,
  batch: readonly Float64Array[],
  cfg: TpeConfig,
  rng: Rng,
  visited: Visited,
): Suggestion {
  const split = splitHistory(history, cfg, batch, enc.dims.length);
  const ranked = rankCandidates(enc, split, cfg, rng);
  const explain = {
    phase: 'model',
    acquisition: 'log l(x) - log g(x)',
    model: cfg.mode === 'joint' ? 'multivariate' : 'independent',
    good: split.good.size,
    bad: split.bad.size - split.liars,
    liar: split.liars,
    candidates: cfg.candidates,
  };
  for (let r = 0; r < ranked.size; r++) {
    const params = decodePoint(enc, ranked.point(r));
    if (visited.wasted(params)) continue;
    const value = ranked.score(r);
    return { params, explain: { ...explain, value: Number.isFinite(value) ? value : null, rank: r } };
  }
  return {
    params: visited.fresh(rng),
    explain: { ...explain, phase: 'fallback', reason: 'every candidate was tried' },
  };
}
