import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type MfReport, runMfBenchmark } from '../../bench/multifidelity/benchmark.ts';
import { maxBudget, mfFunctions } from '../../bench/multifidelity/functions.ts';
import { jsonReport, markdownReport, svgReport } from '../../bench/multifidelity/report.ts';
import { testFunctions } from '../../bench/search/functions.ts';
import { builtinAlgorithms } from '../../src/search/index.ts';

// shared/ sits next to the repository (/work/main → /work/shared).
const shared = fileURLToPath(new URL('../../../shared/bench/', import.meta.url));
const script = `${shared}multifidelity.py`;

/** The value `multifidelity.py` prints for a budget and point (`value=<repr>`). */
function python(name: string, budget: number, x: readonly number[]): number {
  const out = execFileSync('/usr/bin/python3', [script, name, String(budget), ...x.map(String)], { encoding: 'utf8' });
  const m = /value=(\S+)/.exec(out);
  if (!m) throw new Error(`unexpected output: ${out}`);
  return Number(m[1]);
}

// Per function: the lowest, a middle, a non-integer and the full budget, at a minimiser and an arbitrary point.
const cases: [string, number, number[]][] = [
  ['branin_mf', 1, [Math.PI, 2.275]],
  ['branin_mf', 27, [1.234, 7.89]],
  ['branin_mf', 40.5, [-5, 15]],
  ['branin_mf', 81, [9.42478, 2.475]],
  ['hartmann6_mf', 1, [0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573]],
  ['hartmann6_mf', 9, [0.9, 0.1, 0.3, 0.7, 0.05, 0.5]],
  ['hartmann6_mf', 81, [0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573]],
];

describe('multi-fidelity functions match shared/bench/multifidelity.py', () => {
  it.each(cases)('%s at budget %d, %j', (name, budget, x) => {
    const ours = mfFunctions[name]!.at(budget, x);
    const theirs = python(name, budget, x);
    expect(Math.abs(ours - theirs)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(theirs)));
  });

  it('has the bounds and optimum multifidelity.py lists', () => {
    const listing = execFileSync(
      '/usr/bin/python3',
      ['-c', 'import json, multifidelity as m; print(json.dumps({k: [v[0], v[1]] for k, v in m.FUNCTIONS.items()}))'],
      { encoding: 'utf8', cwd: shared },
    );
    const theirs = JSON.parse(listing) as Record<string, [number[][], number]>;
    const ours = Object.fromEntries(
      Object.values(mfFunctions).map((f) => [f.name, [f.bounds.map((b) => [...b]), f.optimum]]),
    );
    expect(ours).toEqual(theirs);
  });

  it('is the full-fidelity function at budget 81 and a different one below', () => {
    const x = [0.9, 0.1, 0.3, 0.7, 0.05, 0.5];
    expect(mfFunctions.hartmann6_mf!.f(x)).toBe(testFunctions.hartmann6!.f(x));
    expect(mfFunctions.branin_mf!.at(maxBudget, [1, 2])).toBe(testFunctions.branin!.f([1, 2]));
    expect(mfFunctions.branin_mf!.at(1, [1, 2])).not.toBe(testFunctions.branin!.f([1, 2]));
  });

  it.each([0, 0.5, 82, Number.NaN])('rejects budget %s as multifidelity.py does', (budget) => {
    expect(() => mfFunctions.branin_mf!.at(budget, [1, 2])).toThrow(RangeError);
  });
});

describe('multi-fidelity benchmark smoke run', () => {
  const cap = 81 * 12;
  let report: MfReport;
  let md: string;
  beforeAll(async () => {
    report = await runMfBenchmark({ seeds: 2, cap });
    md = markdownReport(report);
  });

  it('has a non-increasing median curve within the cap for every method that ran', () => {
    const ran = report.functions.flatMap((f) => f.methods).filter((m) => m.status === 'ok');
    expect(ran.map((m) => m.method)).toEqual(expect.arrayContaining(['random', 'asha']));
    for (const m of ran) {
      expect(m.curve.length).toBeGreaterThan(0);
      for (let i = 1; i < m.curve.length; i++) {
        expect(m.curve[i]![0]).toBeGreaterThan(m.curve[i - 1]![0]);
        expect(m.curve[i]![1]).toBeLessThanOrEqual(m.curve[i - 1]![1]);
      }
      expect(m.curve.at(-1)![0]).toBe(cap);
      for (const t of m.traces) expect(t.spent).toBeLessThanOrEqual(cap);
    }
  });

  it('has a row per method and function, unregistered methods marked not available', () => {
    for (const fn of ['branin_mf', 'hartmann6_mf']) expect(md).toContain(`## ${fn} (optimum`);
    for (const method of ['random', 'hyperband', 'bohb', 'asha']) {
      const rows = md.split('\n').filter((l) => l.startsWith(`| ${method} |`));
      expect(rows).toHaveLength(2);
      const registered = Object.hasOwn(builtinAlgorithms, method);
      for (const row of rows) expect(row.includes('not available')).toBe(!registered);
      const statuses = report.functions.map((f) => f.methods.find((m) => m.method === method)?.status);
      expect(statuses).toEqual([registered ? 'ok' : 'not available', registered ? 'ok' : 'not available']);
    }
    expect(md).toContain('## Targets (issue #4)');
    expect(report.targets.map((t) => t.method)).toEqual(['bohb', 'hyperband', 'asha']);
  });

  it('writes JSON without the traces and an SVG with one line per method and panel', () => {
    const doc = JSON.parse(jsonReport(report)) as { functions: { methods: Record<string, unknown>[] }[] };
    const random = doc.functions[0]!.methods.find((m) => m.method === 'random')!;
    expect(random).not.toHaveProperty('traces');
    expect(random.medianCurve).toBeInstanceOf(Array);
    const svg = svgReport(report);
    const ran = report.functions.flatMap((f) => f.methods).filter((m) => m.status === 'ok');
    expect(svg.match(/<polyline/g)).toHaveLength(ran.length);
  });
});
