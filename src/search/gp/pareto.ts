import { assignmentKey } from '../assignment.ts';
import { lossVector } from '../multiobjective/losses.ts';
import type { SuggestRequest } from '../types.ts';
import { maxColumns } from './ehvi.ts';
import type { SpaceEncoder } from './encode.ts';

/**
 * What multi-objective `bayesianoptimization` learns from a request: as {@link History} in `history.ts`, with one
 * loss per objective (maximised ones negated) for every trial that finished with a finite value for each.
 */
export interface ParetoHistory {
  /** Encoded observation points, row-major, `n` rows of `encoder.dims`. */
  readonly X: Float64Array;
  /** Per observation its loss vector, in the user's units. */
  readonly losses: readonly (readonly number[])[];
  readonly n: number;
  /** Encoded points of Pending and Running trials. */
  readonly pending: readonly Float64Array[];
  /** Assignment keys of every trial in any state. */
  readonly seen: Set<string>;
}

/** Reads `req.trials` through `encoder` for every objective; trials whose parameters no longer fit are skipped. */
export function readParetoHistory(req: SuggestRequest, encoder: SpaceEncoder): ParetoHistory {
  const rows: Float64Array[] = [];
  const losses: number[][] = [];
  const pending: Float64Array[] = [];
  const seen = new Set<string>();
  for (const t of req.trials) {
    seen.add(assignmentKey(req.space, t.params));
    const loss = lossVector(t, req.objectives);
    const inFlight = t.state === 'Pending' || t.state === 'Running';
    if (loss === undefined && !inFlight) continue;
    let x: Float64Array;
    try {
      x = encoder.encode(t.params);
    } catch {
      continue; // a value outside the (edited) space: nothing the models can place
    }
    if (x.some((v) => !Number.isFinite(v))) continue;
    if (loss === undefined) pending.push(x);
    else {
      rows.push(x);
      losses.push(loss);
    }
  }
  const X = new Float64Array(rows.length * encoder.dims);
  rows.forEach((r, i) => {
    X.set(r, i * encoder.dims);
  });
  return { X, losses, n: rows.length, pending, seen };
}

/**
 * The indices of the non-dominated members of `points` (loss vectors), ascending; of equal points only the first.
 * O(n · front size): each point is compared with the front found so far only.
 */
export function nonDominated(points: readonly (readonly number[])[]): number[] {
  let front: number[] = [];
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    let covered = false;
    for (const j of front) {
      if (points[j]!.every((v, k) => v <= p[k]!)) {
        covered = true;
        break;
      }
    }
    if (covered) continue;
    front = front.filter((j) => !p.every((v, k) => v <= points[j]![k]!));
    front.push(i);
  }
  return front.sort((a, b) => a - b);
}

/** How far beyond the front's worst value in each objective the reference point lies, as a share of its range. */
export const referenceMargin = 0.1;

/**
 * The EHVI reference point, in the units of `front` (standardised objectives): per objective the front's worst
 * (largest) value plus {@link referenceMargin} of the front's range there, and at least `floor` beyond it (so a
 * front flat in one objective, or of one point, still leaves room). Derived from the observed front rather than
 * fixed, since the user gives no bounds on the objectives: the improvement then counts what extends or fills in
 * the front, and an extreme member of the front still gains from a point that beats it in its own objective.
 */
export function referencePoint(front: readonly (readonly number[])[], floor: number): number[] {
  const m = front[0]!.length;
  const out: number[] = [];
  for (let k = 0; k < m; k++) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const p of front) {
      lo = Math.min(lo, p[k]!);
      hi = Math.max(hi, p[k]!);
    }
    out.push(hi + Math.max(referenceMargin * (hi - lo), floor));
  }
  return out;
}

/** The number of columns the EHVI box decomposition of `front` (distinct values per grid objective) needs. */
export function columnsFor(front: readonly (readonly number[])[]): number {
  const m = front[0]?.length ?? 1;
  let columns = 1;
  for (let k = 0; k < m - 1; k++) columns *= new Set(front.map((p) => p[k]!)).size + 1;
  return columns;
}

/**
 * At most the members of `front` whose box decomposition stays within {@link maxColumns}: the whole front when it
 * fits (always with two objectives below 12,000 members, with three below about 108), else a spread-out subset:
 * the best member in each objective first, then greedily the member farthest (in the standardised objectives)
 * from those kept. Returns indices into `front`, ascending. Only many objectives or a front of hundreds thin.
 */
export function thinFront(front: readonly (readonly number[])[]): number[] {
  const all = front.map((_, i) => i);
  if (front.length === 0 || columnsFor(front) <= maxColumns) return all;
  const m = front[0]!.length;
  const kept: number[] = [];
  for (let k = 0; k < m; k++) {
    let best = 0;
    for (let i = 1; i < front.length; i++) if (front[i]![k]! < front[best]![k]!) best = i;
    if (!kept.includes(best)) kept.push(best);
  }
  const nearest = new Float64Array(front.length).fill(Number.POSITIVE_INFINITY);
  const update = (j: number) => {
    for (let i = 0; i < front.length; i++) {
      let d = 0;
      for (let k = 0; k < m; k++) d += (front[i]![k]! - front[j]![k]!) ** 2;
      if (d < nearest[i]!) nearest[i] = d;
    }
  };
  for (const j of kept) update(j);
  for (;;) {
    let far = -1;
    for (let i = 0; i < front.length; i++) if (!kept.includes(i) && (far < 0 || nearest[i]! > nearest[far]!)) far = i;
    if (far < 0 || columnsFor([...kept, far].map((i) => front[i]!)) > maxColumns) break;
    kept.push(far);
    update(far);
  }
  return kept.sort((a, b) => a - b);
}

/**
 * A single score per observation for choosing which ones the models keep once the history outgrows
 * the model's cap (`modelCap`) (lower is kept first): 0 on the front, else the worst of its objectives scaled to [0, 1].
 */
export function paretoScore(losses: readonly (readonly number[])[], front: readonly number[]): Float64Array {
  const out = new Float64Array(losses.length);
  if (losses.length === 0) return out;
  const m = losses[0]!.length;
  for (let k = 0; k < m; k++) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const p of losses) {
      lo = Math.min(lo, p[k]!);
      hi = Math.max(hi, p[k]!);
    }
    losses.forEach((p, i) => {
      out[i] = Math.max(out[i]!, hi > lo ? (p[k]! - lo) / (hi - lo) : 0);
    });
  }
  for (const i of front) out[i] = -1;
  return out;
}
