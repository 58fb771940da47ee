import { describe, expect, it } from 'vitest';
import { parseAnchors } from '../../bench/search/anchors.ts';
import type { LongStudy } from '../../bench/search/extras.ts';
import { heldOutFunctions } from '../../bench/search/functions.ts';
import type { SummaryRow } from '../../bench/search/summary.ts';
import type { TargetInputs } from '../../bench/search/targets.ts';
import {
  bestOptunaTpe,
  optuna5SuggestS,
  parseHeldOutReference,
  readHeldOutReference,
  tpeTargets,
} from '../../bench/search/targetsTpe.ts';

const anchors = parseAnchors(`# Anchors
| function (optimum) | sampler | regret@25 | regret@50 | regret@100 | study wall (100 trials) |
|---|---|---|---|---|---|
| branin | Optuna 5.0-dev TPE (defaults: multivariate, constant liar) | 0.282 | 0.0667 | 0.0186 | 0.20 s |
| hartmann6 | Optuna 5.0-dev TPE (defaults: multivariate, constant liar) | 0.651 | 0.245 | 0.116 | 0.30 s |

## Cost
| optimiser | per-suggestion cost near trial 50 / 100 / 500 / 1,000 | whole study |
|---|---|---|
| Optuna 4.9 TPE (univariate) | 5 / 6 / 16 / 29 ms | 17.3 s for 1,000 |
| Optuna 5.0-dev TPE | 2.8 / 3.6 / 8.6 / 14.4 ms | 9.5 s for 1,000 |
`);

/** Optuna 3.1 on camel: tpe's seeds reach regret 0.5/0.2/0.1, tpe-multivariate's 0.4/0.3/0.05 (optimum −1). */
const heldOut = parseHeldOutReference(
  JSON.stringify({
    optuna: '3.1.0',
    trials: 100,
    results: {
      camel: {
        optimum: -1,
        samplers: {
          tpe: [0, 1].map(() => ({ best_curve: curve(-0.5, -0.8, -0.9) })),
          'tpe-multivariate': [0, 1].map(() => ({ best_curve: curve(-0.6, -0.7, -0.95) })),
        },
      },
    },
  }),
);

/** A best-so-far curve of 100 trials holding `a` up to trial 25, `b` up to 50 and `c` after. */
function curve(a: number, b: number, c: number): number[] {
  return Array.from({ length: 100 }, (_, i) => (i < 25 ? a : i < 50 ? b : c));
}

function row(seriesId: string, fn: string, r: [number, number, number], studies = 2): SummaryRow {
  const q = (m: number) => ({ q25: m, median: m, q75: m });
  return {
    fn,
    seriesId,
    sampler: seriesId,
    source: 'hpo',
    regret: { 25: q(r[0]), 50: q(r[1]), 100: q(r[2]) },
    wallS: 0.01,
    studies,
  };
}

function long(algorithm: string, ms: [number, number, number, number]): LongStudy {
  return {
    algorithm,
    fn: 'hartmann6',
    trials: 1000,
    status: 'ok',
    suggestS: { 50: ms[0] / 1000, 100: ms[1] / 1000, 500: ms[2] / 1000, 1000: ms[3] / 1000 },
  };
}

const inputs = (over: Partial<TargetInputs>): TargetInputs => ({
  rows: [],
  anchors,
  functions: ['branin', 'hartmann6', 'camel'],
  available: ['tpe', 'multivariate-tpe'],
  long: [],
  ...over,
});
const byId = (x: TargetInputs, id: string) => tpeTargets(x, heldOut).find((t) => t.id === id);

