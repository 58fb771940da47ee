// Regenerates the plots the README shows (docs/plots/): runs the quickstart example (a real local-process
// experiment, seeded, so the same trials every time) into a temporary store, then draws it with `hpo plot`.
// Run: npm run plots:examples
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const hpo = (...args: string[]): void => {
  execFileSync(process.execPath, [join(repo, 'bin', 'hpo.js'), ...args], { stdio: 'inherit', cwd: repo });
};
const store = mkdtempSync(join(tmpdir(), 'hpo-plots-'));
try {
  hpo('run', 'examples/quickstart/experiment.yaml', '--store', store, '-q');
  for (const kind of ['history', 'parallel', 'curves', 'importance']) {
    hpo(
      'plot',
      'quickstart',
      '--store',
      store,
      '--kind',
      kind,
      '--out',
      join('docs', 'plots', `quickstart-${kind}.svg`),
    );
  }
} finally {
  rmSync(store, { recursive: true, force: true });
}
