import { fromUnit, gridSize, sample } from './distributions.ts';
import type { Rng } from './rng.ts';
import type { Assignment, ParamValue, SearchSpace } from './space.ts';

/** Draws every parameter of `space` from its distribution, in space order (so the stream use is stable). */
export function sampleAssignment(space: SearchSpace, rng: Rng): Assignment {
  const out: Record<string, ParamValue> = {};
  for (const p of space) out[p.name] = sample(p.domain, rng);
  return out;
}

/** Decodes a point of the unit cube (one coordinate per parameter, in space order) into an assignment. */
export function assignmentFromUnit(space: SearchSpace, point: readonly number[]): Assignment {
  const out: Record<string, ParamValue> = {};
  space.forEach((p, i) => {
    out[p.name] = fromUnit(p.domain, point[i] ?? 0.5);
  });
  return out;
}

/**
 * A string that is equal for two assignments exactly when they give every parameter of `space` the same value.
 * Used to compare a proposal with the history by value (extra keys in `params` are ignored).
 */
export function assignmentKey(space: SearchSpace, params: Assignment): string {
  return JSON.stringify(space.map((p) => params[p.name] ?? null));
}

/** How many distinct assignments `space` has (the product of {@link gridSize}s); Infinity when a double has no step. */
export function spaceSize(space: SearchSpace): number {
  let n = 1;
  for (const { domain } of space) {
    if (domain.kind === 'double' && !(domain.step !== undefined && domain.step > 0)) return Number.POSITIVE_INFINITY;
    n *= gridSize(domain);
  }
  return n;
}
