import { describe, expect, it } from 'vitest';
import { anchorCost, anchorRow, anchorSamplers, parseAnchors } from '../../bench/search/anchors.ts';
import { quantile } from '../../bench/search/stats.ts';
import type { SummaryRow } from '../../bench/search/summary.ts';
import {
  evaluateTargets,
  gpHeapGrowthLimitMb,
  gpLargeHistoryLimitS,
  parallelWithinMargin,
  type Target,
} from '../../bench/search/targets.ts';

const markdown = `# Anchors
| function (optimum) | sampler | regret@25 | regret@50 | regret@100 | study wall (100 trials) |
|---|---|---|---|---|---|
| branin (0.397887) | Optuna 3.1 tpe | 0.69 | 0.181 | 0.0163 | 0.73 s |
| branin | Optuna 5.0-dev TPE (defaults: multivariate, constant liar) | 0.282 | 0.0667 | 0.0186 | 0.20 s |
| branin | Optuna 4.9 GPSampler | 0.0402 | 3.59e-05 | 1.54e-05 | 4.20 s |
| rosenbrock4 | Optuna 5.0-dev TPE (defaults: multivariate, constant liar) | 854 | 259 | 23.6 | 0.26 s |
| rosenbrock4 | Optuna 4.9 GPSampler | 492 | 263 | 14 | 3.60 s |

## Cost
| optimiser | per-suggestion cost | whole study |
|---|---|---|
| Optuna 5.0-dev TPE | 2.8 / 3.6 ms | 9.5 s for 1,000 |
| Optuna 4.9 GPSampler | 37 ms | 137 s for 500 |
`;
const anchors = parseAnchors(markdown);

function row(seriesId: string, fn: string, r100: number, wallS = 0.01, extra: Partial<SummaryRow> = {}): SummaryRow {
  const q = (m: number) => ({ q25: m, median: m, q75: m });
  return {
    fn,
    seriesId,
    sampler: seriesId,
    source: 'hpo',
    regret: { 50: q(r100), 100: q(r100) },
    wallS,
    studies: 10,
    ...extra,
  };
}

const status = (targets: Target[], id: string) => targets.find((t) => t.id === id)?.status;

describe('ANCHORS.md parsing', () => {
  it('reads regret rows (function name without the optimum) and whole-study costs', () => {
    expect(anchors.rows).toHaveLength(5);
    expect(anchorRow(anchors, 'branin', anchorSamplers.gp)).toEqual({
      fn: 'branin',
      sampler: 'Optuna 4.9 GPSampler',
      regret: { 25: 0.0402, 50: 3.59e-5, 100: 1.54e-5 },
      wallS: 4.2,
    });
    expect(anchorRow(anchors, 'branin', anchorSamplers.tpe)?.wallS).toBe(0.2);
    expect(anchorCost(anchors, anchorSamplers.tpe)).toMatchObject({ studyS: 9.5, studyTrials: 1000 });
  });
});

