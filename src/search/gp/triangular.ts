/**
 * Triangular solves with a lower-triangular factor L stored row-major with row stride `stride` (the layout of
 * {@link CholeskyFactor}), the inner loops of every GP prediction. Each routine does exactly the arithmetic of the
 * textbook substitution, in the same order for every entry, so its results are bit-identical to it: GP
 * suggestions depend on these values to the last bit, and the benchmark studies must not move when only the
 * speed changes. What changes is how much independent work each pass over L carries. A one-row dot product is a
 * single chain of dependent subtractions, each waiting for the one before (V8 emits scalar code, no SIMD);
 * interleaving four rows gives the CPU four independent chains sharing every load of the vector, which about
 * halved both solves at n = 500 (0.21 → 0.10 ms each, measured on the shared 2-core development machine).
 */

/** The factor and the rows of it in use: L[i * stride + j] for j ≤ i < n. */
export interface LowerFactor {
  readonly L: Float64Array;
  readonly stride: number;
  readonly n: number;
}

/**
 * Solves L x = b in place (b's entries offset..offset+n−1): x_i = (b_i − Σ_{k<i} L_ik x_k) / L_ii, the sum taken
 * in increasing k. Four rows at a time share the loads of x_0..x_{i−1}, then finish their small triangle in order.
 */
export function forwardSubstitute(f: LowerFactor, b: Float64Array, offset = 0): void {
  const { L, stride, n } = f;
  const o = offset;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const r0 = i * stride;
    const r1 = r0 + stride;
    const r2 = r1 + stride;
    const r3 = r2 + stride;
    let s0 = b[o + i]!;
    let s1 = b[o + i + 1]!;
    let s2 = b[o + i + 2]!;
    let s3 = b[o + i + 3]!;
    for (let k = 0; k < i; k++) {
      const x = b[o + k]!;
      s0 -= L[r0 + k]! * x;
      s1 -= L[r1 + k]! * x;
      s2 -= L[r2 + k]! * x;
      s3 -= L[r3 + k]! * x;
    }
    const x0 = s0 / L[r0 + i]!;
    b[o + i] = x0;
    s1 -= L[r1 + i]! * x0;
    s2 -= L[r2 + i]! * x0;
    s3 -= L[r3 + i]! * x0;
    const x1 = s1 / L[r1 + i + 1]!;
    b[o + i + 1] = x1;
    s2 -= L[r2 + i + 1]! * x1;
    s3 -= L[r3 + i + 1]! * x1;
    const x2 = s2 / L[r2 + i + 2]!;
    b[o + i + 2] = x2;
    s3 -= L[r3 + i + 2]! * x2;
    b[o + i + 3] = s3 / L[r3 + i + 3]!;
  }
  for (; i < n; i++) {
    const row = i * stride;
    let s = b[o + i]!;
    for (let k = 0; k < i; k++) s -= L[row + k]! * b[o + k]!;
    b[o + i] = s / L[row + i]!;
  }
}

/**
 * Solves Lᵀ x = b in place: x_i = b_i / L_ii from the last row up, each x_i then subtracted (L_ik x_i) from every
 * b_k with k < i, so every entry receives its subtractions in decreasing i. Four rows at a time: their 4×4 corner
 * first, then one read and write of each b_k per four subtractions instead of one per subtraction.
 */
export function backSubstitute(f: LowerFactor, b: Float64Array, offset = 0): void {
  const { L, stride, n } = f;
  const o = offset;
  let i = n - 1;
  for (; i >= 3; i -= 4) {
    const r0 = i * stride;
    const r1 = r0 - stride;
    const r2 = r1 - stride;
    const r3 = r2 - stride;
    const x0 = b[o + i]! / L[r0 + i]!;
    b[o + i] = x0;
    const b1 = b[o + i - 1]! - L[r0 + i - 1]! * x0;
    let b2 = b[o + i - 2]! - L[r0 + i - 2]! * x0;
    let b3 = b[o + i - 3]! - L[r0 + i - 3]! * x0;
    const x1 = b1 / L[r1 + i - 1]!;
    b[o + i - 1] = x1;
    b2 -= L[r1 + i - 2]! * x1;
    b3 -= L[r1 + i - 3]! * x1;
    const x2 = b2 / L[r2 + i - 2]!;
    b[o + i - 2] = x2;
    b3 -= L[r2 + i - 3]! * x2;
    const x3 = b3 / L[r3 + i - 3]!;
    b[o + i - 3] = x3;
    for (let k = 0; k < i - 3; k++) {
      b[o + k] = b[o + k]! - L[r0 + k]! * x0 - L[r1 + k]! * x1 - L[r2 + k]! * x2 - L[r3 + k]! * x3;
    }
  }
  for (; i >= 0; i--) {
    const row = i * stride;
    const xi = b[o + i]! / L[row + i]!;
    b[o + i] = xi;
    for (let k = 0; k < i; k++) b[o + k] = b[o + k]! - L[row + k]! * xi;
  }
}

