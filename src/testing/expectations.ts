import { expect } from 'vitest';
import { contains } from '../search/distributions.ts';
import type { SearchSpace } from '../search/space.ts';
import type { SuggestResult } from '../search/types.ts';

/** Asserts that every parameter of `space` is present and valid in each suggestion, and nothing else is. */
export function expectValid(space: SearchSpace, result: SuggestResult): void {
  for (const s of result.suggestions) {
    expect(Object.keys(s.params).sort()).toEqual(space.map((p) => p.name).sort());
    for (const p of space) {
      const value = s.params[p.name];
      expect(value !== undefined && contains(p.domain, value), `${p.name} = ${JSON.stringify(value)}`).toBe(true);
    }
  }
}

/** Asserts exactly `count` suggestions, or at most `count` from an algorithm that says it is exhausted. */
export function expectCount(result: SuggestResult, count: number): void {
  if (result.exhausted === true) expect(result.suggestions.length).toBeLessThanOrEqual(count);
  else expect(result.suggestions.length).toBe(count);
}
