import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import type { Rng } from './rng.ts';
import type { Domain, ParamValue } from './space.ts';
import { onStep, snapToStep, stepCount, stepPoint } from './steps.ts';

/**
 * Sampling and encoding of one parameter's domain with Katib's semantics (REFERENCE.md §2.2).
 * Differences from Katib's hyperopt, on purpose: normal/logNormal draws are resampled into [min, max]
 * (hyperopt lets them escape), and a uniform int gives every value the same chance (hyperopt's `quniform`
 * gives the two end values half as much).
 */

type NumericDomain = Extract<Domain, { kind: 'double' | 'int' }>;

/** The continuous interval a numeric domain is drawn from, before snapping to its step. */
interface Support {
  readonly lo: number;
  readonly hi: number;
  readonly log: boolean;
  /** The stepped grid, when the domain has one (every int; a double with a step). */
  readonly grid?: { readonly step: number; readonly count: number };
}

function isLog(d: NumericDomain): boolean {
  return d.scale === 'logUniform' || d.scale === 'logNormal';
}

function stepOf(d: NumericDomain): number | undefined {
  if (d.kind === 'int') return d.step > 0 ? d.step : 1;
  return d.step !== undefined && d.step > 0 ? d.step : undefined;
}

/**
 * Supports by domain object. A stepped domain's support counts its grid (`stepCount`, which formats numbers to
 * round grid points), and TPE and the GP encode every trial's value through it on every request: without the
 * cache that counting was a fifth of a TPE suggestion on a space of stepped ints. An entry is used only while
 * the domain still has the bounds, step and scale it was computed for (the types say readonly; nothing enforces it).
 */
const supports = new WeakMap<NumericDomain, { readonly key: NumericDomain; readonly support: Support }>();

function support(d: NumericDomain): Support {
  const hit = supports.get(d);
  if (hit !== undefined && sameDomain(hit.key, d)) return hit.support;
  const computed = computeSupport(d);
  supports.set(d, { key: { ...d }, support: computed });
  return computed;
}

function sameDomain(a: NumericDomain, b: NumericDomain): boolean {
  return a.kind === b.kind && a.min === b.min && a.max === b.max && a.step === b.step && a.scale === b.scale;
}

/**
 * A stepped domain is widened by half a step on each side, so that snapping a uniform draw to the nearest
 * grid point gives every point an equal share (and log domains a share proportional to its log-width).
 */
function computeSupport(d: NumericDomain): Support {
  const log = isLog(d);
  if (log && !(d.min > 0)) {
    throw new WorkbenchError(ErrorCode.invalidArgument, `a ${d.scale} domain needs min > 0, got min ${d.min}`);
  }
  const step = stepOf(d);
  if (step === undefined) return { lo: d.min, hi: d.max, log };
  const count = Math.max(1, stepCount(d.min, d.max, step));
  const last = stepPoint(d.min, step, count - 1);
  let lo = d.min - step / 2;
  if (log && lo <= 0) lo = d.min / 2; // nothing lies below min, so any positive lower edge keeps the bins consistent
  return { lo, hi: last + step / 2, log, grid: { step, count } };
}

/** Maps a point of the support onto the domain: the nearest grid point, or clamped into [min, max]. */
function settle(d: NumericDomain, s: Support, x: number): number {
  if (s.grid) {
    const v = snapToStep(d.min, s.grid.step, s.grid.count, x);
    return d.kind === 'int' ? Math.round(v) : v;
  }
  return Math.min(d.max, Math.max(d.min, x));
}

function fromSupport(s: Support, u: number): number {
  return s.log ? Math.exp(Math.log(s.lo) + u * (Math.log(s.hi) - Math.log(s.lo))) : s.lo + u * (s.hi - s.lo);
}

/** A normal draw (in log space for logNormal) with Katib's mean (min+max)/2 and sd (max-min)/6, truncated to the support. */
function normalDraw(d: NumericDomain, s: Support, rng: Rng): number {
  const t = s.log ? Math.log : (x: number) => x;
  const mean = (t(d.min) + t(d.max)) / 2;
  const sd = (t(d.max) - t(d.min)) / 6;
  const lo = t(s.lo);
  const hi = t(s.hi);
  let z = mean + sd * rng.normal();
  // Resampling keeps the shape of a truncated normal; leaving ±3 sd happens 0.3% of the time, so 32 tries
  // practically never run out (and if they do, clamping still keeps the value in range).
  for (let i = 0; i < 32 && (z < lo || z > hi); i++) z = mean + sd * rng.normal();
  z = Math.min(hi, Math.max(lo, z));
  return s.log ? Math.exp(z) : z;
}

