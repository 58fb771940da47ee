/**
 * Categorical parameters have no order, so they stay outside the Gaussian: each gets a probability vector,
 * drawn from independently of the rest and moved, after every generation, towards the values of the best
 * members with the same recombination weights as the mean (a PBIL-style update). A floor on every probability
 * (a margin, as for lattice coordinates) keeps each value in play so the search cannot lock onto one early.
 */

/**
 * The smallest probability of a value among `size`: 1/(size·λ), so that each value still turns up in about one
 * generation out of `size` however sure the vector has become (and the floors together never exceed 1/λ ≤ 1/4).
 */
export function categoricalFloor(size: number, lambda: number): number {
  return 1 / (size * lambda);
}

/** The learning rate of the vectors: μ_eff/(μ_eff + 2·size), so long lists learn more slowly than short ones. */
function rate(size: number, muEff: number): number {
  return muEff / (muEff + 2 * size);
}

/** Raises every entry to `floor` and takes the excess from the entries above it, in proportion. */
export function applyFloor(probs: number[], floor: number): void {
  let total = 0;
  let slack = 0;
  for (let i = 0; i < probs.length; i++) {
    probs[i] = Math.max(probs[i]!, floor);
    total += probs[i]!;
    slack += probs[i]! - floor;
  }
  const excess = total - 1;
  if (slack <= 0) {
    probs.fill(1 / probs.length);
    return;
  }
  for (let i = 0; i < probs.length; i++) probs[i] = probs[i]! - (excess * (probs[i]! - floor)) / slack;
}

/**
 * Updates the vectors in place. `ranked` holds the categorical choices of the members, best first;
 * `weights` the positive recombination weights of the μ best (summing to 1).
 */
export function updateCategoricals(
  probs: number[][],
  ranked: readonly (readonly number[])[],
  weights: readonly number[],
  muEff: number,
  lambda: number,
): void {
  probs.forEach((p, c) => {
    const eta = rate(p.length, muEff);
    const target = new Array<number>(p.length).fill(0);
    weights.forEach((w, k) => {
      const choice = ranked[k]?.[c];
      if (choice !== undefined && w > 0) target[choice] = target[choice]! + w;
    });
    for (let i = 0; i < p.length; i++) p[i] = (1 - eta) * p[i]! + eta * target[i]!;
    applyFloor(p, categoricalFloor(p.length, lambda));
  });
}
