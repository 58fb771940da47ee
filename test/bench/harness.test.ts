import { describe, expect, it } from 'vitest';
import { runSearchBenchmark } from '../../bench/search/benchmark.ts';
import { jsonReport, markdownReport, svgReport } from '../../bench/search/report.ts';

describe('search benchmark harness (smoke: branin, random and sobol, no Optuna)', async () => {
  const report = await runSearchBenchmark({
    algorithms: ['random', 'sobol', 'no-such-algorithm'],
    functions: ['branin'],
    seeds: 2,
    paritySeeds: 3,
    trials: 10,
    optuna: false,
    long: false,
  });
  const md = markdownReport(report);

  it('runs every seed to the budget with non-increasing best-so-far curves', () => {
    const ours = report.series.filter((s) => s.status === 'ok');
    expect(ours.map((s) => s.label)).toEqual([
      'hpo random',
      'hpo sobol',
      'hpo random (parallel 4, sync)',
      'hpo sobol (parallel 4, sync)',
      'hpo random (parallel 4, async)',
      'hpo sobol (parallel 4, async)',
    ]);
    for (const s of ours) {
      const studies = s.studies.branin!;
      expect(studies.map((st) => st.seed)).toEqual([0, 1]);
      for (const { curve } of studies) {
        expect(curve).toHaveLength(10);
        for (let i = 1; i < curve.length; i++) expect(curve[i]!).toBeLessThanOrEqual(curve[i - 1]!);
      }
    }
  });

  it('judges the parallel comparison again over the robustness seeds, keeping the table to the protocol seeds', () => {
    expect(report.options).toMatchObject({ seeds: 2, paritySeeds: 3 });
    expect(report.parity?.rows.find((r) => r.seriesId === 'random@4')?.studies).toBe(3);
    expect(report.rows.find((r) => r.seriesId === 'random@4')?.studies).toBe(2);
    expect(md).toContain('## Parallel-4 against sequential over 3 seeds (robustness check)');
    expect(report.parity?.rows.find((r) => r.seriesId === 'random@4-async')?.studies).toBe(3);
    expect(md).toContain(
      '| function | algorithm | schedule | sequential | parallel 4 | median ratio | geo-mean ratio |',
    );
    // Both schedules are judged by default.
    expect(report.targets.map((t) => t.id)).toEqual(
      expect.arrayContaining(['tpe-parallel4-regret100', 'tpe-parallel4-async-regret100-3seeds']),
    );
  });

  it('writes a table row per sampler, with the anchors and the unregistered algorithm noted', () => {
    for (const sampler of [
      'hpo random',
      'hpo sobol',
      'hpo random (parallel 4, sync)',
      'Optuna 4.9 GPSampler [ANCHORS.md]',
    ])
      expect(md).toContain(`| branin (0.397887) | ${sampler} |`);
    expect(md).toMatch(/Not available \(not registered in builtinAlgorithms\): no-such-algorithm/);
    // Without Optuna the file's Optuna 3.1 figures stand in for the live run.
    expect(md).toContain('| branin (0.397887) | Optuna 3.1 tpe [ANCHORS.md] | 0.69 | 0.181 | 0.0163 | 0.73 s |');
    expect(report.optuna.error).toMatch(/not run/);
  });

  it('leaves regret past the budget empty and marks targets without inputs n/a', () => {
    const row = report.rows.find((r) => r.seriesId === 'random')!;
    expect(Object.keys(row.regret)).toEqual([]);
    expect(report.targets.length).toBeGreaterThan(0);
    expect(report.targets.every((t) => t.status === 'n/a')).toBe(true);
  });

  it('renders JSON without the raw series and an SVG with one panel and a legend entry per line', () => {
    const doc = JSON.parse(jsonReport(report)) as Record<string, unknown>;
    expect(doc).not.toHaveProperty('series');
    expect(Object.keys((doc.curves as Record<string, object>).branin!)).toContain('hpo sobol');
    const svg = svgReport(report);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('branin (optimum 0.397887)');
    expect(svg).toContain('>hpo sobol (parallel 4, sync)</text>');
  });
});

describe('search benchmark harness: held-out functions', () => {
  it('runs a held-out function without Optuna, labelled with its optimum', async () => {
    const report = await runSearchBenchmark({
      algorithms: ['random'],
      functions: ['camel'],
      seeds: 1,
      trials: 25,
      parallel: 1,
      optuna: false,
      long: false,
    });
    expect(report.series.find((s) => s.label === 'hpo random')?.studies.camel).toHaveLength(1);
    expect(markdownReport(report)).toContain('| camel (-1.0316284534899) | hpo random |');
  });

  it('refuses a held-out function while the Optuna side runs, which does not define it', async () => {
    await expect(runSearchBenchmark({ functions: ['rastrigin4'], seeds: 1, trials: 5, long: false })).rejects.toThrow(
      'function rastrigin4 is held out (no Optuna reference): add --no-optuna to run it',
    );
    await expect(runSearchBenchmark({ functions: ['nope'], optuna: false, long: false })).rejects.toThrow(
      'unknown function nope',
    );
  });
});
