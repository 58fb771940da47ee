import { quantileSorted } from 'simple-statistics';
import { assignmentKey } from '../assignment.ts';
import { derive, Rng } from '../rng.ts';
import type { SuggestRequest } from '../types.ts';
import type { SpaceEncoder } from './encode.ts';

/**
 * What the GP learns from a request's history. As in Katib's Python services, only trials that Succeeded or were
 * EarlyStopped with a finite objective are observations; Pending and Running trials are in flight (they get
 * constant-liar fantasies so a batch does not pile onto them); every trial's assignment, failed ones included,
 * is remembered so that exactly the same point is not proposed again.
 */
export interface History {
  /** Encoded observation points, row-major, `n` rows of `encoder.dims`. */
  readonly X: Float64Array;
  /** Objective values oriented for minimisation (negated for `maximize`), in the user's scale. */
  readonly values: Float64Array;
  readonly n: number;
  /** Encoded points of Pending and Running trials. */
  readonly pending: readonly Float64Array[];
  /** Assignment keys of every trial in any state. */
  readonly seen: Set<string>;
}

/** Reads `req.trials` through `encoder`; trials whose parameters no longer fit the space are skipped. */
export function readHistory(req: SuggestRequest, encoder: SpaceEncoder): History {
  const sign = req.objective.type === 'maximize' ? -1 : 1;
  const rows: Float64Array[] = [];
  const values: number[] = [];
  const pending: Float64Array[] = [];
  const seen = new Set<string>();
  for (const t of req.trials) {
    seen.add(assignmentKey(req.space, t.params));
    const learnable =
      (t.state === 'Succeeded' || t.state === 'EarlyStopped') &&
      typeof t.objective === 'number' &&
      Number.isFinite(t.objective);
    const inFlight = t.state === 'Pending' || t.state === 'Running';
    if (!learnable && !inFlight) continue;
    let x: Float64Array;
    try {
      x = encoder.encode(t.params);
    } catch {
      continue; // a value outside the (edited) space: nothing the model can place
    }
    if (x.some((v) => !Number.isFinite(v))) continue;
    if (learnable) {
      rows.push(x);
      values.push(sign * (t.objective as number));
    } else {
      pending.push(x);
    }
  }
  const X = new Float64Array(rows.length * encoder.dims);
  rows.forEach((r, i) => {
    X.set(r, i * encoder.dims);
  });
  return { X, values: Float64Array.from(values), n: rows.length, pending, seen };
}

/**
 * Chooses at most `cap` of the `n` observations for the model once the history outgrows it: the best quarter
 * by value (where the search is refining), then a greedy max-min-distance (space-filling) pick of the rest, so
 * the model still knows the whole space at O(cap³) cost. Past 3·cap candidates the rest is first thinned to
 * 3·cap by a seeded shuffle, which keeps the greedy pick O(cap² · dims) however long the history grows.
 * Deterministic for a given seed; returns row indices in history order.
 */
export function selectSubset(
  X: Float64Array,
  values: Float64Array,
  n: number,
  dims: number,
  cap: number,
  seed: number,
): number[] {
  if (n <= cap) return Array.from({ length: n }, (_, i) => i);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]! || a - b);
  const picked = order.slice(0, Math.ceil(cap / 4));
  let rest = order.slice(picked.length);
  if (rest.length > 3 * cap) rest = new Rng(derive(seed, 'gp-subset', n)).shuffle(rest).slice(0, 3 * cap);
  const nearest = new Float64Array(rest.length).fill(Number.POSITIVE_INFINITY);
  const taken = new Uint8Array(rest.length);
  const update = (j: number): void => {
    for (let r = 0; r < rest.length; r++) {
      if (taken[r]) continue;
      const i = rest[r]!;
      let d2 = 0;
      for (let d = 0; d < dims; d++) {
        const t = X[i * dims + d]! - X[j * dims + d]!;
        d2 += t * t;
      }
      if (d2 < nearest[r]!) nearest[r] = d2;
    }
  };
  for (const j of picked) update(j);
  while (picked.length < cap) {
    let far = -1;
    for (let r = 0; r < rest.length; r++) if (!taken[r] && (far < 0 || nearest[r]! > nearest[far]!)) far = r;
    if (far < 0) break;
    taken[far] = 1;
    picked.push(rest[far]!);
    update(rest[far]!);
  }
  return picked.sort((a, b) => a - b);
}

/** Standardised outputs (zero mean, unit variance; a constant history gets scale 1) and the transform used. */
export interface Standardised {
  readonly y: Float64Array;
  readonly mean: number;
  readonly scale: number;
}

/**
 * Clips values worse than Tukey's upper fence q75 + 1.5·IQR down to it (winsorising, as Ax does for objectives).
 * How bad a bad trial was carries no information about where the minimum is, but left alone a few huge values
 * (Rosenbrock's 10⁵ corners) set the output scale and flatten the region that matters into noise. Only the bad
 * side is clipped, so the incumbent and its neighbours keep their exact values.
 */
export function winsorise(values: Float64Array): Float64Array {
  if (values.length < 4) return Float64Array.from(values);
  // simple-statistics' quantileSorted is the linear interpolation (R/numpy type 7) the GP was tuned with; on
  // finite values the fence is bit-identical to the former hand-written one (test/search/gp/encode.test.ts).
  const sorted = Array.from(Float64Array.from(values).sort());
  const q25 = quantileSorted(sorted, 0.25);
  const q75 = quantileSorted(sorted, 0.75);
  const fence = q75 + 1.5 * (q75 - q25);
  return Float64Array.from(values, (v) => Math.min(v, fence));
}

/** Winsorises then standardises `values`, so that fixed kernel priors make sense whatever the metric's units. */
export function standardise(raw: Float64Array): Standardised {
  const values = winsorise(raw);
  const n = values.length;
  // Plain sums, not simple-statistics' mean/standardDeviation: its compensated sum rounds differently in the last
  // bit (about half of random inputs), and every GP suggestion depends on these outputs bit for bit.
  let mean = 0;
  for (const v of values) mean += v;
  mean /= Math.max(1, n);
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  const sd = Math.sqrt(ss / Math.max(1, n));
  const scale = sd > 1e-12 * Math.max(1, Math.abs(mean)) ? sd : 1;
  return { y: Float64Array.from(values, (v) => (v - mean) / scale), mean, scale };
}
