import { describe, expect, it } from 'vitest';
import { constrainedSuggest } from '../../src/experiment/constrainedSuggest.ts';
import type { SuggestRequest, SuggestResult } from '../../src/search/types.ts';
import { makeRequest } from '../../src/testing/askTell.ts';

const space = [{ name: 'x', domain: { kind: 'int', min: 0, max: 99, step: 1, scale: 'uniform' } }] as const;

/** A source proposing x = state.next, next + 1, …, counting the requests it got. */
function counting(): { calls: SuggestRequest[]; suggest(req: SuggestRequest): Promise<SuggestResult> } {
  const calls: SuggestRequest[] = [];
  return {
    calls,
    async suggest(req) {
      calls.push(req);
      const next = (req.state as { next?: number } | undefined)?.next ?? 0;
      const suggestions = Array.from({ length: req.count }, (_, i) => ({ params: { x: next + i } }));
      return { suggestions, state: { next: next + req.count } };
    },
  };
}

describe('constrainedSuggest (controller-side rejection sampling)', () => {
  // This file never validates a spec, so the parser is not preloaded: the controller path must load it itself
  // (a resumed run has not validated in its process either).
  it('keeps asking with the latest state and a derived seed until enough feasible points came', async () => {
    const source = counting();
    const req = makeRequest({
      space: [...space],
      trials: [],
      count: 3,
      seed: 9,
      constraints: [{ expression: 'x % 2 == 1' }],
    });
    const result = await constrainedSuggest(source, req, { supports: false, algorithm: 'fake' });
    expect(result.suggestions.map((s) => s.params.x)).toEqual([1, 3, 5]);
    expect(source.calls.map((c) => c.constraints)).toEqual([undefined, undefined, undefined]);
    expect(source.calls[0]!.seed).toBe(9);
    expect(new Set(source.calls.map((c) => c.seed)).size).toBe(source.calls.length);
    // Three rounds: 0 1 2 keeps 1, then 3 4 keeps 3, then 5.
    expect(source.calls).toHaveLength(3);
    expect(result.state).toEqual({ next: 6 });
  });

  it('passes the constraints to an algorithm that declares them', async () => {
    const source = counting();
    const req = makeRequest({ space: [...space], trials: [], count: 2, constraints: [{ expression: 'x >= 0' }] });
    await constrainedSuggest(source, req, { supports: true, algorithm: 'fake' });
    expect(source.calls[0]!.constraints).toEqual([{ expression: 'x >= 0' }]);
  });
});
