import { fromUnit, gridSize, gridValueAt, toUnit } from '../distributions.ts';
import type { Assignment, Domain, ParamValue, SearchSpace } from '../space.ts';

/**
 * The GP's view of a search space: every parameter becomes one or more coordinates in [0, 1].
 * - double and int: `toUnit` (log domains in log space; stepped ones so each grid point sits mid-bin);
 * - discrete (a list of numbers): `toUnit` over the list sorted by value, so neighbours in the encoding are
 *   neighbours in value (Katib does not require the list to be sorted);
 * - categorical: one-hot, one coordinate per category, decoded by argmax. With one length scale per coordinate
 *   the kernel learns how much each category matters, and any two categories are equally far apart, which is
 *   what an unordered choice should be (an integer code would invent an order).
 * The acquisition is searched over the continuous relaxation of this cube, and every candidate is "snapped"
 * (re-encoded from its decoded assignment) before it is scored, so the GP judges what would actually run.
 */

type Column =
  | { readonly kind: 'continuous'; readonly name: string; readonly offset: number; readonly domain: Domain }
  | {
      readonly kind: 'ordinal';
      readonly name: string;
      readonly offset: number;
      readonly domain: Domain;
      /** Unit position of each level, increasing. */
      readonly levels: Float64Array;
      /** Decision boundaries between consecutive levels (length levels − 1). */
      readonly cuts: Float64Array;
    }
  | {
      readonly kind: 'categorical';
      readonly name: string;
      readonly offset: number;
      readonly values: readonly string[];
    };

/** Above this many levels a stepped parameter is snapped through `fromUnit`/`toUnit` instead of a table. */
const tableLimit = 4096;

function ordinalColumn(name: string, offset: number, domain: Domain): Column {
  const count = gridSize(domain);
  if (domain.kind === 'discrete') {
    // A list value sits mid-bin at (k + 0.5)/n and `fromUnit` reads the bin, so the cuts are the bin edges.
    const levels = Float64Array.from({ length: count }, (_, k) => (k + 0.5) / count);
    const cuts = Float64Array.from({ length: count - 1 }, (_, k) => (k + 1) / count);
    return { kind: 'ordinal', name, offset, domain, levels, cuts };
  }
  if (count > tableLimit) return { kind: 'continuous', name, offset, domain };
  const values = Array.from({ length: count }, (_, k) => gridValueAt(domain, k) as number);
  const levels = Float64Array.from(values, (v) => toUnit(domain, v));
  // The nearest grid value to a decoded point wins, so bins end at value midpoints (not unit midpoints in log scale).
  const cuts = Float64Array.from({ length: Math.max(0, count - 1) }, (_, k) =>
    toUnit(domain, (values[k]! + values[k + 1]!) / 2),
  );
  return { kind: 'ordinal', name, offset, domain, levels, cuts };
}

function sortedDiscrete(values: readonly number[]): Domain {
  return { kind: 'discrete', values: [...values].sort((a, b) => a - b) };
}

/** Encodes assignments of one search space into the unit cube and back. */
export class SpaceEncoder {
  /** The number of encoded coordinates. */
  readonly dims: number;
  /** True when some coordinate is not continuous (snapping can move a point). */
  readonly hasDiscrete: boolean;
  private readonly columns: readonly Column[];

  /** Builds the encoding of `space` (parameters in space order, categorical ones one-hot). */
  constructor(space: SearchSpace) {
    const columns: Column[] = [];
    let offset = 0;
    for (const { name, domain } of space) {
      if (domain.kind === 'categorical') {
        columns.push({ kind: 'categorical', name, offset, values: domain.values });
        offset += domain.values.length;
      } else if (domain.kind === 'discrete') {
        columns.push(ordinalColumn(name, offset, sortedDiscrete(domain.values)));
        offset += 1;
      } else if (domain.kind === 'int' || (domain.step !== undefined && domain.step > 0)) {
        columns.push(ordinalColumn(name, offset, domain));
        offset += 1;
      } else {
        columns.push({ kind: 'continuous', name, offset, domain });
        offset += 1;
      }
    }
    this.columns = columns;
    this.dims = offset;
    this.hasDiscrete = columns.some(
      (c) => c.kind !== 'continuous' || c.domain.kind !== 'double' || c.domain.step !== undefined,
    );
  }

  /** Writes the encoding of `params` into `out` at `offset` (a new array when `out` is omitted). */
  encode(params: Assignment, out: Float64Array = new Float64Array(this.dims), offset = 0): Float64Array {
    for (const c of this.columns) {
      const value = params[c.name] as ParamValue;
      if (c.kind === 'categorical') {
        for (let k = 0; k < c.values.length; k++) out[offset + c.offset + k] = c.values[k] === value ? 1 : 0;
      } else {
        out[offset + c.offset] = toUnit(c.domain, value);
      }
    }
    return out;
  }

  /** Decodes the point at `offset` of `x` into an assignment: `fromUnit` per numeric column, argmax per one-hot. */
  decode(x: Float64Array, offset = 0): Assignment {
    const out: Record<string, ParamValue> = {};
    for (const c of this.columns) {
      if (c.kind === 'categorical') out[c.name] = c.values[argmax(x, offset + c.offset, c.values.length)]!;
      else out[c.name] = fromUnit(c.domain, x[offset + c.offset]!);
    }
    return out;
  }

  /** Moves the point at `offset` of `x` (in place) onto the encoding of the assignment it decodes to. */
  snap(x: Float64Array, offset = 0): void {
    for (const c of this.columns) {
      const i = offset + c.offset;
      if (c.kind === 'categorical') {
        const best = argmax(x, i, c.values.length);
        for (let k = 0; k < c.values.length; k++) x[i + k] = k === best ? 1 : 0;
      } else if (c.kind === 'ordinal') {
        x[i] = c.levels[levelOf(c.cuts, x[i]!)]!;
      } else if (c.domain.kind !== 'double' || c.domain.step !== undefined) {
        x[i] = toUnit(c.domain, fromUnit(c.domain, Math.min(1, Math.max(0, x[i]!))));
      } else {
        x[i] = Math.min(1, Math.max(0, x[i]!));
      }
    }
  }

  /**
   * Snapped points one discrete move away from the snapped point `x`: one or two levels up or down in an ordinal
   * column, or another category. Used for the coordinate search that finishes the acquisition optimisation.
   */
  neighbours(x: Float64Array): Float64Array[] {
    const out: Float64Array[] = [];
    for (const c of this.columns) {
      const i = c.offset;
      if (c.kind === 'categorical') {
        const current = argmax(x, i, c.values.length);
        for (let k = 0; k < c.values.length; k++) {
          if (k === current) continue;
          const y = Float64Array.from(x);
          for (let j = 0; j < c.values.length; j++) y[i + j] = j === k ? 1 : 0;
          out.push(y);
        }
      } else if (c.kind === 'ordinal') {
        const level = levelOf(c.cuts, x[i]!);
        for (const move of [-2, -1, 1, 2]) {
          const target = level + move;
          if (target < 0 || target >= c.levels.length) continue;
          const y = Float64Array.from(x);
          y[i] = c.levels[target]!;
          out.push(y);
        }
      }
    }
    return out;
  }
}

function argmax(x: Float64Array, start: number, length: number): number {
  let best = 0;
  for (let k = 1; k < length; k++) if (x[start + k]! > x[start + best]!) best = k;
  return best;
}

/** The index of the level whose bin contains u (binary search over the cuts). */
function levelOf(cuts: Float64Array, u: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (u >= cuts[mid]!) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
