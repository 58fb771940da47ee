// `npm run bench:nas:darts`: the DARTS target of the NAS benchmark. Per seed: the DARTS search of
// examples/nas/darts-digits (darts_digits.py with the three parameters `darts` hands its trial for experiment.yaml,
// as `hpo run` would run it), its final Best-Genotype retrained from scratch (train_genotype.py), and `random`
// genotypes drawn uniformly from the same DARTS space, retrained the same way (same epochs, same seed). Everything
// runs one program at a time on one thread, so wall times compare. Writes bench/results/nasDarts.{json,md,svg}.
// Options: [seeds=5] [retrainEpochs=10] [random=10]
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dartsTrialParameters } from '../../src/search/nas/darts.ts';
import { configOf } from '../../src/spec/config.ts';
import { loadExperimentFile } from '../../src/spec/load.ts';
import { judgeSeed, lastNumber, lastValue, median, runPython, type SeedRun } from './darts.ts';
import { dartsPlotSvg } from './dartsPlot.ts';

const seedCount = Number(process.argv[2] ?? 5);
const retrainEpochs = Number(process.argv[3] ?? 10);
const randomCount = Number(process.argv[4] ?? 10);
if (![seedCount, retrainEpochs, randomCount].every((n) => Number.isInteger(n) && n >= 1) || randomCount < 10) {
  process.stderr.write('usage: bench:nas:darts [seeds ≥ 1] [retrain epochs ≥ 1] [random genotypes ≥ 10]\n');
  process.exit(2);
}
const example = fileURLToPath(new URL('../../examples/nas/darts-digits/', import.meta.url));
const config = configOf(loadExperimentFile(`${example}experiment.yaml`)[0]!);
// The parameters exactly as the `darts` suggestion renders them into the trial's command.
const parameters = dartsTrialParameters(config.nas!, config.algorithm.settings);
const common = [
  `--algorithm-settings=${parameters['algorithm-settings']}`,
  `--search-space=${parameters['search-space']}`,
  `--num-layers=${parameters['num-layers']}`,
];
const timeoutMs = 20 * 60_000;
const started = performance.now();
const log = (line: string): void => {
  process.stderr.write(`[${Math.round((performance.now() - started) / 1000)} s] ${line}\n`);
};

async function retrain(
  seed: number,
  which: string[],
): Promise<{ genotype: string; accuracy: number; seconds: number }> {
  const r = await runPython(
    [`${example}train_genotype.py`, ...which, ...common, `--epochs=${retrainEpochs}`, `--seed=${seed}`],
    timeoutMs,
  );
  return {
    genotype: lastValue(r.stdout, 'Genotype'),
    accuracy: lastNumber(r.stdout, 'Validation-Accuracy'),
    seconds: r.seconds,
  };
}

const runs: SeedRun[] = [];
for (let seed = 1; seed <= seedCount; seed++) {
  const search = await runPython([`${example}darts_digits.py`, ...common, `--seed=${seed}`], timeoutMs);
  // Katib keeps a text metric's latest value: the genotype derived after the last epoch is the search's result.
  const genotype = lastValue(search.stdout, 'Best-Genotype');
  const derived = await retrain(seed, [`--genotype=${genotype}`]);
  log(
    `seed ${seed}: search ${search.seconds.toFixed(1)} s, derived ${derived.accuracy} (${derived.seconds.toFixed(1)} s)`,
  );
  const random = [];
  for (let k = 0; k < randomCount; k++) {
    // Random genotype k of seed s is drawn with Python's Random(1000 s + k): disjoint draws across seeds.
    random.push(await retrain(seed, [`--random-genotype=${1000 * seed + k}`]));
  }
  log(`seed ${seed}: random ${random.map((r) => r.accuracy).join(' ')}`);
  runs.push({
    seed,
    genotype,
    searchAccuracy: lastNumber(search.stdout, 'Validation-Accuracy'),
    searchSeconds: search.seconds,
    derivedAccuracy: derived.accuracy,
    retrainSeconds: derived.seconds,
    random,
  });
}