/**
 * Solves L x = b for `m` right-hand sides stored one after another (each n long) in `B`, in place, as
 * x_i = (b_i − Σ_{k<i} L_ik x_k) · (1 / L_ii) for the sides in whole groups of eight (the sides left over are
 * solved one by one by {@link forwardSubstitute}, which divides by L_ii; the two round differently in the last
 * bit, and the split is kept as it was when eight sides shared each pass one row at a time). Each group is
 * solved as two blocks of four sides by four rows of L: sixteen independent chains, each load of L serving four
 * sides and each load of a side four rows. 32 → 23 ms for 399 sides at n = 500.
 */
export function forwardSubstituteMany(f: LowerFactor, B: Float64Array, m: number): void {
  const n = f.n;
  let c = 0;
  for (; c + 8 <= m; c += 8) {
    fourSides(f, B, c * n);
    fourSides(f, B, (c + 4) * n);
  }
  for (; c < m; c++) forwardSubstitute(f, B, c * n);
}

/** Four sides starting at `o0` of {@link forwardSubstituteMany}, four rows of L at a time. */
function fourSides(f: LowerFactor, B: Float64Array, o0: number): void {
  const { L, stride, n } = f;
  const o1 = o0 + n;
  const o2 = o1 + n;
  const o3 = o2 + n;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const ra = i * stride;
    const rb = ra + stride;
    const rc = rb + stride;
    const rd = rc + stride;
    let a0 = B[o0 + i]!;
    let a1 = B[o1 + i]!;
    let a2 = B[o2 + i]!;
    let a3 = B[o3 + i]!;
    let b0 = B[o0 + i + 1]!;
    let b1 = B[o1 + i + 1]!;
    let b2 = B[o2 + i + 1]!;
    let b3 = B[o3 + i + 1]!;
    let c0 = B[o0 + i + 2]!;
    let c1 = B[o1 + i + 2]!;
    let c2 = B[o2 + i + 2]!;
    let c3 = B[o3 + i + 2]!;
    let d0 = B[o0 + i + 3]!;
    let d1 = B[o1 + i + 3]!;
    let d2 = B[o2 + i + 3]!;
    let d3 = B[o3 + i + 3]!;
    for (let k = 0; k < i; k++) {
      const la = L[ra + k]!;
      const lb = L[rb + k]!;
      const lc = L[rc + k]!;
      const ld = L[rd + k]!;
      let x = B[o0 + k]!;
      a0 -= la * x;
      b0 -= lb * x;
      c0 -= lc * x;
      d0 -= ld * x;
      x = B[o1 + k]!;
      a1 -= la * x;
      b1 -= lb * x;
      c1 -= lc * x;
      d1 -= ld * x;
      x = B[o2 + k]!;
      a2 -= la * x;
      b2 -= lb * x;
      c2 -= lc * x;
      d2 -= ld * x;
      x = B[o3 + k]!;
      a3 -= la * x;
      b3 -= lb * x;
      c3 -= lc * x;
      d3 -= ld * x;
    }
    // The 4×4 corner, row by row, each row's last terms in increasing k as above.
    let r = 1 / L[ra + i]!;
    a0 *= r;
    a1 *= r;
    a2 *= r;
    a3 *= r;
    let l = L[rb + i]!;
    b0 -= l * a0;
    b1 -= l * a1;
    b2 -= l * a2;
    b3 -= l * a3;
    r = 1 / L[rb + i + 1]!;
    b0 *= r;
    b1 *= r;
    b2 *= r;
    b3 *= r;
    l = L[rc + i]!;
    c0 -= l * a0;
    c1 -= l * a1;
    c2 -= l * a2;
    c3 -= l * a3;
    l = L[rc + i + 1]!;
    c0 -= l * b0;
    c1 -= l * b1;
    c2 -= l * b2;
    c3 -= l * b3;
    r = 1 / L[rc + i + 2]!;
    c0 *= r;
    c1 *= r;
    c2 *= r;
    c3 *= r;
    l = L[rd + i]!;
    d0 -= l * a0;
    d1 -= l * a1;
    d2 -= l * a2;
    d3 -= l * a3;
    l = L[rd + i + 1]!;
    d0 -= l * b0;
    d1 -= l * b1;
    d2 -= l * b2;
    d3 -= l * b3;
    l = L[rd + i + 2]!;
    d0 -= l * c0;
    d1 -= l * c1;
    d2 -= l * c2;
    d3 -= l * c3;
    r = 1 / L[rd + i + 3]!;
    B[o0 + i] = a0;
    B[o1 + i] = a1;
    B[o2 + i] = a2;
    B[o3 + i] = a3;
    B[o0 + i + 1] = b0;
    B[o1 + i + 1] = b1;
    B[o2 + i + 1] = b2;
    B[o3 + i + 1] = b3;
    B[o0 + i + 2] = c0;
    B[o1 + i + 2] = c1;
    B[o2 + i + 2] = c2;
    B[o3 + i + 2] = c3;
    B[o0 + i + 3] = d0 * r;
    B[o1 + i + 3] = d1 * r;
    B[o2 + i + 3] = d2 * r;
    B[o3 + i + 3] = d3 * r;
  }
  for (; i < n; i++) {
    const row = i * stride;
    const r = 1 / L[row + i]!;
    for (let o = o0; o <= o3; o += n) {
      let v = B[o + i]!;
      for (let k = 0; k < i; k++) v -= L[row + k]! * B[o + k]!;
      B[o + i] = v * r;
    }
  }
}
