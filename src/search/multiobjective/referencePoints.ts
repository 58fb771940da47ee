/**
 * Das and Dennis's (1998) structured reference points: every vector of `objectives` non-negative multiples of
 * 1/`divisions` summing to 1, C(divisions + M − 1, M − 1) of them, in lexicographic order. NSGA-III (Deb and
 * Jain 2014) niches its last front around the lines from the origin through these points.
 */
export function dasDennisPoints(objectives: number, divisions: number): number[][] {
  const out: number[][] = [];
  const current: number[] = [];
  const fill = (left: number, k: number) => {
    if (k === objectives - 1) {
      out.push([...current, left / divisions]);
      return;
    }
    for (let i = left; i >= 0; i--) {
      current.push(i / divisions);
      fill(left - i, k + 1);
      current.pop();
    }
  };
  if (objectives >= 1 && divisions >= 0) fill(divisions, 0);
  return out;
}

/** C(n, k) for the small arguments reference-point counts need. */
export function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/**
 * The number of divisions NSGA-III uses for a population: the most that give no more reference points than the
 * population has members (so every niche can hold one), at least 1. Deb and Jain size populations the other way
 * round; here the user sets `population_size` and the reference points follow.
 */
export function divisionsFor(objectives: number, population: number): number {
  let h = 1;
  while (binomial(h + 1 + objectives - 1, objectives - 1) <= population) h++;
  return h;
}
