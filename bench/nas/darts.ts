// The DARTS benchmark's pieces (run by dartsRun.ts, `npm run bench:nas:darts`): running one Python program and
// timing it, reading the lines it prints (Katib's Best-Genotype, Validation-Accuracy), and judging one seed against
// the target. Kept apart from the runner so test/bench/nasDarts.test.ts can drive them on small inputs.
import { spawn } from 'node:child_process';

/** What one program run printed and how long it took from spawn to exit (wall time, Python's start included). */
export interface ProgramRun {
  readonly stdout: string;
  readonly seconds: number;
}

/**
 * Runs `/usr/bin/python3 args…` on one thread (OMP_NUM_THREADS=1, as the trial template sets it) and resolves
 * with its output and wall time; rejects with its stderr when it exits non-zero or outlives `timeoutMs`.
 */
export function runPython(args: readonly string[], timeoutMs: number): Promise<ProgramRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', args, {
      env: { ...process.env, OMP_NUM_THREADS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const seconds = (performance.now() - started) / 1000;
      if (code === 0) resolve({ stdout, seconds });
      else reject(new Error(`python3 ${args[0]} ended with ${code ?? signal}: ${stderr.trim().slice(-2000)}`));
    });
  });
}

/** The value of the last `NAME=value` line of `stdout` (as a StdOut collector keeps the latest); throws if none. */
export function lastValue(stdout: string, name: string): string {
  const prefix = `${name}=`;
  const line = stdout
    .split('\n')
    .map((l) => l.trim())
    .findLast((l) => l.startsWith(prefix));
  if (line === undefined) throw new Error(`no ${name}= line in the program's output`);
  return line.slice(prefix.length);
}

/** The last `NAME=number` of `stdout`; throws when it is not a finite number. */
export function lastNumber(stdout: string, name: string): number {
  const text = lastValue(stdout, name);
  const value = Number(text);
  if (text === '' || !Number.isFinite(value)) throw new Error(`${name}=${text} is not a number`);
  return value;
}

/** The median (the mean of the two middle values for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One seed's measurements: the DARTS search, its genotype retrained, and the random genotypes retrained. */
export interface SeedRun {
  readonly seed: number;
  readonly genotype: string;
  readonly searchAccuracy: number;
  readonly searchSeconds: number;
  readonly derivedAccuracy: number;
  readonly retrainSeconds: number;
  readonly random: readonly { readonly genotype: string; readonly accuracy: number; readonly seconds: number }[];
}

/** One seed judged against the two targets. */
export interface SeedVerdict {
  readonly seed: number;
  readonly derivedAccuracy: number;
  readonly randomMedian: number;
  /** Derived minus the random median: ≥ 0 meets the accuracy target. */
  readonly margin: number;
  /** How many random genotypes the derived one equals or beats. */
  readonly rank: string;
  readonly dartsSeconds: number;
  readonly tenRandomSeconds: number;
  readonly accuracyPass: boolean;
  readonly timePass: boolean;
}

/**
 * The targets for one seed: the retrained derived genotype's accuracy at least the median of the random ones,
 * and search + retraining in less wall time than training the first 10 random genotypes (all of them when
 * fewer were drawn, which the runner refuses).
 */
export function judgeSeed(run: SeedRun): SeedVerdict {
  const accuracies = run.random.map((r) => r.accuracy);
  const randomMedian = median(accuracies);
  const dartsSeconds = run.searchSeconds + run.retrainSeconds;
  const tenRandomSeconds = run.random.slice(0, 10).reduce((s, r) => s + r.seconds, 0);
  return {
    seed: run.seed,
    derivedAccuracy: run.derivedAccuracy,
    randomMedian,
    margin: run.derivedAccuracy - randomMedian,
    rank: `${accuracies.filter((a) => a <= run.derivedAccuracy).length}/${accuracies.length}`,
    dartsSeconds,
    tenRandomSeconds,
    accuracyPass: run.derivedAccuracy >= randomMedian,
    timePass: dartsSeconds < tenRandomSeconds,
  };
}
