import { describe, expect, it } from 'vitest';
import { judgeSeed, lastNumber, lastValue, median, runPython, type SeedRun } from '../../bench/nas/darts.ts';

const searchOutput = [
  'epoch 1/2',
  'Validation-Accuracy=0.500000',
  "Best-Genotype=Genotype(normal=[[('skip_connection', 0)]], normal_concat=range(2, 3), reduce=[], reduce_concat=range(2, 3))",
  'epoch 2/2',
  'Validation-Accuracy=0.812345',
  "Best-Genotype=Genotype(normal=[[('max_pooling_3x3', 1)]], normal_concat=range(2, 3), reduce=[], reduce_concat=range(2, 3))",
  '',
].join('\n');

/** A seed run with the given derived accuracy and times, against random genotypes of the given accuracies. */
function seedRun(derived: number, random: number[], searchSeconds = 10, randomSeconds = 2): SeedRun {
  return {
    seed: 1,
    genotype: 'Genotype(...)',
    searchAccuracy: 0.8,
    searchSeconds,
    derivedAccuracy: derived,
    retrainSeconds: randomSeconds,
    random: random.map((accuracy, k) => ({ genotype: `g${k}`, accuracy, seconds: randomSeconds })),
  };
}

describe('DARTS benchmark: reading the programs', () => {
  it('takes the last value of a metric, as a StdOut collector keeps the latest', () => {
    expect(lastValue(searchOutput, 'Best-Genotype')).toBe(
      "Genotype(normal=[[('max_pooling_3x3', 1)]], normal_concat=range(2, 3), reduce=[], reduce_concat=range(2, 3))",
    );
    expect(lastNumber(searchOutput, 'Validation-Accuracy')).toBe(0.812345);
  });

  it('refuses output without the metric or with a value that is not a number', () => {
    expect(() => lastValue(searchOutput, 'Genotype')).toThrow('no Genotype= line');
    expect(() => lastNumber('Validation-Accuracy=nan\n', 'Validation-Accuracy')).toThrow('is not a number');
    expect(() => lastNumber('Validation-Accuracy=\n', 'Validation-Accuracy')).toThrow('is not a number');
  });

  it('runs a Python program and times it; a failing one rejects with its stderr', async () => {
    const ok = await runPython(['-c', 'print("Validation-Accuracy=0.5")'], 30_000);
    expect(lastNumber(ok.stdout, 'Validation-Accuracy')).toBe(0.5);
    expect(ok.seconds).toBeGreaterThan(0);
    await expect(runPython(['-c', 'import sys; sys.exit("bad genotype")'], 30_000)).rejects.toThrow(
      /ended with 1: bad genotype/,
    );
  }, 60_000);
});

describe('DARTS benchmark: judging a seed', () => {
  it.each([
    [[1, 2, 3], 2],
    [[4, 1, 3, 2], 2.5],
    [[0.97], 0.97],
  ])('median of %j is %d', (values, expected) => {
    expect(median(values)).toBe(expected);
  });

  it('meets the accuracy target at the random median exactly, and misses it just below', () => {
    const random = [0.9, 0.95, 0.96, 0.97, 0.98, 0.91, 0.92, 0.93, 0.94, 0.99];
    const at = judgeSeed(seedRun(0.945, random));
    expect(at.randomMedian).toBeCloseTo(0.945, 12);
    expect(at.accuracyPass).toBe(true);
    expect(at.rank).toBe('5/10');
    const below = judgeSeed(seedRun(0.944, random));
    expect(below.accuracyPass).toBe(false);
    expect(below.margin).toBeCloseTo(-0.001, 12);
  });

  it('compares search + retraining with the first 10 random trainings only', () => {
    const random = Array.from({ length: 12 }, () => 0.9);
    // 10 random trainings of 2 s = 20 s (the 11th and 12th do not count); DARTS 17 + 2 = 19 s.
    const fast = judgeSeed(seedRun(0.9, random, 17, 2));
    expect(fast.tenRandomSeconds).toBe(20);
    expect(fast.dartsSeconds).toBe(19);
    expect(fast.timePass).toBe(true);
    // Equal times are not "less wall time".
    expect(judgeSeed(seedRun(0.9, random, 18, 2)).timePass).toBe(false);
  });
});
