import type { Rng } from '../rng.ts';

/**
 * NSGA-III's niching (Deb and Jain 2014, §IV): picks `count` members of the last front that does not fit whole,
 * so that the chosen population spreads over the reference lines. `kept` are the members already chosen (the
 * earlier fronts), `last` the candidates; both index into `points` (loss vectors). Returns the chosen indices.
 */
export function nicheSelect(options: {
  readonly points: readonly (readonly number[])[];
  readonly kept: readonly number[];
  readonly last: readonly number[];
  readonly count: number;
  readonly references: readonly (readonly number[])[];
  readonly rng: Rng;
}): number[] {
  const { points, kept, last, count, references, rng } = options;
  if (count >= last.length) return [...last];
  const members = [...kept, ...last];
  const normalised = normalise(points, members);
  const niche = new Int32Array(points.length).fill(-1);
  const distance = new Float64Array(points.length);
  for (const i of members) {
    const [j, d] = nearestLine(normalised.get(i)!, references);
    niche[i] = j;
    distance[i] = d;
  }
  const crowd = new Int32Array(references.length);
  for (const i of kept) crowd[niche[i]!]!++;
  const waiting: number[][] = Array.from({ length: references.length }, () => []);
  for (const i of last) waiting[niche[i]!]!.push(i);
  const open = new Set<number>();
  for (let j = 0; j < references.length; j++) if (waiting[j]!.length > 0) open.add(j);
  const chosen: number[] = [];
  while (chosen.length < count && open.size > 0) {
    let least = Number.POSITIVE_INFINITY;
    for (const j of open) least = Math.min(least, crowd[j]!);
    const emptiest = [...open].filter((j) => crowd[j] === least);
    const j = rng.choice(emptiest);
    const queue = waiting[j]!;
    // An empty niche takes its member closest to the line (the paper's rule); a crowded one any member.
    let pick = 0;
    if (crowd[j] === 0) {
      for (let q = 1; q < queue.length; q++) if (distance[queue[q]!]! < distance[queue[pick]!]!) pick = q;
    } else pick = rng.int(0, queue.length - 1);
    chosen.push(queue[pick]!);
    queue.splice(pick, 1);
    crowd[j]!++;
    if (queue.length === 0) open.delete(j);
  }
  return chosen;
}

/**
 * Normalises members' losses: translated by the ideal point and divided by the intercepts of the hyperplane
 * through the extreme points (found with the achievement scalarising function); where that plane is degenerate
 * (too few distinct extremes, a non-positive or tiny intercept) each objective's range among the members is used.
 */
function normalise(points: readonly (readonly number[])[], members: readonly number[]): Map<number, number[]> {
  const m = points[members[0]!]!.length;
  const ideal = new Array<number>(m).fill(Number.POSITIVE_INFINITY);
  const worst = new Array<number>(m).fill(Number.NEGATIVE_INFINITY);
  for (const i of members) {
    for (let k = 0; k < m; k++) {
      ideal[k] = Math.min(ideal[k]!, points[i]![k]!);
      worst[k] = Math.max(worst[k]!, points[i]![k]!);
    }
  }
  const shifted = new Map<number, number[]>();
  for (const i of members)
    shifted.set(
      i,
      points[i]!.map((v, k) => v - ideal[k]!),
    );
  const extremes: number[][] = [];
  for (let axis = 0; axis < m; axis++) {
    let best: number[] | undefined;
    let bestAsf = Number.POSITIVE_INFINITY;
    for (const i of members) {
      const f = shifted.get(i)!;
      let asf = 0;
      for (let k = 0; k < m; k++) asf = Math.max(asf, f[k]! / (k === axis ? 1 : 1e-6));
      if (asf < bestAsf) {
        bestAsf = asf;
        best = f;
      }
    }
    extremes.push(best!);
  }
  const range = worst.map((w, k) => w - ideal[k]!);
  const plane = intercepts(extremes);
  const scale = range.map((r, k) => {
    const a = plane?.[k];
    if (a !== undefined && Number.isFinite(a) && a > 1e-6 && a <= 1e6 * (r + 1e-12)) return a;
    return r > 0 ? r : 1;
  });
  const out = new Map<number, number[]>();
  for (const [i, f] of shifted)
    out.set(
      i,
      f.map((v, k) => v / scale[k]!),
    );
  return out;
}

/** The axis intercepts of the hyperplane through `m` points (Gaussian elimination), or undefined when singular. */
function intercepts(extremes: readonly (readonly number[])[]): number[] | undefined {
  const m = extremes.length;
  // Solve E·b = 1 for the plane b·x = 1; its intercepts are 1/b_k.
  const a = extremes.map((row) => [...row, 1]);
  for (let c = 0; c < m; c++) {
    let p = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    if (Math.abs(a[p]![c]!) < 1e-12) return undefined;
    [a[c], a[p]] = [a[p]!, a[c]!];
    for (let r = 0; r < m; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k <= m; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  const out: number[] = [];
  for (let k = 0; k < m; k++) {
    const b = a[k]![m]! / a[k]![k]!;
    if (!(b > 0)) return undefined;
    out.push(1 / b);
  }
  return out;
}

/** The reference line nearest a normalised point (perpendicular distance), ties to the lower index. */
function nearestLine(f: readonly number[], references: readonly (readonly number[])[]): [number, number] {
  let best = 0;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let j = 0; j < references.length; j++) {
    const w = references[j]!;
    let dot = 0;
    let norm = 0;
    for (let k = 0; k < f.length; k++) {
      dot += f[k]! * w[k]!;
      norm += w[k]! * w[k]!;
    }
    const t = norm === 0 ? 0 : dot / norm;
    let d = 0;
    for (let k = 0; k < f.length; k++) d += (f[k]! - t * w[k]!) ** 2;
    if (d < bestDistance) {
      bestDistance = d;
      best = j;
    }
  }
  return [best, Math.sqrt(bestDistance)];
}