describe('targets', () => {
  const functions = ['branin', 'rosenbrock4'];
  const base = { anchors, functions, long: [], parallel: 4 };

  it.each([
    // [tpe regret@100 on branin, rosenbrock4] → status (need 2 of 2 = ceil(0.75 × 2))
    [[0.01, 20], 'pass'],
    [[0.0186, 23.6], 'pass'],
    [[0.01, 30], 'fail'],
  ] as const)('tpe regret@100 %j → %s', (values, expected) => {
    const rows = [row('tpe', 'branin', values[0]), row('tpe', 'rosenbrock4', values[1])];
    expect(status(evaluateTargets({ ...base, rows, available: ['tpe'] }), 'tpe-regret100')).toBe(expected);
  });

  it.each([
    // [GP regret on branin, rosenbrock4 (same at 50 and 100)] → [regret@50 target, beats GPSampler@100 target]
    [[0.0009, 13], 'pass', 'pass'], // 0.001 floor on branin; 13 < 14 on rosenbrock4
    [[0.0011, 13], 'fail', 'pass'], // above max(1.25 × 3.59e-5, 0.001)
    [[0.0009, 14], 'pass', 'fail'], // 14 is not < 14
  ] as const)('GP %j → regret@50 %s, GP@100 %s', (values, at50, at100) => {
    const rows = [
      row('bayesianoptimization', 'branin', values[0]),
      row('bayesianoptimization', 'rosenbrock4', values[1]),
    ];
    const t = evaluateTargets({ ...base, rows, available: ['bayesianoptimization'] });
    expect([status(t, 'gp-regret50'), status(t, 'gp-beats-gpsampler100')]).toEqual([at50, at100]);
  });

  it('study wall and 1,000-trial cost are judged against 10× the anchors', () => {
    const rows = [row('tpe', 'branin', 0.01, 0.019), row('tpe', 'rosenbrock4', 20, 0.027)];
    const long = [{ algorithm: 'tpe', fn: 'hartmann6', trials: 1000, status: 'ok' as const, wallS: 0.9 }];
    const t = evaluateTargets({ ...base, rows, long, available: ['tpe'] });
    expect(t.find((x) => x.id === 'tpe-wall100')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('rosenbrock4 0.027 s vs 0.26 s ✗'),
    });
    expect(status(t, 'tpe-wall1000')).toBe('pass');
  });

  it('parallel mode: regret within 25% of sequential and no coincidences', () => {
    const rows = [
      row('cmaes', 'branin', 0.1),
      row('cmaes@4', 'branin', 0.124, 0.01, { coincidences: 0 }),
      row('cmaes', 'rosenbrock4', 10),
      row('cmaes@4', 'rosenbrock4', 12.6, 0.01, { coincidences: 2 }),
    ];
    const t = evaluateTargets({ ...base, rows, available: ['cmaes'] });
    expect(status(t, 'cmaes-parallel4-regret100')).toBe('fail');
    expect(t.find((x) => x.id === 'cmaes-parallel4-coincidences')).toMatchObject({
      status: 'fail',
      detail: '2 coincident pairs over 2 functions',
    });
  });

  it('the robustness check judges the parallel comparison on its own rows, beside the protocol', () => {
    const protocol = [row('tpe', 'branin', 0.006), row('tpe@4', 'branin', 0.009, 0.01, { coincidences: 0 })];
    const wide = [row('tpe', 'branin', 0.0055), row('tpe@4', 'branin', 0.005, 0.01, { studies: 30 })];
    const t = evaluateTargets({
      ...base,
      functions: ['branin'],
      rows: protocol,
      available: ['tpe'],
      parity: { seeds: 30, rows: wide },
    });
    expect(status(t, 'tpe-parallel4-regret100')).toBe('fail');
    expect(t.find((x) => x.id === 'tpe-parallel4-regret100-30seeds')).toMatchObject({
      status: 'pass',
      description: expect.stringContaining('over 30 seeds'),
      detail: 'branin 0.005 vs 0.0055 (×0.91) ✓',
    });
    // Without the check there is no such target at all.
    const plain = evaluateTargets({ ...base, functions: ['branin'], rows: protocol, available: ['tpe'] });
    expect(plain.map((x) => x.id)).not.toContain('tpe-parallel4-regret100-30seeds');
  });

  it('parallel mode has no absolute floor: a regret of 7.7e-7 against 4.9e-7 misses the margin', () => {
    const rows = [
      row('bayesianoptimization', 'branin', 4.9e-7),
      row('bayesianoptimization@4', 'branin', 7.7e-7, 0.01, { coincidences: 0 }),
    ];
    const t = evaluateTargets({ ...base, functions: ['branin'], rows, available: ['bayesianoptimization'] });
    expect(t.find((x) => x.id === 'bayesianoptimization-parallel4-regret100')).toMatchObject({
      status: 'fail',
      detail: 'branin 7.7e-7 vs 4.9e-7 (×1.57) ✗',
    });
    expect(parallelWithinMargin(1.2e-7, 1e-7)).toBe(true);
    expect(parallelWithinMargin(1.25e-7, 1e-7)).toBe(false);
  });

  it('judges each schedule against sequential: synchronous batches and one-at-a-time refills', () => {
    const rows = [
      row('cmaes', 'branin', 0.1),
      row('cmaes@4', 'branin', 0.11, 0.01, { coincidences: 0 }),
      row('cmaes@4-async', 'branin', 0.2, 0.01, { coincidences: 0 }),
    ];
    const t = evaluateTargets({
      ...base,
      functions: ['branin'],
      rows,
      available: ['cmaes'],
      schedules: ['sync', 'async'],
    });
    expect(status(t, 'cmaes-parallel4-regret100')).toBe('pass');
    expect(t.find((x) => x.id === 'cmaes-parallel4-async-regret100')).toMatchObject({
      status: 'fail',
      description: expect.stringContaining('one-at-a-time refills'),
      detail: 'branin 0.2 vs 0.1 (×2.00) ✗',
    });
    expect(status(t, 'cmaes-parallel4-async-coincidences')).toBe('pass');
    // Synchronous batches alone (the default of the inputs) leave the async targets out.
    const syncOnly = evaluateTargets({ ...base, functions: ['branin'], rows, available: ['cmaes'] });
    expect(syncOnly.map((x) => x.id)).not.toContain('cmaes-parallel4-async-regret100');
  });

  it('the robustness check also needs the geometric means within the margin', () => {
    const geo = (v: number) => ({ geoMean: { 100: v } });
    const judge = (parGeo: number) =>
      evaluateTargets({
        ...base,
        functions: ['branin'],
        rows: [],
        available: ['tpe'],
        parity: {
          seeds: 30,
          rows: [row('tpe', 'branin', 0.01, 0.01, geo(0.01)), row('tpe@4', 'branin', 0.011, 0.01, geo(parGeo))],
        },
      }).find((x) => x.id === 'tpe-parallel4-regret100-30seeds');
    expect(judge(0.012)).toMatchObject({ status: 'pass', detail: 'branin 0.011 vs 0.01 (×1.10, geo-mean ×1.20) ✓' });
    expect(judge(0.013)).toMatchObject({ status: 'fail', detail: 'branin 0.011 vs 0.01 (×1.10, geo-mean ×1.30) ✗' });
  });

  it('GP memory is flat when the live heap grows by less than the limit from 100 to 500 observations', () => {
    const gp = (heapMb: Record<number, number>) => [
      { algorithm: 'bayesianoptimization', fn: 'hartmann6', trials: 501, status: 'ok' as const, heapMb, rssMb: {} },
    ];
    const judge = (heapMb: Record<number, number>) =>
      evaluateTargets({ ...base, rows: [], long: gp(heapMb), available: ['bayesianoptimization'] }).find(
        (x) => x.id === 'gp-memory',
      );
    expect(judge({ 100: 40, 300: 45, 500: 40 + gpHeapGrowthLimitMb - 0.5 })).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining('(+9.5)'),
    });
    expect(judge({ 100: 40, 500: 40 + gpHeapGrowthLimitMb + 1 })?.status).toBe('fail');
    expect(judge({ 100: 40 })?.status).toBe('n/a');
  });

  it('GP cost on a large history is judged by the median of its suggestions', () => {
    const judge = (suggestS: number[]) => {
      const largeHistory = {
        algorithm: 'bayesianoptimization',
        observations: 10_000,
        status: 'ok' as const,
        suggestS,
        medianS: [...suggestS].sort((a, b) => a - b)[1]!,
      };
      const long = [
        { algorithm: 'bayesianoptimization', fn: 'hartmann6', trials: 501, status: 'ok' as const, largeHistory },
      ];
      return evaluateTargets({ ...base, rows: [], long, available: ['bayesianoptimization'] }).find(
        (x) => x.id === 'gp-large-history',
      );
    };
    // A slow first suggestion (a fit from scratch) does not fail it; a slow median does.
    expect(judge([2 * gpLargeHistoryLimitS, 0.3, 0.3])).toMatchObject({
      status: 'pass',
      description: expect.stringContaining('10,000-trial history'),
    });
    expect(judge([0.3, gpLargeHistoryLimitS + 0.1, gpLargeHistoryLimitS + 0.2])?.status).toBe('fail');
  });

  it('an algorithm that is not registered gives n/a everywhere', () => {
    const t = evaluateTargets({ ...base, rows: [], available: [] });
    expect(t.every((x) => x.status === 'n/a')).toBe(true);
    expect(t.map((x) => x.id)).toContain('gp-suggest500');
  });
});

describe('quantile', () => {
  it.each([
    [[1, 2, 3, 4], 0.5, 2.5],
    [[1, 2, 3, 4], 0.25, 1.75],
    [[5], 0.75, 5],
    [[3, 1, 2], 0.5, 2],
  ])('%j at %d is %d (numpy linear)', (values, q, expected) => {
    expect(quantile(values, q)).toBeCloseTo(expected, 12);
  });
});
