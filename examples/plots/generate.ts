// Regenerates the plots the README shows (docs/plots/): runs the quickstart example (a real local-process
// experiment, seeded, so the same trials every time) into a temporary store, and the same experiment with
// Katib's median-stop rule (for learning curves with early-stopped trials), and the multiobjective example (a
// random forest's accuracy against its latency, for the Pareto front), then draws them with `hpo plot`.
// Run: npm run plots:examples
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const hpo = (...args: string[]): void => {
  execFileSync(process.execPath, [join(repo, 'bin', 'hpo.js'), ...args], { stdio: 'inherit', cwd: repo });
};
const tmp = mkdtempSync(join(tmpdir(), 'hpo-plots-'));
const store = join(tmp, 'store');
const out = (name: string): string => join('docs', 'plots', `${name}.svg`);
try {
  const quickstart = join(repo, 'examples', 'quickstart');
  hpo('run', join(quickstart, 'experiment.yaml'), '--store', store, '-q');
  for (const kind of ['history', 'parallel', 'importance']) {
    hpo('plot', 'quickstart', '--store', store, '--kind', kind, '--out', out(`quickstart-${kind}`));
  }
  // One trial at a time, so the median-stop rule compares each trial with the finished ones. Where a trial stops
  // can differ by a step between runs: the stop races the trial's next printed epoch.
  const medianstop = readFileSync(join(quickstart, 'experiment.yaml'), 'utf8')
    .replace('name: quickstart', 'name: quickstart-medianstop')
    .replace('parallelTrialCount: 2', 'parallelTrialCount: 1')
    .replace('$(HPO_EXPERIMENT_DIR)/train.mjs', join(quickstart, 'train.mjs'))
    .replace(
      '  parameters:\n',
      '  earlyStopping:\n    algorithmName: medianstop\n    algorithmSettings:\n      - {name: min_trials_required, value: "2"}\n      - {name: start_step, value: "3"}\n  parameters:\n',
    );
  writeFileSync(join(tmp, 'medianstop.yaml'), medianstop);
  hpo('run', join(tmp, 'medianstop.yaml'), '--store', store, '-q');
  hpo(
    'plot',
    'quickstart-medianstop',
    '--store',
    store,
    '--kind',
    'curves',
    '--out',
    out('quickstart-medianstop-curves'),
  );
  // Latency is measured, so the front can differ a little between runs; the seeded search tries the same forests.
  hpo('run', join(repo, 'examples', 'multiobjective', 'experiment.yaml'), '--store', store, '-q');
  hpo('plot', 'forest-tradeoff', '--store', store, '--kind', 'pareto', '--out', out('forest-tradeoff-pareto'));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
