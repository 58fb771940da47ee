/**
 * Kernel widths for Parzen estimators on [0, 1], after hyperopt's adaptive Parzen estimator (Bergstra et al.
 * 2011): each point's width is the larger gap to its sorted neighbours, with the prior's centre 0.5 counted as a
 * point, so kernels are wide where points are sparse and narrow where they crowd. Widths are clipped into
 * [1 / min(100, 1 + kernels), 1] (hyperopt's "magic clip"): no kernel collapses onto its point while few points
 * exist, and none is wider than the prior.
 */

/** The narrowest width a kernel may have among `kernels` kernels (the prior included). */
export function minWidth(kernels: number): number {
  return 1 / Math.min(100, 1 + kernels);
}

/** Up to this many points an insertion sort beats the radix sort's fixed cost. */
const small = 32;
/** Sort keys: the value quantised to 16 bits, sorted in two passes of 8. */
const keyScale = 65536;

/**
 * The indices of `xs` (values in [0, 1]) in ascending order. This runs for every dimension of both estimators
 * on every suggestion, where a comparator sort of a thousand points would dominate the whole suggestion; a
 * stable two-pass LSD radix sort on the value quantised to 2^-16 costs O(n) instead. Values closer than 2^-16
 * keep their index order, an error far below any width the clip allows (0.01); the gaps themselves are taken
 * from the exact values.
 */
export function sortedOrder(xs: Float64Array): Int32Array {
  const n = xs.length;
  const order = new Int32Array(n);
  if (n <= small) {
    for (let i = 0; i < n; i++) {
      const v = xs[i]!;
      let p = i;
      while (p > 0 && xs[order[p - 1]!]! > v) {
        order[p] = order[p - 1]!;
        p--;
      }
      order[p] = i;
    }
    return order;
  }
  const keys = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = xs[i]! * keyScale;
    keys[i] = v <= 0 ? 0 : v >= keyScale ? keyScale - 1 : v | 0;
  }
  const counts = new Int32Array(256);
  const low = new Int32Array(n);
  // Pass 1 by the low byte (indices in natural order, so ties keep index order), pass 2 by the high byte.
  for (let i = 0; i < n; i++) counts[keys[i]! & 255]!++;
  prefix(counts);
  for (let i = 0; i < n; i++) low[counts[keys[i]! & 255]!++] = i;
  counts.fill(0);
  for (let i = 0; i < n; i++) counts[keys[i]! >>> 8]!++;
  prefix(counts);
  for (let r = 0; r < n; r++) {
    const i = low[r]!;
    order[counts[keys[i]! >>> 8]!++] = i;
  }
  return order;
}

/** Turns bucket counts into starting offsets, in place. */
function prefix(counts: Int32Array): void {
  let sum = 0;
  for (let b = 0; b < counts.length; b++) {
    const c = counts[b]!;
    counts[b] = sum;
    sum += c;
  }
}

/**
 * Writes the width of each of the first `n` entries of `mus` into `out`; every entry of `mus` (the prior's
 * centre included) counts as a neighbour. The ends of [0, 1] do not: the outermost points use their inner gap.
 */
export function neighbourWidths(mus: Float64Array, n: number, out: Float64Array): void {
  const lo = minWidth(mus.length);
  const order = sortedOrder(mus);
  const last = order.length - 1;
  for (let r = 0; r <= last; r++) {
    const i = order[r]!;
    if (i >= n) continue;
    const v = mus[i]!;
    const left = r > 0 ? v - mus[order[r - 1]!]! : 0;
    const right = r < last ? mus[order[r + 1]!]! - v : 0;
    const w = last === 0 ? 1 : Math.max(left, right);
    out[i] = w < lo ? lo : Math.min(w, 1);
  }
}
