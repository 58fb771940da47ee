import { contains, sample } from '../distributions.ts';
import type { Rng } from '../rng.ts';
import type { Assignment, Domain, ParamValue, SearchSpace } from '../space.ts';
import { snapToStep, stepCount, stepPoint } from '../steps.ts';

/**
 * PBT's explore step (Jaderberg et al. 2017: "perturb" and "resample"), applied to the parameters a member
 * copied in its exploit step. Perturb: every number ×0.8 or ×1.2 (an even draw), clamped to [min, max] and
 * snapped to the step; a list value moves one place left or right. Resample: every parameter is drawn again
 * from its prior with probability `resample_probability`, and kept otherwise (Katib's choice: no perturbation
 * in that mode).
 */

/** The explored assignment and, per parameter, what happened to it (for `hpo explain`). */
export interface Explored {
  readonly params: Record<string, ParamValue>;
  readonly explore: Record<string, string>;
}

type NumericDomain = Extract<Domain, { kind: 'double' | 'int' }>;

function stepOf(d: NumericDomain): number | undefined {
  if (d.kind === 'int') return d.step > 0 ? d.step : 1;
  return d.step !== undefined && d.step > 0 ? d.step : undefined;
}

/**
 * `value × factor`, clamped and snapped. On a grid, a product that snaps back to `value` (a small int, or 0)
 * moves one grid point in the factor's direction instead, so exploring never silently repeats an int; Katib's
 * `int(value × factor)` leaves 1, 2 and 0 where they are, and turns 4 × 1.2 into 4.
 */
export function perturbNumber(d: NumericDomain, value: number, factor: number): number {
  const target = Math.min(d.max, Math.max(d.min, value * factor));
  const step = stepOf(d);
  if (step === undefined) return target + 0; // `+ 0` turns -0 into 0, which JSON cannot keep apart
  const count = Math.max(1, stepCount(d.min, d.max, step));
  let out = snapToStep(d.min, step, count, target);
  if (out === value) {
    const direction = Math.sign(value * factor - value) || (factor > 1 ? 1 : -1);
    const k = Math.round((value - d.min) / step) + direction;
    if (k >= 0 && k < count) out = stepPoint(d.min, step, k);
  }
  return (d.kind === 'int' ? Math.round(out) : out) + 0;
}

/** One place left or right in a list, turning back at either end (Katib wraps around instead). */
function shift(values: readonly ParamValue[], index: number, rng: Rng): { value: ParamValue; note: string } {
  if (values.length === 1) return { value: values[0] as ParamValue, note: 'kept' };
  let move = rng.next() < 0.5 ? -1 : 1;
  if (index + move < 0 || index + move >= values.length) move = -move;
  return { value: values[index + move] as ParamValue, note: move > 0 ? '+1' : '-1' };
}

function perturb(domain: Domain, value: ParamValue | undefined, rng: Rng): { value: ParamValue; note: string } {
  // A value outside the domain (the space was edited between generations) cannot be perturbed: draw afresh.
  if (value === undefined || !contains(domain, value)) return { value: sample(domain, rng), note: 'resampled' };
  if (domain.kind === 'categorical' || domain.kind === 'discrete') {
    return shift(domain.values, (domain.values as readonly ParamValue[]).indexOf(value), rng);
  }
  const factor = rng.next() < 0.5 ? 0.8 : 1.2;
  return { value: perturbNumber(domain, value as number, factor), note: `×${factor}` };
}

/** Explores `params` over `space` with `rng`: perturbation, or resampling when `resample` is set. */
export function explore(space: SearchSpace, params: Assignment, rng: Rng, resample?: number): Explored {
  const out: Record<string, ParamValue> = {};
  const notes: Record<string, string> = {};
  for (const { name, domain } of space) {
    const current = params[name];
    let moved: { value: ParamValue; note: string };
    if (resample === undefined) moved = perturb(domain, current, rng);
    else if (rng.next() < resample || current === undefined || !contains(domain, current)) {
      moved = { value: sample(domain, rng), note: 'resampled' };
    } else moved = { value: current, note: 'kept' };
    out[name] = moved.value;
    notes[name] = moved.note;
  }
  return { params: out, explore: notes };
}
