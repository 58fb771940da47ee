/**
 * The opaque state CMA-ES returns with every answer and gets back with the next request. It is plain JSON
 * (number arrays, no typed arrays, no -0, no NaN/Infinity), so the store can keep it as text and a copy
 * restored from disk behaves exactly like the original.
 */

/** Which of BIPOP's two restart regimes a run belongs to; the first run is `default`. */
export type Regime = 'default' | 'large' | 'small';

/**
 * One slot of the current generation. `open`: not proposed yet (or to be proposed again after a failure);
 * `issued`: returned last time, its trial not seen yet; `bound`: its trial is known by name; `dropped`: failed
 * too often and ranked worst.
 */
export interface MemberState {
  readonly slot: number;
  /** How many draws failed before this one (the draw's random stream is derived from it). */
  attempt: number;
  status: 'open' | 'issued' | 'bound' | 'dropped';
  /** The proposed point in the unit cube (Gaussian coordinates, after mirroring), once issued. */
  u?: number[];
  /** The proposed value index of every categorical parameter, once issued. */
  cats?: number[];
  /** True when mirroring at the cube's faces moved the draw (its step is then length-limited in the update). */
  mirrored?: boolean;
  /** The trial evaluating this member, once seen in the history. */
  trial?: string;
}

/** The search distribution of one run (the first run, or one restart). */
export interface RunState {
  /** 0 for the first run, then one more per restart. */
  readonly index: number;
  readonly regime: Regime;
  readonly lambda: number;
  readonly sigma0: number;
  /** Generations completed in this run. */
  generation: number;
  /** Trials proposed in this run (BIPOP budgets its regimes by this). */
  evaluations: number;
  mean: number[];
  sigma: number;
  /** The covariance matrix, row by row. */
  C: number[][];
  pc: number[];
  ps: number[];
  /** CMA-ES with Margin's diagonal scaling of lattice coordinates (1 for continuous ones). */
  A: number[];
  /** Probability vector of every categorical parameter. */
  cats: number[][];
  /** The best value of each recent generation (for the TolFun restart test), oldest first. */
  best: number[];
  /** For a restart: the stopping test that ended the previous run (`tolfun`, `tolx`, `conditioncov`, `tolxup`). */
  cause?: string;
}

/** What BIPOP has spent in each regime, in trials, and how many large runs it has started. */
export interface Budget {
  largeRuns: number;
  large: number;
  small: number;
}

/** The whole state of a CMA-ES search. */
export interface CmaesState {
  readonly version: 1;
  /** {@link encodingSignature} of the space this state belongs to. */
  readonly signature: string;
  /** λ of the first run, which IPOP and BIPOP scale at restarts. */
  readonly lambda0: number;
  /** Generations completed over all runs: the `<g>` of member labels. */
  generation: number;
  run: RunState;
  budget: Budget;
  members: MemberState[];
  /** Slots returned by the last answer, in the order they were returned (matched to new trials in that order). */
  queue: number[];
  /** Names of every trial in the history of the last request: later, any other name is a new trial. */
  known: string[];
}

/** Arguments of {@link newRun}. */
export interface RunSpec {
  readonly index: number;
  readonly regime: Regime;
  readonly lambda: number;
  readonly sigma0: number;
  readonly mean: readonly number[];
  readonly catSizes: readonly number[];
}

/** A fresh distribution: N(mean, σ0² I), empty paths, no margin scaling, uniform categoricals. */
export function newRun(spec: RunSpec): RunState {
  const n = spec.mean.length;
  return {
    index: spec.index,
    regime: spec.regime,
    lambda: spec.lambda,
    sigma0: spec.sigma0,
    generation: 0,
    evaluations: 0,
    mean: [...spec.mean],
    sigma: spec.sigma0,
    C: Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))),
    pc: new Array<number>(n).fill(0),
    ps: new Array<number>(n).fill(0),
    A: new Array<number>(n).fill(1),
    cats: spec.catSizes.map((k) => new Array<number>(k).fill(1 / k)),
    best: [],
  };
}

/** λ open slots for a new generation. */
export function newMembers(lambda: number): MemberState[] {
  return Array.from({ length: lambda }, (_, slot) => ({ slot, attempt: 0, status: 'open' as const }));
}

function isNumbers(x: unknown, length: number): boolean {
  return Array.isArray(x) && x.length === length && x.every((v) => typeof v === 'number' && Number.isFinite(v));
}

/**
 * The state from a request, deep-copied so it can be advanced in place, or undefined when it is missing or
 * does not belong to this space (another algorithm's state, an edited space): the search then starts afresh.
 */
export function restoreState(raw: unknown, signature: string, n: number): CmaesState | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const s = raw as Partial<CmaesState>;
  if (s.version !== 1 || s.signature !== signature || !s.run || !Array.isArray(s.members)) return undefined;
  const r = s.run;
  const shapeOk =
    isNumbers(r.mean, n) &&
    isNumbers(r.pc, n) &&
    isNumbers(r.ps, n) &&
    isNumbers(r.A, n) &&
    Array.isArray(r.C) &&
    r.C.length === n &&
    r.C.every((row) => isNumbers(row, n)) &&
    typeof r.sigma === 'number' &&
    r.sigma > 0 &&
    Array.isArray(r.cats) &&
    Array.isArray(r.best) &&
    Array.isArray(s.queue) &&
    Array.isArray(s.known) &&
    s.members.length === r.lambda;
  return shapeOk ? structuredClone(s as CmaesState) : undefined;
}

function clean(x: number): number {
  // JSON writes -0 as 0; normalising here keeps a restored state equal to the one returned.
  return x === 0 ? 0 : x;
}

/** Rewrites every -0 in the numeric arrays of the state as 0 (JSON would, and equality checks notice). */
export function normaliseZeros(state: CmaesState): CmaesState {
  const r = state.run;
  r.mean = r.mean.map(clean);
  r.pc = r.pc.map(clean);
  r.ps = r.ps.map(clean);
  r.A = r.A.map(clean);
  r.C = r.C.map((row) => row.map(clean));
  r.cats = r.cats.map((p) => p.map(clean));
  r.best = r.best.map(clean);
  for (const m of state.members) if (m.u) m.u = m.u.map(clean);
  return state;
}
