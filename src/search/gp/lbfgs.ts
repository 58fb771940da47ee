/**
 * A small projected L-BFGS for box-constrained smooth minimisation, used both to fit the kernel hyperparameters
 * (in log space) and to refine acquisition maxima in the unit cube. Variables sitting on a bound with the gradient
 * pushing outwards are frozen for the step (the active set); the quasi-Newton direction is computed on the rest,
 * and a backtracking Armijo search runs along the projected path. Simpler than L-BFGS-B's generalised Cauchy
 * point, and enough for the low-dimensional, cheap-to-restart problems here.
 */

/** Writes ∇f(x) into `grad` and returns f(x). */
export type ValueAndGradient = (x: Float64Array, grad: Float64Array) => number;

/** Stopping rules and scales of {@link minimizeInBox}. */
export interface BoxOptions {
  readonly maxIterations: number;
  /** Stored correction pairs (default 6). */
  readonly memory?: number;
  /** Stop when the largest free gradient entry is below this (default 1e-6). */
  readonly gradientTolerance?: number;
  /** Stop when an iteration lowers f by less than this fraction of |f| (default 1e-9). */
  readonly relativeTolerance?: number;
  /** The longest first step, in the units of x (default 0.1): no curvature is known yet. */
  readonly firstStep?: number;
}

/** The best point found, its value and the work done. */
export interface BoxResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly iterations: number;
  readonly evaluations: number;
}

function clipInto(out: Float64Array, x: Float64Array, lower: Float64Array, upper: Float64Array): void {
  for (let i = 0; i < x.length; i++) out[i] = Math.min(upper[i]!, Math.max(lower[i]!, x[i]!));
}

/** Minimises `f` over the box [lower, upper] from `x0` (clipped into the box first). */
export function minimizeInBox(
  f: ValueAndGradient,
  x0: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
  options: BoxOptions,
): BoxResult {
  const dim = x0.length;
  const memory = options.memory ?? 6;
  const gtol = options.gradientTolerance ?? 1e-6;
  const ftol = options.relativeTolerance ?? 1e-9;
  const firstStep = options.firstStep ?? 0.1;
  let x = new Float64Array(dim);
  clipInto(x, x0, lower, upper);
  let g = new Float64Array(dim);
  let fx = f(x, g);
  let evaluations = 1;
  if (!Number.isFinite(fx)) return { x, value: fx, iterations: 0, evaluations };
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const free = new Uint8Array(dim);
  const d = new Float64Array(dim);
  const alpha = new Float64Array(memory);
  let xn = new Float64Array(dim);
  let gn = new Float64Array(dim);
  let iterations = 0;
  for (; iterations < options.maxIterations; iterations++) {
    let pg = 0;
    for (let i = 0; i < dim; i++) {
      const blocked = (x[i]! <= lower[i]! && g[i]! > 0) || (x[i]! >= upper[i]! && g[i]! < 0);
      free[i] = blocked ? 0 : 1;
      if (!blocked) pg = Math.max(pg, Math.abs(g[i]!));
    }
    if (pg < gtol) break;
    direction(d, g, free, S, Y, rho, alpha);
    if (!(dot(d, g, free) < 0)) {
      // Curvature pairs from another active set can mislead: fall back to steepest descent.
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let i = 0; i < dim; i++) d[i] = free[i] ? -g[i]! : 0;
    }
    let step = 1;
    if (S.length === 0) {
      let dmax = 0;
      for (let i = 0; i < dim; i++) dmax = Math.max(dmax, Math.abs(d[i]!));
      step = Math.min(1, firstStep / dmax);
    }
    let fn = Number.NaN;
    let accepted = false;
    for (let tries = 0; tries < 30; tries++) {
      for (let i = 0; i < dim; i++) xn[i] = free[i] ? x[i]! + step * d[i]! : x[i]!;
      clipInto(xn, xn, lower, upper);
      fn = f(xn, gn);
      evaluations++;
      let decrease = 0;
      for (let i = 0; i < dim; i++) decrease += g[i]! * (xn[i]! - x[i]!);
      if (Number.isFinite(fn) && fn <= fx + 1e-4 * decrease) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) {
      if (S.length === 0) break;
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      continue;
    }
    const s = new Float64Array(dim);
    const y = new Float64Array(dim);
    let sy = 0;
    let yy = 0;
    for (let i = 0; i < dim; i++) {
      s[i] = xn[i]! - x[i]!;
      y[i] = gn[i]! - g[i]!;
      sy += s[i]! * y[i]!;
      yy += y[i]! * y[i]!;
    }
    if (sy > 1e-12 * yy && sy > 0) {
      if (S.length === memory) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    const done = fx - fn <= ftol * Math.max(Math.abs(fx), Math.abs(fn), 1e-12);
    [x, xn] = [xn, x];
    [g, gn] = [gn, g];
    fx = fn;
    if (done) {
      iterations++;
      break;
    }
  }
  return { x, value: fx, iterations, evaluations };
}

function dot(a: Float64Array, b: Float64Array, free: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) if (free[i]) s += a[i]! * b[i]!;
  return s;
}

/** The L-BFGS two-loop recursion restricted to the free variables: d = −H g. */
function direction(
  d: Float64Array,
  g: Float64Array,
  free: Uint8Array,
  S: readonly Float64Array[],
  Y: readonly Float64Array[],
  rho: readonly number[],
  alpha: Float64Array,
): void {
  for (let i = 0; i < g.length; i++) d[i] = free[i] ? g[i]! : 0;
  for (let k = S.length - 1; k >= 0; k--) {
    const a = rho[k]! * dot(S[k]!, d, free);
    alpha[k] = a;
    const y = Y[k]!;
    for (let i = 0; i < d.length; i++) if (free[i]) d[i] = d[i]! - a * y[i]!;
  }
  if (S.length > 0) {
    const last = S.length - 1;
    const yy = dot(Y[last]!, Y[last]!, free);
    const gamma = yy > 0 ? dot(S[last]!, Y[last]!, free) / yy : 1;
    const scale = gamma > 0 ? gamma : 1;
    for (let i = 0; i < d.length; i++) d[i] = d[i]! * scale;
  }
  for (let k = 0; k < S.length; k++) {
    const b = rho[k]! * dot(Y[k]!, d, free);
    const s = S[k]!;
    const a = alpha[k]!;
    for (let i = 0; i < d.length; i++) if (free[i]) d[i] = d[i]! + (a - b) * s[i]!;
  }
  for (let i = 0; i < d.length; i++) d[i] = free[i] ? -d[i]! : 0;
}
