import type { Assignment, ParamValue, SearchSpace } from '../../search/space.ts';
import type { NameValue } from './messages.ts';

/**
 * Parameter values cross Katib's API as text. Numbers are written with `String(n)` (what `${trialParameters.x}`
 * substitution writes locally, and shortest round-trip like Python's `str(float)`), and read back with `Number`.
 */

/** The text of one value, as Katib stores it in `parameterAssignments`. */
export function formatValue(value: ParamValue): string {
  return typeof value === 'number' ? String(value) : value;
}

/**
 * An assignment as Katib's `ParameterAssignment` list, in space order. Throws when the algorithm left a parameter
 * out: Katib would create a trial whose template cannot be filled. A NAS Experiment has no space (its parameters
 * are the algorithm's own, e.g. DARTS's `algorithm-settings`, `search-space`, `num-layers`): they go out in the
 * order the algorithm gave them.
 */
export function toAssignmentList(space: SearchSpace, params: Assignment): NameValue[] {
  if (space.length === 0) return Object.entries(params).map(([name, value]) => ({ name, value: formatValue(value) }));
  return space.map((p) => {
    const value = params[p.name];
    if (value === undefined) throw new Error(`the algorithm proposed no value for parameter ${p.name}`);
    return { name: p.name, value: formatValue(value) };
  });
}

/**
 * Katib's text assignments as an {@link Assignment}: numbers for double/int/discrete parameters (text that is not a
 * number is kept as text, so the algorithm sees it is outside the domain), text for categorical ones and for names
 * the space does not have.
 */
export function fromAssignmentList(space: SearchSpace, list: readonly NameValue[]): Assignment {
  const kinds = new Map(space.map((p) => [p.name, p.domain.kind]));
  const out: Record<string, ParamValue> = {};
  for (const { name, value } of list) {
    const kind = kinds.get(name);
    const n = value.trim() === '' ? Number.NaN : Number(value);
    out[name] = kind !== undefined && kind !== 'categorical' && Number.isFinite(n) ? n : value;
  }
  return out;
}

/** The texts of `list` in space order ('' for a missing parameter): the identity of an assignment as Katib holds it. */
export function valuesInSpaceOrder(space: SearchSpace, list: readonly NameValue[]): string[] {
  const byName = new Map(list.map((a) => [a.name, a.value]));
  return space.map((p) => byName.get(p.name) ?? '');
}
