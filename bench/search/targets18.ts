/**
 * Issue #18's GP-BO targets: `bayesianoptimization` at or below Optuna 4.9 GPSampler's median regret at 50 and at
 * 100 trials on every development function (no floor), and on the held-out functions at or below the best Optuna 3.1
 * sampler of `bench/results/optuna-heldout.json` (written by `bench/search/optuna_heldout.py`, since the
 * shared Optuna reference knows only the development set). A target whose inputs are missing is `n/a`.
 */
import { anchorRow, anchorSamplers } from './anchors.ts';
import { testFunctions } from './functions.ts';
import { median as medianOf } from './stats.ts';
import type { Target, TargetInputs } from './targets.ts';
import { heldOutReferencePath, readHeldOutReference as readCurves } from './targetsTpe.ts';

/** Optuna 3.1's median regrets on the held-out functions: function → sampler → checkpoint → median. */
export type HeldOutReference = Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, number>>>>>>;

/**
 * The committed held-out reference (`optuna_heldout.py`'s curves, read by targetsTpe.ts) as median regrets at 50 and
 * 100 trials over its first `seeds` seeds (the protocol's 10: the seeds our rows ran); `undefined` when the file is
 * absent or unreadable.
 */
export function readHeldOutReference(path?: string, seeds = 10): HeldOutReference | undefined {
  const ref = path === undefined ? readCurves() : readCurves(path);
  if (ref === undefined) return undefined;
  const out: Record<string, Record<string, Record<string, number>>> = {};
  for (const [fn, bySampler] of Object.entries(ref.curves)) {
    const optimum = ref.optimum[fn];
    if (optimum === undefined) continue;
    out[fn] = {};
    for (const [sampler, runs] of Object.entries(bySampler)) {
      if (runs.length < seeds) continue; // fewer seeds than ours: not the same comparison
      const at = (k: number) =>
        medianOf(runs.slice(0, seeds).map((c) => (c[Math.min(k, c.length) - 1] ?? Number.NaN) - optimum));
      out[fn][sampler] = { '50': at(50), '100': at(100) };
    }
  }
  return out;
}

const g = (v: number): string => (Number.isFinite(v) ? Number(v.toPrecision(3)).toString() : String(v));
const gp = 'bayesianoptimization';

function median(x: TargetInputs, fn: string, at: number): number | undefined {
  return x.rows.find((r) => r.seriesId === gp && r.fn === fn)?.regret[at]?.median;
}

/** A target met when every compared function passes. */
function everyFunction(
  base: { id: string; description: string },
  parts: readonly { text: string; pass: boolean }[],
  missing: string,
): Target {
  if (parts.length === 0) return { ...base, status: 'n/a', detail: missing };
  const met = parts.filter((p) => p.pass).length;
  return {
    ...base,
    status: met === parts.length ? 'pass' : 'fail',
    detail: `${met}/${parts.length}: ${parts.map((p) => p.text).join('; ')}`,
  };
}

/** GP-BO ≤ GPSampler's median at `at` trials on every development function that ran. */
function versusGpSampler(x: TargetInputs, at: number): Target {
  const base = {
    id: `gp18-regret${at}`,
    description: `bayesianoptimization regret@${at} ≤ Optuna 4.9 GPSampler@${at} on every development function (issue #18)`,
  };
  if (!x.available.includes(gp)) return { ...base, status: 'n/a', detail: `${gp} not available` };
  const parts: { text: string; pass: boolean }[] = [];
  for (const fn of x.functions) {
    const ours = median(x, fn, at);
    const ref = anchorRow(x.anchors, fn, anchorSamplers.gp)?.regret[at];
    if (ours === undefined || ref === undefined || Number.isNaN(ref)) continue;
    const pass = ours <= ref;
    parts.push({ text: `${fn} ${g(ours)} vs ${g(ref)} ${pass ? '✓' : '✗'}`, pass });
  }
  return everyFunction(base, parts, `no regret@${at} to compare`);
}

/** GP-BO ≤ the best Optuna 3.1 sampler's median at 50 and 100 trials on every held-out function that ran. */
function versusOptunaHeldOut(x: TargetInputs, reference: HeldOutReference | undefined): Target {
  const base = {
    id: 'gp18-heldout',
    description:
      'bayesianoptimization regret@50 and @100 ≤ the best Optuna 3.1 sampler on every held-out function run (issue #18)',
  };
  if (!x.available.includes(gp)) return { ...base, status: 'n/a', detail: `${gp} not available` };
  if (reference === undefined) return { ...base, status: 'n/a', detail: `no ${heldOutReferencePath}` };
  const parts: { text: string; pass: boolean }[] = [];
  for (const fn of x.functions.filter((f) => !Object.hasOwn(testFunctions, f))) {
    const samplers = reference[fn];
    if (samplers === undefined) continue;
    for (const at of [50, 100]) {
      const ours = median(x, fn, at);
      const refs = Object.entries(samplers).filter(([, m]) => typeof m[String(at)] === 'number');
      if (ours === undefined || refs.length === 0) continue;
      const [name, best] = refs.reduce((a, b) => (b[1][String(at)]! < a[1][String(at)]! ? b : a));
      const ref = best[String(at)]!;
      const pass = ours <= ref;
      parts.push({ text: `${fn}@${at} ${g(ours)} vs ${name} ${g(ref)} ${pass ? '✓' : '✗'}`, pass });
    }
  }
  return everyFunction(base, parts, 'no held-out function with a reference was run');
}

/** Issue #18's GP targets (hooked into `evaluateTargets`); the held-out reference defaults to the committed file. */
export function issue18Targets(
  x: TargetInputs,
  held: { readonly reference?: HeldOutReference | undefined } = { reference: readHeldOutReference() },
): Target[] {
  return [versusGpSampler(x, 50), versusGpSampler(x, 100), versusOptunaHeldOut(x, held.reference)];
}
