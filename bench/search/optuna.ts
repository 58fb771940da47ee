/**
 * The Optuna side of the benchmark: runs `shared/bench/optuna_reference.py` with the system Python (Debian's
 * python3-optuna, 3.1) on the same functions, budget and seeds, concurrently with our side.
 */
import { spawn, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** One Optuna study as the reference script prints it. */
export interface OptunaStudy {
  readonly seed: number;
  readonly wall_s: number;
  readonly best_curve: number[];
}

/** The reference run: per function and sampler its studies, or why there are none. */
export interface OptunaOutcome {
  readonly version?: string;
  readonly results: Record<string, Record<string, OptunaStudy[]>>;
  readonly error?: string;
  readonly seconds: number;
}

/** What to run: the script's folder, the interpreter, and the same filters the script's argparse takes. */
export interface OptunaOptions {
  readonly sharedBench: string;
  readonly python?: string;
  readonly trials: number;
  readonly seeds: number;
  readonly functions: readonly string[];
  readonly samplers: readonly string[];
  /** Another script taking the reference's arguments and printing its JSON (default `optuna_reference.py`). */
  readonly script?: string;
}

/** The samplers `optuna_reference.py` knows. */
export const optunaSamplers: readonly string[] = ['random', 'tpe', 'tpe-multivariate', 'cmaes', 'qmc-sobol'];

// One thread each: the machine has two cores and our side runs next to it.
const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };

/** Runs the reference script; never rejects, a missing Optuna or a failing script is reported in `error`. */
export async function runOptunaReference(o: OptunaOptions): Promise<OptunaOutcome> {
  const python = o.python ?? '/usr/bin/python3';
  const start = performance.now();
  const seconds = (): number => (performance.now() - start) / 1000;
  const probe = spawnSync(python, ['-c', 'import optuna; print(optuna.__version__)'], { encoding: 'utf8', env });
  if (probe.error || probe.status !== 0) {
    const why = probe.error?.message ?? probe.stderr.trim().split('\n').pop() ?? `exit ${probe.status}`;
    return {
      results: {},
      error: `\`import optuna\` failed with ${python} (${why}); continuing without Optuna`,
      seconds: seconds(),
    };
  }
  const args = [
    o.script ?? `${o.sharedBench}/optuna_reference.py`,
    '--trials',
    String(o.trials),
    '--seeds',
    String(o.seeds),
    '--functions',
    o.functions.join(','),
    '--samplers',
    o.samplers.join(','),
  ];
  const child = spawn(python, args, { cwd: o.sharedBench, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  const code = await new Promise<number | null>((resolve) => {
    child.on('error', () => resolve(-1));
    child.on('close', resolve);
  });
  if (code !== 0) {
    const tail = Buffer.concat(err).toString('utf8').trim().split('\n').slice(-3).join(' / ');
    return { results: {}, error: `${o.script ?? 'optuna_reference.py'} exited ${code}: ${tail}`, seconds: seconds() };
  }
  try {
    const doc = JSON.parse(Buffer.concat(out).toString('utf8')) as {
      optuna: string;
      results: Record<string, { samplers: Record<string, OptunaStudy[]> }>;
    };
    const results: Record<string, Record<string, OptunaStudy[]>> = {};
    for (const [fn, r] of Object.entries(doc.results)) results[fn] = r.samplers;
    return { version: doc.optuna, results, seconds: seconds() };
  } catch (e) {
    return { results: {}, error: `could not read optuna_reference.py's output: ${String(e)}`, seconds: seconds() };
  }
}