const verdicts = runs.map(judgeSeed);
const margins = verdicts.map((v) => v.margin);
const allRandom = runs.flatMap((r) => r.random.map((x) => x.accuracy));
// Over seeds: the accuracy target on the median seed (the derived genotype's margin over its seed's random median),
// the time target on every seed (wall time is far less noisy than a 450-image accuracy).
const accuracyPass = median(margins) >= 0;
const timePass = verdicts.every((v) => v.timePass);
const r4 = (x: number): number => Number(x.toFixed(4));
const r1 = (x: number): number => Number(x.toFixed(1));
const report = {
  command: `npm run bench:nas:darts -- ${seedCount} ${retrainEpochs} ${randomCount}`,
  example: 'examples/nas/darts-digits/experiment.yaml',
  trialParameters: parameters,
  retrainEpochs,
  randomPerSeed: randomCount,
  seeds: runs.map((r) => ({ ...r, verdict: judgeSeed(r) })),
  summary: {
    medianDerivedAccuracy: r4(median(verdicts.map((v) => v.derivedAccuracy))),
    medianOfRandomMedians: r4(median(verdicts.map((v) => v.randomMedian))),
    medianRandomAccuracyAllSeeds: r4(median(allRandom)),
    medianMargin: r4(median(margins)),
    seedsMeetingAccuracy: verdicts.filter((v) => v.accuracyPass).length,
    medianDartsSeconds: r1(median(verdicts.map((v) => v.dartsSeconds))),
    medianTenRandomSeconds: r1(median(verdicts.map((v) => v.tenRandomSeconds))),
    accuracyPass,
    timePass,
  },
  seconds: Math.round((performance.now() - started) / 1000),
  node: process.version,
};

const dir = fileURLToPath(new URL('../results/', import.meta.url));
writeFileSync(`${dir}nasDarts.json`, `${JSON.stringify(report, null, 2)}\n`);
const s = report.summary;
const verdict = (ok: boolean): string => (ok ? '**PASS**' : '**FAIL**');
const md = [
  '# DARTS on digits: the derived genotype retrained against random genotypes',
  '',
  `Generated by \`${report.command}\` (${report.seconds} s). Search: \`examples/nas/darts-digits/darts_digits.py\` ` +
    `with the \`darts\` trial parameters of \`${report.example}\` (${parameters['algorithm-settings']}, ` +
    `${parameters['num-layers']} cells). Retraining: \`train_genotype.py\`, ${retrainEpochs} epochs from scratch, ` +
    `the same seed for the derived and the ${randomCount} random genotypes of each seed; accuracy on the ` +
    'held-out 25% of digits (450 images). Wall times are whole program runs (Python start included), one thread.',
  '',
  '| target | result | verdict |',
  '|---|---|---|',
  `| derived genotype's accuracy ≥ median of random genotypes (median seed) | margin ${s.medianMargin} ` +
    `(derived ${s.medianDerivedAccuracy} vs ${s.medianOfRandomMedians}; met on ${s.seedsMeetingAccuracy}/${runs.length} seeds) | ${verdict(accuracyPass)} |`,
  `| DARTS search + retraining faster than training 10 random genotypes (every seed) | ${s.medianDartsSeconds} s vs ` +
    `${s.medianTenRandomSeconds} s (medians) | ${verdict(timePass)} |`,
  '',
  '| seed | derived accuracy | random median | derived ≥ random (of ' +
    `${randomCount}) | search + retrain s | 10 random s | accuracy | time |`,
  '|---|---|---|---|---|---|---|---|',
  ...verdicts.map(
    (v) =>
      `| ${v.seed} | ${v.derivedAccuracy} | ${r4(v.randomMedian)} | ${v.rank} | ${r1(v.dartsSeconds)} | ` +
      `${r1(v.tenRandomSeconds)} | ${v.accuracyPass ? 'PASS' : 'FAIL'} | ${v.timePass ? 'PASS' : 'FAIL'} |`,
  ),
  '',
  '## Derived genotypes',
  '',
  ...runs.map((r) => `- seed ${r.seed} (supernet ${r.searchAccuracy}): \`${r.genotype}\``),
  '',
];
writeFileSync(`${dir}nasDarts.md`, md.join('\n'));
writeFileSync(`${dir}nasDarts.svg`, await dartsPlotSvg(report));
log(`accuracy ${accuracyPass ? 'PASS' : 'FAIL'}, time ${timePass ? 'PASS' : 'FAIL'}; wrote bench/results/nasDarts.*`);
