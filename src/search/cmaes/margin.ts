import { type CmaDim, levelEdge, levelOf } from './encoding.ts';
import { normalCdf, normalQuantile } from './normal.ts';
import type { RunState } from './state.ts';

/**
 * CMA-ES with Margin (Hamano, Saito, Nomura, Shirakawa, GECCO 2022). On a lattice coordinate (int, stepped
 * double, discrete list) plain CMA-ES stalls once σ is small against the cell width: every draw decodes to
 * the same value, the ranking carries no information and σ keeps shrinking. After each update the margin
 * keeps the marginal probability of leaving the mean's cell at least α on each side (α/2 for an interior
 * cell, whose two neighbours share it), by moving the mean inside its cell and widening the diagonal scaling A.
 */

/** The paper's default margin α = 1/(nλ). */
export function defaultMargin(n: number, lambda: number): number {
  return 1 / (n * lambda);
}

/** Probabilities are kept this far from 0 and ½ so the quantiles stay finite. */
const eps = 1e-10;

/** Corrects mean and A of every lattice coordinate of `run` in place (continuous coordinates are untouched). */
export function applyMargin(run: RunState, dims: readonly CmaDim[], alpha: number): void {
  dims.forEach((dim, j) => {
    if (dim.levels < 2) return;
    const base = run.sigma * Math.sqrt(run.C[j]![j]!);
    const sd = base * run.A[j]!;
    if (!(sd > 0)) return;
    const m = run.mean[j]!;
    const k = levelOf(dim, m);
    if (k === 0 || k === dim.levels - 1) {
      // An end cell has one neighbour: if the mass beyond its only edge is below α, slide the mean towards
      // that edge until it is exactly α (the paper changes only the mean here).
      const edge = levelEdge(dim, k === 0 ? 1 : k);
      const outward = k === 0 ? 1 : -1;
      const beyond = 1 - normalCdf((outward * (edge - m)) / sd);
      if (beyond < alpha) run.mean[j] = edge - outward * sd * normalQuantile(1 - alpha);
      return;
    }
    const lo = levelEdge(dim, k);
    const hi = levelEdge(dim, k + 1);
    let below = normalCdf((lo - m) / sd);
    let above = 1 - normalCdf((hi - m) / sd);
    const floor = alpha / 2;
    if (Math.min(below, above) >= floor) return;
    // Raise the small side(s) to α/2 and take the excess from the three cell masses in proportion to what each
    // has above α/2, so the three still sum to one.
    const inside = 1 - below - above;
    below = Math.max(below, floor);
    above = Math.max(above, floor);
    const excess = below + above + inside - 1;
    const slack = below + above + inside - 3 * floor;
    if (slack > 0) {
      below -= (excess * (below - floor)) / slack;
      above -= (excess * (above - floor)) / slack;
    }
    below = Math.min(0.5 - eps, Math.max(eps, below));
    above = Math.min(0.5 - eps, Math.max(eps, above));
    // Solve (m − lo)/sd' = Φ⁻¹(1 − below) and (hi − m)/sd' = Φ⁻¹(1 − above) for the new mean and spread.
    const zl = normalQuantile(1 - below);
    const zu = normalQuantile(1 - above);
    const spread = (hi - lo) / (zl + zu);
    run.mean[j] = lo + zl * spread;
    run.A[j] = spread / base;
  });
}
