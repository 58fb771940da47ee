import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import { derive } from './rng.ts';

/**
 * A seeded bijection of [0, size) evaluated one index at a time, so a grid of 10^12 points can be visited in
 * shuffled order without an array: a balanced Feistel network on the smallest even-bit power of two ≥ size,
 * with cycle walking (re-applying it until the result falls below size) to stay inside the range.
 */
export class IndexPermutation {
  private readonly halfBits: number;
  private readonly keys: readonly number[];

  /** A permutation of [0, size) determined by `seed`; size must be a safe integer ≥ 1. */
  constructor(
    readonly size: number,
    seed: number,
  ) {
    if (!Number.isSafeInteger(size) || size < 1) {
      throw new WorkbenchError(ErrorCode.invalidArgument, `a permutation needs a size from 1 to 2^53, got ${size}`);
    }
    const bits = Math.max(2, Math.ceil(Math.log2(size)));
    this.halfBits = Math.ceil(bits / 2);
    // Six rounds are plenty for shuffling grid order (this is not cryptography).
    this.keys = Array.from({ length: 6 }, (_, r) => derive(seed, 'feistel', r));
  }

  /** The image of `index`; distinct indices give distinct images. */
  at(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new WorkbenchError(ErrorCode.invalidArgument, `index ${index} is outside 0..${this.size - 1}`);
    }
    // The domain is at most 4 × size, so the expected number of walks is below 4.
    let x = this.round(index);
    while (x >= this.size) x = this.round(x);
    return x;
  }

  private round(x: number): number {
    const half = 2 ** this.halfBits;
    let left = Math.floor(x / half);
    let right = x % half;
    for (const key of this.keys) {
      const next = (left ^ (mix(right, key) & (half - 1))) >>> 0;
      left = right;
      right = next;
    }
    return left * half + right;
  }
}

/** A keyed 32-bit mix of the Feistel half-block. */
function mix(x: number, key: number): number {
  let h = Math.imul(x ^ key, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca77);
  h ^= h >>> 13;
  return h >>> 0;
}
