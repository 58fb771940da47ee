import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import { gridSize, gridValueAt } from './distributions.ts';
import type { Assignment, ParamValue, SearchSpace } from './space.ts';

/**
 * The Cartesian product of every parameter's grid points, addressed by index without building it. The order is
 * `itertools.product`'s (as in Katib's `convert_to_combinations`): the last parameter changes fastest.
 * Callers check {@link Combinations.size} first; a space with a double that has no step has no grid.
 */
export class Combinations {
  /** Number of combinations. It may exceed 2^53; then {@link Combinations.safe} is false and `at` refuses. */
  readonly size: number;
  private readonly radices: readonly number[];

  /** Builds the index for `space`; throws when a double parameter has no step. */
  constructor(private readonly space: SearchSpace) {
    this.radices = space.map((p) => gridSize(p.domain));
    this.size = this.radices.reduce((a, b) => a * b, 1);
  }

  /** True when every index is an exact integer, so that `at` is a bijection. */
  get safe(): boolean {
    return Number.isSafeInteger(this.size);
  }

  /** The combination with this 0-based index, decoded in mixed radix. */
  at(index: number): Assignment {
    if (!this.safe || !Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new WorkbenchError(ErrorCode.invalidArgument, `grid index ${index} is outside 0..${this.size - 1}`);
    }
    const out: Record<string, ParamValue> = {};
    let rest = index;
    for (let i = this.space.length - 1; i >= 0; i--) {
      const p = this.space[i]!;
      const radix = this.radices[i]!;
      out[p.name] = gridValueAt(p.domain, rest % radix);
      rest = Math.floor(rest / radix);
    }
    // Keep the key order of the space, not the decoding order.
    const ordered: Record<string, ParamValue> = {};
    for (const p of this.space) ordered[p.name] = out[p.name]!;
    return ordered;
  }
}
