import { fromUnit, toUnit } from '../distributions.ts';
import type { Assignment, Parameter, ParamValue, SearchSpace } from '../space.ts';

/**
 * How BOHB's density model sees a configuration: one coordinate per parameter except the resource. Numeric
 * parameters (double, int, stepped) live in the unit cube through `toUnit`/`fromUnit`, which also applies log
 * scales and snaps ints and steps on the way back; categorical and discrete lists are level indices, for
 * Aitchison–Aitken kernels (a list of numbers is treated as unordered, as HpBandSter treats categoricals).
 */

/** One coordinate of the model: continuous in [0, 1], or a level index in 0..levels-1. */
export type KdeDim = { readonly kind: 'continuous' } | { readonly kind: 'categorical'; readonly levels: number };

/** The parameters the model covers (all but the resource) and their coordinates, in space order. */
export interface Encoding {
  readonly params: readonly Parameter[];
  readonly dims: readonly KdeDim[];
}

/** The encoding of `space` without the `resource` parameter, whose value is the budget rather than a choice. */
export function encodingFor(space: SearchSpace, resource: string): Encoding {
  const params = space.filter((p) => p.name !== resource);
  const dims = params.map((p): KdeDim => {
    const d = p.domain;
    return d.kind === 'categorical' || d.kind === 'discrete'
      ? { kind: 'categorical', levels: d.values.length }
      : { kind: 'continuous' };
  });
  return { params, dims };
}

/** The model coordinates of an assignment, or undefined when a value does not fit the space (a foreign trial). */
export function encode(encoding: Encoding, params: Assignment): number[] | undefined {
  const x: number[] = [];
  for (const p of encoding.params) {
    const value = params[p.name];
    if (value === undefined) return undefined;
    const d = p.domain;
    if (d.kind === 'categorical' || d.kind === 'discrete') {
      const level = (d.values as readonly ParamValue[]).indexOf(value);
      if (level < 0) return undefined;
      x.push(level);
    } else {
      if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
      x.push(toUnit(d, value));
    }
  }
  return x;
}

/** The values of a point of the model (continuous coordinates clamped and snapped by `fromUnit`). */
export function decode(encoding: Encoding, x: readonly number[]): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  encoding.params.forEach((p, j) => {
    const d = p.domain;
    const v = x[j] ?? 0;
    if (d.kind === 'categorical' || d.kind === 'discrete') {
      out[p.name] = d.values[Math.min(d.values.length - 1, Math.max(0, Math.round(v)))] as ParamValue;
    } else {
      out[p.name] = fromUnit(d, v);
    }
  });
  return out;
}