describe('issue #18 TPE targets', () => {
  it('reads the Optuna 5.0-dev per-suggestion cost of ANCHORS.md (not the 4.9 row above it)', () => {
    expect(optuna5SuggestS(anchors)).toEqual({ 50: 0.0028, 100: 0.0036, 500: 0.0086, 1000: 0.0144 });
  });

  it('takes the better Optuna 3.1 TPE sampler at each checkpoint, over the same number of seeds', () => {
    expect(bestOptunaTpe(heldOut, 'camel', 25, 2)).toBeCloseTo(0.4);
    expect(bestOptunaTpe(heldOut, 'camel', 50, 2)).toBeCloseTo(0.2);
    expect(bestOptunaTpe(heldOut, 'camel', 100, 2)).toBeCloseTo(0.05);
    // Our run with more seeds than the reference has: no comparison.
    expect(bestOptunaTpe(heldOut, 'camel', 25, 3)).toBeUndefined();
  });

  it('needs every checkpoint of every development function at or below Optuna 5.0-dev', () => {
    const pass = inputs({ rows: [row('tpe', 'branin', [0.28, 0.06, 0.01]), row('tpe', 'hartmann6', [0.6, 0.2, 0.1])] });
    expect(byId(pass, 'tpe-optuna5-every')?.status).toBe('pass');
    const oneAbove = inputs({
      rows: [row('tpe', 'branin', [0.28, 0.06, 0.01]), row('tpe', 'hartmann6', [0.7, 0.2, 0.1])],
    });
    const t = byId(oneAbove, 'tpe-optuna5-every');
    expect(t?.status).toBe('fail');
    expect(t?.detail).toContain('0.7 vs 0.651 ✗');
    expect(byId(oneAbove, 'multivariate-tpe-optuna5-every')?.status).toBe('n/a'); // no rows
  });

  it('compares held-out functions with Optuna 3.1 only', () => {
    const rows = [row('tpe', 'camel', [0.39, 0.19, 0.04]), row('multivariate-tpe', 'camel', [0.4, 0.25, 0.05])];
    expect(byId(inputs({ rows }), 'tpe-heldout-optuna31')?.status).toBe('pass');
    expect(byId(inputs({ rows }), 'multivariate-tpe-heldout-optuna31')?.status).toBe('fail');
    // camel is not compared with the Optuna 5.0 anchors, which do not cover it.
    expect(byId(inputs({ rows }), 'tpe-optuna5-every')?.status).toBe('n/a');
    const none = tpeTargets(inputs({ rows }), undefined).find((t) => t.id === 'tpe-heldout-optuna31');
    expect(none?.status).toBe('n/a');
  });

  it('reads the committed Optuna 3.1 held-out run: every held-out function, both TPE samplers, 20 seeds', () => {
    const ref = readHeldOutReference();
    expect(Object.keys(ref?.curves ?? {}).sort()).toEqual(Object.keys(heldOutFunctions).sort());
    for (const [fn, bySampler] of Object.entries(ref?.curves ?? {})) {
      expect(Object.keys(bySampler)).toEqual(expect.arrayContaining(['tpe', 'tpe-multivariate']));
      for (const runs of Object.values(bySampler)) expect(runs.map((c) => c.length)).toEqual(new Array(20).fill(100));
      expect(ref?.optimum[fn]).toBeCloseTo(heldOutFunctions[fn]!.optimum, 6);
    }
    expect(readHeldOutReference('/nonexistent/optuna-heldout.json')).toBeUndefined();
  });

  it('holds the per-suggestion time to a tenth of Optuna 5.0-dev at every history size', () => {
    const x = inputs({ long: [long('tpe', [0.2, 0.3, 0.8, 1.4]), long('multivariate-tpe', [0.2, 0.3, 0.9, 1.4])] });
    expect(byId(x, 'tpe-suggest-cost')?.status).toBe('pass');
    const slow = byId(x, 'multivariate-tpe-suggest-cost');
    expect(slow?.status).toBe('fail');
    expect(slow?.detail).toContain('500: 0.9 ms vs 0.86 ms ✗');
    expect(byId(inputs({}), 'tpe-suggest-cost')?.status).toBe('n/a');
  });
});
