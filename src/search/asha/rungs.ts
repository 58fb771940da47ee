import type { AshaSettings } from './settings.ts';

/**
 * The ASHA rungs (Li et al. 2020: steps r_min·eta^k, k = 0, 1, …) in (from, to], ascending: those a trial passes
 * when its latest step moves from `from` to `to`. No rung sits at R or beyond: a trial that reaches R is complete.
 */
export function rungsCrossed(settings: AshaSettings, from: number, to: number): number[] {
  const out: number[] = [];
  const limit = settings.maxResource ?? Number.POSITIVE_INFINITY;
  for (let k = 0; ; k++) {
    // Rounded so that r_min 0.1 gives rung 0.3, not 0.30000000000000004, and matches a reported step 0.3.
    const rung = Number((settings.minResource * settings.eta ** k).toPrecision(12));
    if (rung > to || rung >= limit) break;
    if (rung > from) out.push(rung);
  }
  return out;
}
