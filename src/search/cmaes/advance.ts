import { derive, Rng } from '../rng.ts';
import { updateCategoricals } from './categorical.ts';
import { eigen } from './eigen.ts';
import type { SpaceEncoding } from './encoding.ts';
import { applyMargin, defaultMargin } from './margin.ts';
import type { Outcome } from './members.ts';
import { planRestart, type RestartStrategy, stopReason, tolFunWindow } from './restart.ts';
import { type CmaesState, newMembers, newRun } from './state.ts';
import { defaultPopulation, strategy } from './strategy.ts';
import { type Ranked, updateDistribution } from './update.ts';

/** What {@link advanceGeneration} needs besides the state: the encoding, the outcomes and the experiment's settings. */
export interface AdvanceContext {
  readonly enc: SpaceEncoding;
  readonly outcomes: readonly Outcome[];
  readonly seed: number;
  readonly sigma0: number;
  readonly restart: RestartStrategy;
  /** λ of the first run (restarts scale it). */
  readonly lambda0: number;
}

/** A uniformly random point of the unit cube: where IPOP and BIPOP restart (Auger & Hansen 2005). */
export function randomMean(n: number, rng: Rng): number[] {
  return Array.from({ length: n }, () => rng.next());
}

/**
 * Ends the current generation, whose members all have outcomes (done or dropped): ranks them (ties at random),
 * updates the Gaussian, the margin and the categorical vectors, and either starts the next generation or, when
 * a stopping test fires and a restart strategy is set, a new run. Returns the stopping test that fired, if any.
 */
export function advanceGeneration(state: CmaesState, ctx: AdvanceContext): string | undefined {
  const run = state.run;
  const n = run.mean.length;
  const value = (i: number): number => {
    const o = ctx.outcomes[i];
    return o?.kind === 'done' ? o.value : Number.POSITIVE_INFINITY;
  };
  // Ties (a plateau, members decoding to one lattice point, several dropped members) are broken at random: by slot
  // they would always favour the first Sobol points, whose normals nearly cancel, and σ would shrink on a plateau.
  const shuffled = new Rng(derive(ctx.seed, 'cmaes-ties', state.generation)).shuffle(state.members.map((_, i) => i));
  const tieRank = new Array<number>(shuffled.length);
  shuffled.forEach((slot, rank) => {
    tieRank[slot] = rank;
  });
  const order = state.members.map((_, i) => i).sort((a, b) => value(a) - value(b) || tieRank[a]! - tieRank[b]!);
  const s = strategy(Math.max(1, n), run.lambda);
  const values = order.map(value).filter(Number.isFinite);
  let after: ReturnType<typeof eigen> | undefined;
  if (n > 0) {
    const ranked: Ranked[] = order.map((i) => {
      const m = state.members[i]!;
      return { u: m.u ?? run.mean, mirrored: m.mirrored === true };
    });
    updateDistribution(run, ranked, eigen(run.C), s);
    applyMargin(run, ctx.enc.dims, defaultMargin(n, run.lambda));
    after = eigen(run.C);
  } else {
    run.generation += 1;
  }
  const positive = s.weights.slice(0, s.mu);
  const choices = order.map((i) => state.members[i]!.cats ?? []);
  updateCategoricals(run.cats, choices, positive, s.muEff, run.lambda);
  if (values.length > 0) {
    run.best.push(values[0]!);
    const window = tolFunWindow(n, run.lambda);
    if (run.best.length > window) run.best.splice(0, run.best.length - window);
  }
  state.generation += 1;
  const stop = stopReason(run, values, after);
  if (stop !== undefined && ctx.restart !== 'none') {
    const rng = new Rng(derive(ctx.seed, 'cmaes-restart', run.index + 1));
    const next = planRestart({
      strategy: ctx.restart,
      finished: run,
      budget: state.budget,
      lambda0: ctx.lambda0,
      sigma0: ctx.sigma0,
      rng,
    });
    state.run = newRun({
      index: run.index + 1,
      regime: next.regime,
      lambda: next.lambda,
      sigma0: next.sigma0,
      mean: randomMean(n, rng),
      catSizes: ctx.enc.cats.map((c) => c.size),
    });
    state.run.cause = stop;
  }
  state.members = newMembers(state.run.lambda);
  return stop;
}

/**
 * λ of the first run: the default rounded to the nearest multiple of `parallelTrialCount` (at least one multiple,
 * and at least 4), so a generation runs in whole waves of parallel trials: λ 5 with 4 slots would leave 3 idle in
 * every second wave. (With 4 slots, λ 4 beat λ 8 on all four benchmark functions.)
 */
export function firstPopulation(n: number, parallel: number): number {
  const p = Math.max(1, Math.min(Math.floor(parallel), maxPopulation));
  const waves = Math.max(1, Math.round(defaultPopulation(n) / p), Math.ceil(4 / p));
  return Math.min(maxPopulation, p * waves);
}

/** Upper bound on the first population, whatever `parallelTrialCount` says. */
const maxPopulation = 1000;
