import type { Assignment, Domain, ParamValue, SearchSpace } from '../space.ts';

/**
 * Writing a rung's budget into the resource parameter, as Katib's hyperband does with `resource_name`
 * (Katib writes `int(r)` whatever the type; we respect the parameter's type instead).
 */

/** The value a budget becomes in a parameter of `domain`: rounded for int (and for all-integer lists), else as is. */
export function writtenBudget(domain: Domain, budget: number): number {
  if (domain.kind === 'int') return Math.round(budget);
  if (domain.kind === 'discrete' && domain.values.every((v) => Number.isInteger(v))) return Math.round(budget);
  return budget;
}

/**
 * `params` with the resource parameter set to `budget`, and the budget as written. When the space has no such
 * parameter (validation reports that) the params are returned unchanged and the budget travels only on the
 * Suggestion.
 */
export function withBudget(
  space: SearchSpace,
  resource: string,
  params: Assignment,
  budget: number,
): { readonly params: Assignment; readonly budget: number } {
  const param = space.find((p) => p.name === resource);
  if (param === undefined || param.domain.kind === 'categorical') return { params, budget };
  const value = writtenBudget(param.domain, budget);
  const out: Record<string, ParamValue> = { ...params, [resource]: value };
  return { params: out, budget: value };
}
