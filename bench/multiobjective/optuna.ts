/**
 * The Optuna side of the multi-objective benchmark: runs `optuna_multiobjective.py` with the system Python
 * (Debian's python3-optuna 3.1) as a child process, next to our side, writing its JSON to a temporary file.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Optuna's studies: problem → sampler → per seed the objective vectors of every trial and the study's wall time. */
export interface OptunaRuns {
  readonly version?: string;
  readonly results: Record<string, Record<string, { seed: number; wall_s: number; values: number[][] }[]>>;
  readonly error?: string;
}

/** The samplers the script knows (Optuna 3.1 defaults: NSGAIISampler, TPESampler, RandomSampler). */
export const optunaSamplers: readonly string[] = ['nsga2', 'tpe', 'random'];

const script = fileURLToPath(new URL('./optuna_multiobjective.py', import.meta.url));
// One thread each: the machine has two cores and our side runs next to it.
const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };

/** What the reference studies run: the same budget as ours, less where `limits` says (slow samplers). */
export interface OptunaOptions {
  readonly python?: string;
  readonly trials: number;
  readonly seeds: number;
  readonly problems: readonly string[];
  readonly samplers: readonly string[];
  /** `SAMPLER[@PROBLEM]=TRIALSxSEEDS` entries, passed to the script's `--limits`. */
  readonly limits: readonly string[];
}

/**
 * Runs each sampler in its own Python process (they are independent, and the slowest, TPE, would otherwise hold
 * the others up), all next to our side, and merges the results. Never rejects: errors land in `error`.
 */
export async function runOptuna(o: OptunaOptions): Promise<OptunaRuns> {
  const runs = await Promise.all(o.samplers.map((sampler) => runOptunaProcess({ ...o, samplers: [sampler] })));
  const results: OptunaRuns['results'] = {};
  for (const r of runs)
    for (const [problem, bySampler] of Object.entries(r.results))
      results[problem] = { ...results[problem], ...bySampler };
  const errors = runs.flatMap((r) => (r.error === undefined ? [] : [r.error]));
  const version = runs.find((r) => r.version !== undefined)?.version;
  return {
    results,
    ...(version === undefined ? {} : { version }),
    ...(errors.length === 0 ? {} : { error: [...new Set(errors)].join('; ') }),
  };
}

function runOptunaProcess(o: OptunaOptions): Promise<OptunaRuns> {
  const python = o.python ?? '/usr/bin/python3';
  const probe = spawnSync(python, ['-c', 'import optuna; print(optuna.__version__)'], { encoding: 'utf8', env });
  if (probe.error || probe.status !== 0) {
    const why = probe.error?.message ?? probe.stderr.trim().split('\n').pop() ?? `exit ${probe.status}`;
    return Promise.resolve({
      results: {},
      error: `\`import optuna\` failed with ${python} (${why}); no Optuna columns`,
    });
  }
  const dir = mkdtempSync(join(tmpdir(), 'hpo-bench-mo-'));
  const out = join(dir, 'optuna.json');
  const args = [script, '--trials', String(o.trials), '--seeds', String(o.seeds)];
  args.push('--problems', o.problems.join(','), '--samplers', o.samplers.join(','), '--out', out);
  if (o.limits.length > 0) args.push('--limits', o.limits.join(','));
  return new Promise((resolve) => {
    const child = spawn(python, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.on('close', (code) => {
      try {
        if (code !== 0) throw new Error(`exit ${code}: ${stderr.trim().split('\n').pop() ?? ''}`);
        const parsed = JSON.parse(readFileSync(out, 'utf8')) as { optuna: string; results: OptunaRuns['results'] };
        resolve({ version: parsed.optuna, results: parsed.results });
      } catch (e) {
        resolve({ results: {}, error: `the Optuna script failed: ${(e as Error).message}` });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
