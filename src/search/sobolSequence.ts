import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import { derive, Rng } from './rng.ts';
import { directionEntries, maxSobolDimensions } from './sobolDirections.ts';

/** Bits per coordinate: points are multiples of 2^-32, and at most 2^32 of them exist. */
const bits = 32;
const twoPow32 = 4294967296;

/**
 * The Sobol low-discrepancy sequence (Bratley–Fox construction, Joe–Kuo direction numbers) in Gray-code order,
 * so the unscrambled points are those of SciPy's `qmc.Sobol(scramble=False)`. With a seed it is scrambled by a
 * random lower-triangular linear matrix and a digital shift (Matoušek's LMS + shift): this keeps the (t, m, s)-net
 * structure, so the first 2^k points still fall one per 2^-k slice in every coordinate, while removing the
 * sequence's fixed corner at 0. Any point is computed directly from its index.
 */
export class SobolSequence {
  /** Direction numbers per dimension, each a 32-bit integer per bit position (after scrambling). */
  private readonly directions: readonly Uint32Array[];
  private readonly shifts: Uint32Array;

  /** A sequence over `dimensions` (1..256) coordinates; `scrambleSeed` undefined gives the plain sequence. */
  constructor(
    readonly dimensions: number,
    scrambleSeed?: number,
  ) {
    if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > maxSobolDimensions) {
      throw new WorkbenchError(
        ErrorCode.invalidArgument,
        `the Sobol sequence supports 1 to ${maxSobolDimensions} dimensions, got ${dimensions}`,
      );
    }
    const plain = Array.from({ length: dimensions }, (_, d) => baseDirections(d));
    this.shifts = new Uint32Array(dimensions);
    if (scrambleSeed === undefined) {
      this.directions = plain;
      return;
    }
    this.directions = plain.map((v, d) => {
      // One stream per dimension: adding parameters does not change the scrambling of the earlier ones.
      const rng = new Rng(derive(scrambleSeed, 'sobol', d));
      const rows = lowerTriangular(rng);
      this.shifts[d] = rng.uint32();
      return v.map((x) => multiply(rows, x));
    });
  }

  /** The point with this 0-based index: one coordinate in [0, 1) per dimension. */
  point(index: number): number[] {
    if (!Number.isInteger(index) || index < 0 || index >= twoPow32) {
      throw new WorkbenchError(
        ErrorCode.invalidArgument,
        `a Sobol index must be an integer in [0, 2^32), got ${index}`,
      );
    }
    // Gray-code order: point n is the XOR of the direction numbers at the set bits of n ^ (n >> 1).
    const gray = (index ^ (index >>> 1)) >>> 0;
    return this.directions.map((v, d) => {
      let x = this.shifts[d]!;
      for (let j = 0, g = gray; g !== 0; j++, g >>>= 1) if (g & 1) x ^= v[j]!;
      return (x >>> 0) / twoPow32;
    });
  }
}

/** Direction numbers V_j = m_j · 2^(32-j) for dimension `d` (0-based), by the Bratley–Fox recurrence. */
function baseDirections(d: number): Uint32Array {
  const v = new Uint32Array(bits);
  if (d === 0) {
    // The first coordinate is the van der Corput sequence: every m_j = 1.
    for (let j = 0; j < bits; j++) v[j] = 2 ** (bits - 1 - j);
    return v;
  }
  const { degree: s, a, m } = directionEntries()[d - 1]!;
  for (let j = 0; j < Math.min(s, bits); j++) v[j] = m[j]! * 2 ** (bits - 1 - j);
  for (let j = s; j < bits; j++) {
    let x = v[j - s]! ^ (v[j - s]! >>> s);
    for (let k = 1; k < s; k++) if ((a >>> (s - 1 - k)) & 1) x ^= v[j - k]!;
    v[j] = x >>> 0;
  }
  return v;
}

/**
 * A random lower-triangular binary matrix with a unit diagonal, as 32 row masks over the digits of a coordinate
 * (digit 0 = the most significant bit). Output digit r depends only on input digits 0..r, which is why the
 * scrambling keeps every dyadic slice of the unscrambled points intact.
 */
function lowerTriangular(rng: Rng): Uint32Array {
  const rows = new Uint32Array(bits);
  for (let r = 0; r < bits; r++) {
    const diagonal = 2 ** (bits - 1 - r);
    const above = r === 0 ? 0 : (0xffffffff << (bits - r)) >>> 0; // the r more significant digits
    rows[r] = ((rng.uint32() & above) | diagonal) >>> 0;
  }
  return rows;
}

/** The matrix–vector product over GF(2): output digit r is the parity of (row r AND x). */
function multiply(rows: Uint32Array, x: number): number {
  let out = 0;
  for (let r = 0; r < bits; r++) if (parity(rows[r]! & x)) out |= 2 ** (bits - 1 - r);
  return out >>> 0;
}

function parity(x: number): number {
  x ^= x >>> 16;
  x ^= x >>> 8;
  x ^= x >>> 4;
  x ^= x >>> 2;
  x ^= x >>> 1;
  return x & 1;
}
