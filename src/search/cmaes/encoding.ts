import { fromUnit, gridSize, gridValueAt, toUnit } from '../distributions.ts';
import type { Domain, SearchSpace } from '../space.ts';

/**
 * How CMA-ES sees a search space. Every int, double and discrete parameter is one coordinate of the unit cube
 * (`toUnit`/`fromUnit`: log domains in log space, lists by index); categorical parameters stay outside the
 * Gaussian and get their own probability vector (see categorical.ts), because their order means nothing.
 */

/** One coordinate of the Gaussian: the parameter it decodes to and, for a lattice, its number of values. */
export interface CmaDim {
  readonly param: number;
  readonly domain: Domain;
  /** Values of a lattice (int, double with a step, discrete list); 0 for a continuous double. */
  readonly levels: number;
}

/** A categorical parameter: its position in the space and how many values it has. */
export interface CatDim {
  readonly param: number;
  readonly size: number;
}

/** The split of a space into Gaussian coordinates and categorical parameters, in space order. */
export interface SpaceEncoding {
  readonly dims: readonly CmaDim[];
  readonly cats: readonly CatDim[];
}

function levelsOf(domain: Domain): number {
  if (domain.kind === 'discrete') return domain.values.length;
  if (domain.kind === 'double' && !(domain.step !== undefined && domain.step > 0)) return 0;
  return gridSize(domain);
}

/** Splits `space` for CMA-ES; called once per request. */
export function encodeSpace(space: SearchSpace): SpaceEncoding {
  const dims: CmaDim[] = [];
  const cats: CatDim[] = [];
  space.forEach((p, param) => {
    if (p.domain.kind === 'categorical') cats.push({ param, size: p.domain.values.length });
    else dims.push({ param, domain: p.domain, levels: levelsOf(p.domain) });
  });
  return { dims, cats };
}

/** A short fingerprint of the encoding, stored in the state so a changed space starts a fresh search. */
export function encodingSignature(enc: SpaceEncoding): string {
  return `${enc.dims.map((d) => d.levels).join(',')}|${enc.cats.map((c) => c.size).join(',')}`;
}

/** The lattice index that unit coordinate `u` decodes to (0 … levels-1); only for lattice dimensions. */
export function levelOf(dim: CmaDim, u: number): number {
  const d = dim.domain;
  if (d.kind === 'discrete') return Math.min(dim.levels - 1, Math.max(0, Math.floor(u * dim.levels)));
  if (d.kind === 'categorical') return 0;
  const step = d.kind === 'int' ? (d.step > 0 ? d.step : 1) : (d.step ?? 1);
  const value = fromUnit(d, u) as number;
  return Math.min(dim.levels - 1, Math.max(0, Math.round((value - d.min) / step)));
}

/**
 * The unit coordinate where decoding switches from level `k - 1` to level `k` (1 ≤ k < levels). `fromUnit` snaps
 * to the nearest grid value, so the switch is at the midpoint of the two values, mapped back by `toUnit`.
 */
export function levelEdge(dim: CmaDim, k: number): number {
  const d = dim.domain;
  if (d.kind === 'discrete') return k / dim.levels;
  const below = gridValueAt(d, k - 1) as number;
  const above = gridValueAt(d, k) as number;
  return toUnit(d, (below + above) / 2);
}
