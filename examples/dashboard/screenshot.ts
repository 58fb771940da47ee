// Regenerates the dashboard screenshots the README shows (docs/dashboard*.png): runs the quickstart example (a real
// local-process experiment, seeded) into a temporary store, serves it with `hpo ui`, and photographs the experiment
// page and a trial page in headless Chromium (Debian's /usr/bin/chromium, see `npm run setup`).
// Run: npm run dashboard:screenshot
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const hpo = join(repo, 'bin', 'hpo.js');
const tmp = mkdtempSync(join(tmpdir(), 'hpo-dashboard-'));
const store = join(tmp, 'store');
const server = { kill: (): void => {} };
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
try {
  execFileSync(
    process.execPath,
    [hpo, 'run', join(repo, 'examples', 'quickstart', 'experiment.yaml'), '--store', store, '-q'],
    {
      stdio: 'inherit',
    },
  );
  const child = spawn(process.execPath, [hpo, 'ui', '--store', store, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  server.kill = () => child.kill('SIGTERM');
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`hpo ui exited with ${code}: ${out}`)));
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${url}#/e/default/quickstart`);
  await page.waitForSelector('#chart[data-drawn="history"]');
  await page.screenshot({ path: join(repo, 'docs', 'dashboard.png'), fullPage: true });
  const best = (await page.textContent('#best'))!.split(':')[0]!;
  await page.goto(`${url}#/e/default/quickstart/t/${encodeURIComponent(best)}`);
  await page.waitForSelector('#log[data-ended]');
  await page.screenshot({ path: join(repo, 'docs', 'dashboard-trial.png'), fullPage: true });
} finally {
  await browser.close();
  server.kill();
  rmSync(tmp, { recursive: true, force: true });
}
