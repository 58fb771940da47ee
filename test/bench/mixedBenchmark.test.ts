import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type MixedRow, mixedTargets, runMixedBenchmark } from '../../bench/search/mixedBenchmark.ts';
import { mixedFunctions } from '../../bench/search/mixedFunctions.ts';
import { mixedMarkdown } from '../../bench/search/mixedReport.ts';

describe('mixed-space benchmark (smoke: random and tpe, 2 seeds, 12 trials, no Optuna)', async () => {
  const report = await runMixedBenchmark({
    algorithms: ['random', 'tpe', 'no-such-algorithm'],
    seeds: 2,
    trials: 12,
    optuna: false,
  });

  it('runs every function and seed with regrets measured from the exact optimum', () => {
    expect(report.notAvailable).toEqual(['no-such-algorithm']);
    for (const fn of Object.keys(mixedFunctions)) {
      for (const id of ['random', 'tpe']) {
        const s = report.series.find((x) => x.id === id)!;
        const studies = s.studies[fn]!;
        expect(studies.map((st) => st.seed)).toEqual([0, 1]);
        for (const { curve } of studies) {
          expect(curve).toHaveLength(12);
          expect(Math.min(...curve)).toBeGreaterThanOrEqual(mixedFunctions[fn]!.optimum);
        }
      }
      const row = report.rows.find((r) => r.fn === fn && r.seriesId === 'random')!;
      const best = report.series.find((x) => x.id === 'random')!.studies[fn]!.map((st) => st.curve[11]!);
      expect(row.regret[25]).toBeUndefined();
      expect(row.studies).toBe(2);
      expect(best.every((b) => b > mixedFunctions[fn]!.optimum)).toBe(true);
    }
    const md = mixedMarkdown(report);
    expect(md).toContain('| mlp | hpo tpe | — | — | — |');
    expect(md).toContain('Optuna: not run (--no-optuna).');
  });

  it('rejects an unknown function', async () => {
    await expect(runMixedBenchmark({ functions: ['nope'], optuna: false })).rejects.toThrow(
      'unknown mixed function nope',
    );
  });
});

const q = (median: number) => ({ q25: median, median, q75: median });
const row = (seriesId: string, at100: number, at50: number): MixedRow => ({
  fn: 'mlp',
  seriesId,
  sampler: seriesId,
  source: seriesId.startsWith('optuna') ? 'optuna' : 'hpo',
  regret: { 50: q(at50), 100: q(at100) },
  wallS: 0,
  studies: 10,
});

describe('mixedTargets', () => {
  it("compares ours with the better of Optuna's two TPEs at 100 and 50 trials", () => {
    const rows = [
      row('optuna-tpe', 0.02, 0.05),
      row('optuna-tpe-multivariate', 0.01, 0.06),
      row('optuna-random', 0.001, 0.001),
      row('tpe', 0.01, 0.051),
      row('bayesianoptimization', 0.011, 0.04),
    ];
    const byName = Object.fromEntries(mixedTargets(rows, ['mlp']).map((t) => [t.description, t]));
    expect(byName["mlp: hpo tpe regret@100 ≤ Optuna's best TPE"]).toMatchObject({
      status: 'pass',
      detail: '0.01 vs 0.01 (optuna-tpe-multivariate)',
    });
    expect(byName["mlp: hpo bayesianoptimization regret@100 ≤ Optuna's best TPE"]?.status).toBe('fail');
    expect(byName["mlp: hpo tpe regret@50 ≤ Optuna's best TPE"]).toMatchObject({
      status: 'fail',
      detail: '0.051 vs 0.05 (optuna-tpe)',
    });
    expect(byName["mlp: hpo bayesianoptimization regret@50 ≤ Optuna's best TPE"]?.status).toBe('pass');
  });

  it('is n/a when a side did not run', () => {
    const targets = mixedTargets([row('tpe', 0.01, 0.02)], ['mlp']);
    expect(targets.map((t) => `${t.status} ${t.detail}`)).toEqual([
      'n/a hpo bayesianoptimization not run',
      'n/a no Optuna TPE',
      'n/a hpo bayesianoptimization not run',
      'n/a no Optuna TPE',
    ]);
  });
});

describe('mixedEval.ts (the objective side of optuna_mixed.py)', () => {
  it('sends the spaces, then answers each evaluation line, errors included', async () => {
    const script = fileURLToPath(new URL('../../bench/search/mixedEval.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, 'mlp,pipeline'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const mlp = mixedFunctions.mlp!;
    child.stdin.write(`${JSON.stringify({ fn: 'mlp', params: mlp.argmin })}\n`);
    child.stdin.write(`${JSON.stringify({ fn: 'mlp', params: { ...mlp.argmin, optimizer: 'lbfgs' } })}\n`);
    child.stdin.end(`${JSON.stringify({ fn: 'nope', params: {} })}\n`);
    let out = '';
    for await (const chunk of child.stdout) out += String(chunk);
    const [spaces, value, badCategory, unknown] = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(Object.keys(spaces.spaces)).toEqual(['mlp', 'pipeline']);
    expect(spaces.spaces.mlp).toEqual(JSON.parse(JSON.stringify(mlp.space)));
    expect(value).toEqual({ value: mlp.optimum });
    expect(badCategory.error).toMatch(/optimizer should be one of/);
    expect(unknown).toEqual({ error: 'unknown mixed function nope' });
  });
});
