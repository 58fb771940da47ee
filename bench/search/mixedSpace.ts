/**
 * What a mixed-space benchmark function is (a search space as Katib parameters express it, an objective over
 * assignments, and its exact optimum), and the enumeration that proves the optimum: every combination of the
 * discrete parameters, each with its continuous parameters at the function's closed-form minimiser.
 */
import { gridValues } from '../../src/search/distributions.ts';
import type { Assignment, Parameter, ParamValue, SearchSpace } from '../../src/search/space.ts';

/** A minimised objective over a mixed search space with a known global minimum. */
export interface MixedFunction {
  readonly name: string;
  /** One line for the report: what the surface imitates. */
  readonly summary: string;
  readonly space: SearchSpace;
  /** The global minimum, the value of {@link MixedFunction.evaluate} at {@link MixedFunction.argmin}. */
  readonly optimum: number;
  /** Where the minimum is (one of the minimisers when several tie). */
  readonly argmin: Assignment;
  readonly evaluate: (params: Assignment) => number;
  /**
   * For fixed values of the discrete parameters (ints, stepped doubles, categoricals, lists), the values of the
   * continuous doubles that minimise the objective, in closed form: the surfaces are built so that this exists.
   */
  readonly bestContinuous: (discrete: Assignment) => Assignment;
  /**
   * Parameters the objective reads only for one value of an earlier categorical (Katib has no conditional
   * parameters, so the space still lists them): name → the condition. The enumeration tries one value of a
   * parameter whose condition fails, since the objective ignores it there.
   */
  readonly activeWhen?: Readonly<Record<string, { readonly param: string; readonly value: string }>>;
}

/** True for a parameter that takes finitely many values (an int, a double with a step, a list). */
export function isDiscrete(p: Parameter): boolean {
  const d = p.domain;
  return d.kind !== 'double' || (d.step !== undefined && d.step > 0);
}

/**
 * Every assignment of the discrete parameters of `space` (the continuous ones left out), in grid order; a
 * parameter inactive under `activeWhen` gets its first value only.
 */
export function discreteCombinations(space: SearchSpace, activeWhen: MixedFunction['activeWhen'] = {}): Assignment[] {
  let out: Record<string, ParamValue>[] = [{}];
  for (const p of space.filter(isDiscrete)) {
    const values = gridValues(p.domain);
    const when = Object.hasOwn(activeWhen, p.name) ? activeWhen[p.name] : undefined;
    out = out.flatMap((partial) => {
      const active = when === undefined || partial[when.param] === when.value;
      return (active ? values : values.slice(0, 1)).map((v) => ({ ...partial, [p.name]: v }));
    });
  }
  return out;
}

/** The global minimum by enumeration: each discrete combination completed by `bestContinuous`. */
export function enumerateOptimum(fn: MixedFunction): { value: number; argmin: Assignment; combinations: number } {
  let value = Number.POSITIVE_INFINITY;
  let argmin: Assignment = {};
  const combos = discreteCombinations(fn.space, fn.activeWhen);
  for (const discrete of combos) {
    const point = { ...discrete, ...fn.bestContinuous(discrete) };
    const v = fn.evaluate(point);
    if (v < value) {
      value = v;
      argmin = point;
    }
  }
  return { value, argmin, combinations: combos.length };
}

/** Reads a numeric parameter of an assignment; throws when it is missing or not a number. */
export function num(params: Assignment, name: string): number {
  const v = params[name];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${name} should be a number, got ${String(v)}`);
  return v;
}

/** Reads a categorical parameter of an assignment, checked against its allowed values. */
export function cat<T extends string>(params: Assignment, name: string, values: readonly T[]): T {
  const v = params[name];
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v))
    throw new TypeError(`${name} should be one of ${values.join(', ')}, got ${String(v)}`);
  return v as T;
}

/** `x` clamped into [lo, hi]. */
export function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
