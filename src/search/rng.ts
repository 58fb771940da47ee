import { ErrorCode, WorkbenchError } from '../common/errors.ts';

/**
 * Seeded randomness for every algorithm. The generator is sfc32 (Chris Doty-Humphrey's Small Fast Counting
 * generator, 128-bit state, passes PractRand); seeds are mixed with the MurmurHash3 finaliser so that
 * neighbouring seeds (1, 2, 3, …) start from unrelated states.
 */

const twoPow32 = 4294967296;
const twoPow53 = 9007199254740992;

/** MurmurHash3's 32-bit finaliser: an avalanche mix of one word. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** One MurmurHash3 block step: folds the word `k` into the running hash `h`. */
function absorb(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = rotl(k, 15);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = rotl(h, 13);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** Splits a safe integer into its low and high 32-bit words (two's complement for negatives). */
function words(n: number): [number, number] {
  return [n >>> 0, Math.floor(n / twoPow32) >>> 0];
}

/**
 * Reduces any safe-integer seed to 32 bits. Seeds that already fit are kept as they are; larger ones are
 * hashed so that their high bits still matter. Throws on NaN, fractions and unsafe integers.
 */
export function normalizeSeed(seed: number): number {
  if (!Number.isSafeInteger(seed)) {
    throw new WorkbenchError(ErrorCode.invalidArgument, `a seed must be a safe integer, got ${seed}`);
  }
  const [lo, hi] = words(seed);
  return hi === 0 ? lo : fmix32(absorb(absorb(0x5eed, lo), hi)) >>> 0;
}

/**
 * Hashes a seed plus keys (trial index, algorithm name, dimension, …) into a new 32-bit seed. Algorithms
 * derive one stream per logical unit of work so their output does not depend on batch size, worker count
 * or call order. Numbers and strings are tagged, so `derive(s, 1)` differs from `derive(s, '1')`.
 */
export function derive(seed: number, ...keys: (string | number)[]): number {
  let h = absorb(0x2545f491, normalizeSeed(seed));
  let length = 1;
  for (const key of keys) {
    if (typeof key === 'number' && Number.isSafeInteger(key)) {
      const [lo, hi] = words(key);
      h = absorb(absorb(absorb(h, 1), lo), hi);
      length += 3;
      continue;
    }
    // Strings and non-integer numbers are hashed through their text, one UTF-16 unit per word.
    const text = String(key);
    h = absorb(absorb(h, typeof key === 'number' ? 3 : 2), text.length);
    for (let i = 0; i < text.length; i++) h = absorb(h, text.charCodeAt(i));
    length += 2 + text.length;
  }
  return fmix32(h ^ length);
}

/** A seeded sfc32 generator. Every algorithm gets its randomness from one of these, never from `Math.random`. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** Starts a stream from a safe-integer seed; equal seeds give equal streams on every platform. */
  constructor(seed: number) {
    const s = normalizeSeed(seed);
    this.a = fmix32(s ^ 0x9e3779b9);
    this.b = fmix32(s ^ 0x3c6ef372);
    this.c = fmix32(s ^ 0xdaa66d2b);
    this.d = 1;
    // sfc32's author recommends discarding the first outputs so the state is well mixed.
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** The next raw 32-bit unsigned integer. */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = rotl(this.c, 21);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.uint32() >>> 5;
    const lo = this.uint32() >>> 6;
    return (hi * 67108864 + lo) / twoPow53;
  }

  /** A uniform double in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** A uniform integer in [lo, hi], both ends included; unbiased for spans up to 2^32. */
  int(lo: number, hi: number): number {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi < lo) {
      throw new WorkbenchError(ErrorCode.invalidArgument, `Rng.int needs integers lo <= hi, got ${lo} and ${hi}`);
    }
    const span = hi - lo + 1;
    if (span > twoPow32) return lo + Math.floor(this.next() * span);
    // Rejection sampling: drop the top partial copy of [0, span) so every value is equally likely.
    const limit = twoPow32 - (twoPow32 % span);
    let x = this.uint32();
    while (x >= limit) x = this.uint32();
    return lo + (x % span);
  }

  /** A standard normal draw (Box–Muller; one pair per call, the second value is discarded to keep the state plain). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]: log(0) is impossible
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A uniformly chosen element; throws on an empty list. */
  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new WorkbenchError(ErrorCode.invalidArgument, 'Rng.choice needs a non-empty list');
    return items[this.int(0, items.length - 1)] as T;
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }
}
