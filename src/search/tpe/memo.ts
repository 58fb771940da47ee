import { SobolSequence } from '../sobolSequence.ts';
import type { Assignment } from '../space.ts';
import { encodeAssignment, type TpeSpace } from './encoding.ts';

/**
 * What an algorithm instance remembers between requests, purely to save time: the encoded point of every trial
 * it has seen and the scrambled Sobol sequence of its initial design. Results never depend on it: a fresh
 * instance answers the same. The suggestion worker keeps its trial objects between requests (it receives only
 * changes), so at a thousand trials this saves re-encoding every one of them on every request. Points are keyed
 * weakly by the `params` object and dropped whenever the space changes; request data is plain and never
 * mutated, so a hit is always the encoding of the same values.
 */
export class Memo {
  private space: unknown;
  private signature = '';
  private points = new WeakMap<object, Float64Array | null>();
  private sobol: { readonly dims: number; readonly seed: number; readonly seq: SobolSequence } | undefined;
  private lastTrials: readonly object[] = [];
  private lastPoints: (Float64Array | undefined)[] = [];

  /** Starts over when `enc` describes another space than the remembered points were encoded for. */
  private use(enc: TpeSpace): void {
    if (enc.space === this.space) return;
    this.space = enc.space;
    const signature = JSON.stringify(enc.space);
    if (signature === this.signature) return;
    this.signature = signature;
    this.points = new WeakMap();
    this.lastTrials = [];
    this.lastPoints = [];
  }

  /**
   * The encoded point of every trial (undefined for one that does not fit the space). A trial object that sits
   * at the same position as in the previous request is not even looked up: in a long study all but the newest
   * trials are, and this loop is then a pointer comparison per trial.
   */
  trialPoints(enc: TpeSpace, trials: readonly { readonly params: Assignment }[]): (Float64Array | undefined)[] {
    this.use(enc);
    const out = new Array<Float64Array | undefined>(trials.length);
    for (let i = 0; i < trials.length; i++) {
      const t = trials[i]!;
      out[i] = this.lastTrials[i] === t ? this.lastPoints[i] : this.encode(enc, t.params);
    }
    this.lastTrials = trials.slice();
    this.lastPoints = out;
    return out;
  }

  /** The point of `params` under `enc` (read-only), or undefined when a parameter is missing or invalid. */
  private encode(enc: TpeSpace, params: Assignment): Float64Array | undefined {
    const hit = this.points.get(params);
    if (hit !== undefined) return hit ?? undefined;
    const point = new Float64Array(enc.dims.length);
    const ok = encodeAssignment(enc, params, point);
    this.points.set(params, ok ? point : null);
    return ok ? point : undefined;
  }

  /** The Sobol sequence over `dims` coordinates scrambled by `seed` (building one costs more than a suggestion). */
  sequence(dims: number, seed: number): SobolSequence {
    if (this.sobol?.dims !== dims || this.sobol.seed !== seed)
      this.sobol = { dims, seed, seq: new SobolSequence(dims, seed) };
    return this.sobol.seq;
  }
}
