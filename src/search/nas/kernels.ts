/**
 * The dense loops under the ENAS controller's tape, written for V8: a row vector times a row-major matrix, a matrix
 * times a column vector, and a sum of outer products. Each loop is blocked by four so that an output entry is loaded
 * and stored once per four multiply-adds instead of once per one; on this project's 2-core machine that doubled the
 * rate of the 64 × 256 products that are most of a suggestion's time (bench/nas/controllerCost.ts).
 */

/** `out += x · W` for a row vector `x` of `rows` entries and `W` (`rows × cols`, row-major). */
export function addVecMat(out: Float64Array, x: Float64Array, w: Float64Array, rows: number, cols: number): void {
  let i = 0;
  for (; i + 3 < rows; i += 4) {
    const x0 = x[i]!;
    const x1 = x[i + 1]!;
    const x2 = x[i + 2]!;
    const x3 = x[i + 3]!;
    if (x0 === 0 && x1 === 0 && x2 === 0 && x3 === 0) continue;
    const b0 = i * cols;
    const b1 = b0 + cols;
    const b2 = b1 + cols;
    const b3 = b2 + cols;
    for (let j = 0; j < cols; j++) {
      out[j]! += x0 * w[b0 + j]! + x1 * w[b1 + j]! + x2 * w[b2 + j]! + x3 * w[b3 + j]!;
    }
  }
  for (; i < rows; i++) {
    const xi = x[i]!;
    if (xi === 0) continue;
    const base = i * cols;
    for (let j = 0; j < cols; j++) out[j]! += xi * w[base + j]!;
  }
}

/** `out += W · d` for `W` (`rows × cols`, row-major) and a column vector `d` of `cols` entries: `x`'s gradient. */
export function addMatVec(out: Float64Array, w: Float64Array, d: Float64Array, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    // Two accumulators: the additions of one chain do not wait on each other.
    let s0 = 0;
    let s1 = 0;
    let j = 0;
    for (; j + 1 < cols; j += 2) {
      s0 += w[base + j]! * d[j]!;
      s1 += w[base + j + 1]! * d[j + 1]!;
    }
    if (j < cols) s0 += w[base + j]! * d[j]!;
    out[i]! += s0 + s1;
  }
}

/**
 * `G += Σₜ xₜᵀ dₜ` for pairs of a row vector `xₜ` (`rows` entries) and a gradient `dₜ` (`cols` entries): a weight
 * matrix's gradient over every product it took part in, added four pairs at a time.
 */
export function addOuterProducts(
  g: Float64Array,
  xs: readonly Float64Array[],
  ds: readonly Float64Array[],
  rows: number,
  cols: number,
): void {
  let t = 0;
  for (; t + 3 < xs.length; t += 4) {
    const xa = xs[t]!;
    const xb = xs[t + 1]!;
    const xc = xs[t + 2]!;
    const xd = xs[t + 3]!;
    const da = ds[t]!;
    const db = ds[t + 1]!;
    const dc = ds[t + 2]!;
    const dd = ds[t + 3]!;
    for (let i = 0; i < rows; i++) {
      const a = xa[i]!;
      const b = xb[i]!;
      const c = xc[i]!;
      const e = xd[i]!;
      if (a === 0 && b === 0 && c === 0 && e === 0) continue;
      const base = i * cols;
      for (let j = 0; j < cols; j++) g[base + j]! += a * da[j]! + b * db[j]! + c * dc[j]! + e * dd[j]!;
    }
  }
  for (; t < xs.length; t++) {
    const x = xs[t]!;
    const d = ds[t]!;
    for (let i = 0; i < rows; i++) {
      const xi = x[i]!;
      if (xi === 0) continue;
      const base = i * cols;
      for (let j = 0; j < cols; j++) g[base + j]! += xi * d[j]!;
    }
  }
}
