import { fromUnit, toUnit } from '../distributions.ts';
import type { Assignment, Domain, ParamValue, SearchSpace } from '../space.ts';

/**
 * How TPE sees each parameter: a coordinate in [0, 1] (the shared unit-cube encoding of `distributions.ts`,
 * log domains in log space) or a category index. Stepped numeric domains (every int, doubles with a step) keep
 * their grid: each grid point owns the slice of [0, 1] that snaps to it, so kernels give it that slice's mass.
 */

/** One parameter as TPE models it. */
export type TpeDim =
  | {
      readonly kind: 'continuous';
      readonly name: string;
      readonly domain: Domain;
      readonly lo: number;
      readonly hi: number;
      readonly log: boolean;
    }
  | { readonly kind: 'stepped'; readonly name: string; readonly domain: Domain; readonly step: number }
  | {
      readonly kind: 'categorical';
      readonly name: string;
      readonly values: readonly ParamValue[];
      readonly index: ReadonlyMap<ParamValue, number>;
    };

/** A grid point of a stepped dimension: its value, its unit coordinate and the slice [a, b] of [0, 1] that snaps to it. */
export interface Bin {
  readonly value: ParamValue;
  readonly centre: number;
  readonly a: number;
  readonly b: number;
}

/** The TPE view of a search space, built once per request. */
export interface TpeSpace {
  readonly space: SearchSpace;
  readonly dims: readonly TpeDim[];
}

/** Builds the per-parameter encoding; throws (as `toUnit` does) for a log domain with min ≤ 0. */
export function encodeSpace(space: SearchSpace): TpeSpace {
  const dims = space.map((p): TpeDim => {
    const d = p.domain;
    if (d.kind === 'categorical' || d.kind === 'discrete') {
      const values: readonly ParamValue[] = d.values;
      return { kind: 'categorical', name: p.name, values, index: new Map(values.map((v, i) => [v, i])) };
    }
    toUnit(d, d.min); // validates the domain once (a log scale needs min > 0)
    const step = d.kind === 'int' ? (d.step > 0 ? d.step : 1) : d.step;
    if (step !== undefined && step > 0) return { kind: 'stepped', name: p.name, domain: d, step };
    const log = d.scale === 'logUniform' || d.scale === 'logNormal';
    return {
      kind: 'continuous',
      name: p.name,
      domain: d,
      lo: log ? Math.log(d.min) : d.min,
      hi: log ? Math.log(d.max) : d.max,
      log,
    };
  });
  return { space, dims };
}

/** The unit coordinate (or category index) of one value; undefined when the value does not fit the dimension. */
export function encodeValue(dim: TpeDim, value: ParamValue | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (dim.kind === 'categorical') return dim.index.get(value);
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  if (dim.kind === 'stepped') return toUnit(dim.domain, value);
  // The same map as toUnit for a double without a step, inlined: this runs for every trial on every request.
  if (dim.hi === dim.lo) return 0.5;
  if (dim.log && !(value > 0)) return 0;
  const t = dim.log ? Math.log(value) : value;
  const u = (t - dim.lo) / (dim.hi - dim.lo);
  return u < 0 ? 0 : Math.min(u, 1);
}

/** Encodes an assignment into `out` (one entry per dimension); false when some parameter is missing or invalid. */
export function encodeAssignment(enc: TpeSpace, params: Assignment, out: Float64Array): boolean {
  for (let d = 0; d < enc.dims.length; d++) {
    const u = encodeValue(enc.dims[d]!, params[enc.dims[d]!.name]);
    if (u === undefined) return false;
    out[d] = u;
  }
  return true;
}

/** The grid point a unit coordinate snaps to in a stepped dimension, with its slice of [0, 1]. */
export function binOf(dim: Extract<TpeDim, { kind: 'stepped' }>, u: number): Bin {
  const value = fromUnit(dim.domain, u) as number;
  // Neighbouring grid points split the distance between them, so the slices tile [0, 1] (toUnit clamps the ends).
  return {
    value,
    centre: toUnit(dim.domain, value),
    a: toUnit(dim.domain, value - dim.step / 2),
    b: toUnit(dim.domain, value + dim.step / 2),
  };
}

/** Decodes a TPE point (unit coordinates and category indices) into an assignment of the space. */
export function decodePoint(enc: TpeSpace, point: Float64Array): Assignment {
  const out: Record<string, ParamValue> = {};
  enc.dims.forEach((dim, d) => {
    const x = point[d] ?? 0.5;
    if (dim.kind === 'categorical') out[dim.name] = dim.values[Math.min(dim.values.length - 1, Math.max(0, x))]!;
    else out[dim.name] = fromUnit(dim.domain, x);
  });
  return out;
}
