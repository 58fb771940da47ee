// The dashboard with a 10,000-trial experiment: the JSON API's answer time for a sorted page of trials, the first
// page and history plot drawn in headless Chromium, and the server's memory. The server is `hpo ui` in its own
// process (from dist/ when built, as `npm run bench` builds first), so its RSS is its own.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { openStore } from '../src/store/open.ts';
import { writeLargeExperiment } from '../test/ui/fixture.ts';

const hpo = fileURLToPath(new URL('../bin/hpo.js', import.meta.url));

/** The peak resident memory of a process (VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'));
  return Number(line?.split(/\s+/)[1] ?? Number.NaN) / 1024;
}

function startServer(store: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [hpo, 'ui', '--store', store, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /at (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.once('exit', (code) => reject(new Error(`hpo ui exited with ${code} before listening: ${out}`)));
  });
}

async function timed(url: string): Promise<number> {
  const t = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return performance.now() - t;
}

/** Runs the dashboard benchmark; targets: API < 200 ms, page + history plot < 1.5 s, server < 200 MB. */
export async function benchUi(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'hpo-bench-ui-'));
  let server: ChildProcess | undefined;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
  try {
    const writer = openStore(dir);
    try {
      await writeLargeExperiment(writer, 'big', 10_000);
    } finally {
      await writer.close();
    }
    const started = await startServer(dir);
    server = started.child;
    const trials = `${started.url}api/experiments/default/big/trials?sort=objective&order=desc&limit=100`;
    const apiColdMs = await timed(trials);
    const warm: number[] = [];
    for (const sort of ['objective', 'param:x', 'metric:loss', 'name', 'objective']) {
      warm.push(await timed(trials.replace('sort=objective', `sort=${sort}`)));
    }
    warm.sort((a, b) => a - b);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // The browser is warmed on the experiment list, so the figure is the experiment page, not Chromium's start.
    await page.goto(started.url);
    await page.waitForSelector('#experiments');
    const t = performance.now();
    await page.goto(`${started.url}#/e/default/big`);
    await page.waitForSelector('#trials tbody tr');
    const tableMs = performance.now() - t;
    await page.waitForSelector('#chart[data-drawn="history"]', { timeout: 60_000 });
    const pageAndHistoryMs = performance.now() - t;
    return {
      apiColdMs,
      apiMedianMs: warm[2]!,
      tableMs,
      pageAndHistoryMs,
      serverPeakRssMb: peakRssMb(server.pid!),
    };
  } finally {
    await browser.close();
    server?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}