function checkCategories(d: Extract<Domain, { values: readonly unknown[] }>): void {
  if (d.values.length === 0) throw new WorkbenchError(ErrorCode.invalidArgument, `a ${d.kind} domain needs values`);
}

/** Draws one value from `domain` with Katib's distribution semantics; the result always satisfies {@link contains}. */
export function sample(domain: Domain, rng: Rng): ParamValue {
  if (domain.kind === 'categorical' || domain.kind === 'discrete') {
    checkCategories(domain);
    return rng.choice<ParamValue>(domain.values);
  }
  const s = support(domain);
  if (domain.scale === 'normal' || domain.scale === 'logNormal') return settle(domain, s, normalDraw(domain, s, rng));
  return settle(domain, s, fromSupport(s, rng.next()));
}

/**
 * Encodes a value as a number in [0, 1] for model-based algorithms: numeric domains linearly (log domains in log
 * space; normal scales are not warped), lists as the centre of the value's bin `(index + 0.5) / n`.
 * Numbers outside [min, max] are clamped; a list value that is not in the list throws.
 */
export function toUnit(domain: Domain, value: ParamValue): number {
  if (domain.kind === 'categorical' || domain.kind === 'discrete') {
    const index = (domain.values as readonly ParamValue[]).indexOf(value);
    if (index < 0) {
      throw new WorkbenchError(
        ErrorCode.invalidArgument,
        `value ${JSON.stringify(value)} is not in the ${domain.kind} list`,
      );
    }
    return (index + 0.5) / domain.values.length;
  }
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new WorkbenchError(
      ErrorCode.invalidArgument,
      `value ${JSON.stringify(value)} of a ${domain.kind} domain is not a number`,
    );
  }
  const s = support(domain);
  if (s.hi === s.lo) return 0.5;
  const x = Math.min(s.hi, Math.max(s.lo, value));
  const u = s.log ? (Math.log(x) - Math.log(s.lo)) / (Math.log(s.hi) - Math.log(s.lo)) : (x - s.lo) / (s.hi - s.lo);
  return Math.min(1, Math.max(0, u));
}

/** Decodes a number in [0, 1] (clamped) into a value of `domain`: the inverse of {@link toUnit} up to snapping. */
export function fromUnit(domain: Domain, u: number): ParamValue {
  if (!Number.isFinite(u)) throw new WorkbenchError(ErrorCode.invalidArgument, `a unit value must be finite, got ${u}`);
  const clamped = Math.min(1, Math.max(0, u));
  if (domain.kind === 'categorical' || domain.kind === 'discrete') {
    checkCategories(domain);
    const n = domain.values.length;
    return domain.values[Math.min(n - 1, Math.floor(clamped * n))] as ParamValue;
  }
  const s = support(domain);
  return settle(domain, s, fromSupport(s, clamped));
}

/** True when `value` belongs to `domain`: the right type, inside [min, max], on the step, an integer for int, in the list. */
export function contains(domain: Domain, value: ParamValue): boolean {
  if (domain.kind === 'categorical') return typeof value === 'string' && domain.values.includes(value);
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  if (domain.kind === 'discrete') return domain.values.includes(value);
  if (value < domain.min || value > domain.max) return false;
  if (domain.kind === 'int' && !Number.isInteger(value)) return false;
  const step = stepOf(domain);
  return step === undefined || onStep(domain.min, step, value);
}

/** How many values {@link gridValues} has, without building them; throws for a double without a step. */
export function gridSize(domain: Domain): number {
  if (domain.kind === 'categorical' || domain.kind === 'discrete') return domain.values.length;
  return stepCount(domain.min, domain.max, gridStep(domain));
}

/** The k-th value of {@link gridValues} (0-based), without building the list. */
export function gridValueAt(domain: Domain, k: number): ParamValue {
  if (domain.kind === 'categorical' || domain.kind === 'discrete') return domain.values[k] as ParamValue;
  const v = stepPoint(domain.min, gridStep(domain), k);
  return domain.kind === 'int' ? Math.round(v) : v;
}

/**
 * Katib's grid points for one parameter (`convert_to_combinations`): int → min..max by step (default 1);
 * double → `np.arange(min, max+step, step)` without points above max (needs a step); lists as written.
 * The scale is ignored, as in Katib: a logUniform double with a step still gets a linear grid.
 */
export function gridValues(domain: Domain): ParamValue[] {
  const n = gridSize(domain);
  return Array.from({ length: n }, (_, k) => gridValueAt(domain, k));
}

function gridStep(d: NumericDomain): number {
  const step = stepOf(d);
  if (step === undefined) {
    throw new WorkbenchError(ErrorCode.invalidArgument, 'a double parameter needs a step to have grid points');
  }
  return step;
}
