// `hpo run` and `hpo validate` of the constraints example through a pipe, as a shell user runs them: every trial is
// feasible, the derived objective is computed from the trial's stdout metrics, and hostile expressions are exit 2.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hpoBin } from '../cliRunner.ts';
import { tempDir } from '../helpers.ts';

const example = new URL('../../examples/constraints/experiment.yaml', import.meta.url).pathname;

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => tmp.cleanup());

/** `hpo ARGS | cat`: stdout through a real pipe, hpo's exit status kept. */
function piped(args: readonly string[]): { status: number; stdout: string; stderr: string } {
  const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;
  const line = `${quote(process.execPath)} ${quote(hpoBin)} ${args.map(quote).join(' ')} | cat; exit \${PIPESTATUS[0]}`;
  const r = spawnSync('bash', ['-c', line], { encoding: 'utf8', timeout: 240_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

interface RunTrial {
  state: string;
  parameters: Record<string, number>;
  objective?: number;
  metrics: { name: string; latest?: string }[];
}

describe('hpo with parameter constraints and a derived objective', () => {
  it('`hpo run examples/constraints/experiment.yaml -o json | …` issues only feasible trials and scores them', () => {
    const r = piped(['run', example, '--store', join(tmp.dir, 'store'), '-o', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { status: string; trials: RunTrial[]; bestTrial: { objective: number } };
    expect(doc.status).toBe('Succeeded');
    expect(doc.trials).toHaveLength(14);
    for (const t of doc.trials) {
      // train.mjs exits 3 on infeasible weights, so a violation would also show as a Failed trial.
      expect(t.state).toBe('Succeeded');
      expect(t.parameters.x0! + t.parameters.x1!).toBeLessThanOrEqual(1);
      const metric = (name: string) => Number(t.metrics.find((m) => m.name === name)?.latest);
      expect(t.objective).toBeCloseTo(metric('accuracy') - 0.01 * metric('latency_ms'), 9);
      expect(metric('score')).toBe(t.objective);
    }
    expect(doc.bestTrial.objective).toBe(Math.max(...doc.trials.map((t) => t.objective!)));
  }, 240_000);

  it('`hpo validate` refuses hostile expressions with exit 2, naming the field and the token', () => {
    const bad = join(tmp.dir, 'bad.yaml');
    writeFileSync(
      bad,
      readFileSync(example, 'utf8')
        .replace('expression: x0 + x1 <= 1', 'expression: "import({}) or x0 + x3 <= 1"')
        .replace('expression: accuracy - 0.01 * latency_ms', 'expression: accuracy - latency_ms; x = 1'),
    );
    const r = piped(['validate', bad]);
    expect(r.status).toBe(2);
    const out = r.stdout + r.stderr;
    expect(out).toContain("spec.parameterConstraints[0].expression: the function 'import' is not allowed");
    expect(out).toContain('spec.objective.derivedMetrics[0].expression: several statements');
  });
});
