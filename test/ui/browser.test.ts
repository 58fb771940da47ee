// End-to-end tests of the dashboard in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core):
// everything, the store, the server, the browser and a live run, is started and stopped here.
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Experiment } from '../../src/experiment/experiment.ts';
import { openStore, openStoreForReading } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { type Dashboard, startDashboard } from '../../src/ui/index.ts';
import { tempDir } from '../helpers.ts';
import { demoExperiment, demoObjective, hostile, writeDemoStore, writeTradeoffExperiment } from './fixture.ts';

const chromiumPath = '/usr/bin/chromium';
let tmp: ReturnType<typeof tempDir>;
let store: Store;
let dashboard: Dashboard;
let browser: Browser;
let page: Page;
const dialogs: string[] = [];
const pageErrors: string[] = [];

/** Items of the vega mark named `name` in the chart the page drew last (from Vega's scenegraph, not pixels). */
function markCount(name: string): Promise<number> {
  // A string, not a function: the test transform would add helpers the page does not have.
  return page.evaluate(`(() => {
    let n = 0;
    const walk = (node) => {
      if (node.marktype && node.name === ${JSON.stringify(name)}) n += node.items.length;
      for (const i of node.items ?? []) walk(i);
    };
    walk(window.hpoView.scenegraph().root);
    return n;
  })()`) as Promise<number>;
}

/** The texts of a column of the trial table, top to bottom. */
function columnTexts(column: string): Promise<string[]> {
  return page.evaluate(`(() => {
    const head = [...document.querySelectorAll('#trials thead th')].map((th) => th.getAttribute('data-column'));
    const i = head.indexOf(${JSON.stringify(column)});
    return [...document.querySelectorAll('#trials tbody tr')].map((r) => r.children[i]?.textContent ?? '');
  })()`) as Promise<string[]>;
}

/** Waits until the element `id` has a text starting with `prefix` (page code as a string: the tests have no DOM types). */
async function waitForText(id: string, prefix: string, timeout = 10_000): Promise<void> {
  await page.waitForFunction(
    `document.getElementById(${JSON.stringify(id)})?.textContent?.startsWith(${JSON.stringify(prefix)})`,
    null,
    { timeout },
  );
}

beforeAll(async () => {
  if (!existsSync(chromiumPath)) {
    throw new Error(`the dashboard's browser tests need Debian's chromium at ${chromiumPath}: run \`npm run setup\``);
  }
  tmp = tempDir('hpo-ui-e2e-');
  await writeDemoStore(tmp.dir);
  store = openStoreForReading(tmp.dir);
  dashboard = await startDashboard({ store, pollMs: 100 });
  browser = await chromium.launch({ executablePath: chromiumPath });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
  await store?.close();
  tmp?.cleanup();
});

describe('dashboard in headless Chromium', () => {
  it('lists the experiments, showing hostile names as text', async () => {
    await page.goto(dashboard.url);
    await page.waitForSelector('#experiments');
    const names = await page.$$eval('#experiments tbody tr', (rows) =>
      rows.map((r) => r.getAttribute('data-experiment')),
    );
    expect(names.sort()).toEqual(['default/demo', `${hostile.namespace}/${hostile.name}`].sort());
    expect(await page.textContent('#experiments')).toContain(hostile.name);
    // The hostile names' markup stayed text: no element of theirs, no script ran.
    expect(await page.$$eval('main script, main b', (e) => e.length)).toBe(0);
    await page.waitForSelector('#live.on');
  });

  it('opens an experiment: summary, trial table, and a history chart with a point per trial', async () => {
    await page.click('a[href="#/e/default/demo"]');
    await page.waitForSelector('#chart[data-drawn="history"]');
    expect(await page.textContent('#counts')).toContain('12 total, 12 succeeded');
    expect(await page.textContent('#trial-count')).toBe('12 of 12 trials, showing 1–12');
    expect(await markCount('trials_marks')).toBe(12);
    await page.click('button[data-kind="parallel"]');
    await page.waitForSelector('#chart[data-drawn="parallel"]');
    await page.click('button[data-kind="rungs"]');
    await page.waitForSelector('#plot-message');
    expect(await page.textContent('#plot-message')).toContain('budget');
  });

  it('sorts, filters and chooses the columns of the trial table', async () => {
    await page.click('th[data-column="objective"]');
    await page.waitForSelector('th.sorted-asc[data-column="objective"]');
    const asc = (await columnTexts('objective')).map(Number);
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    await page.click('th[data-column="objective"]');
    await page.waitForSelector('th.sorted-desc[data-column="objective"]');
    const desc = (await columnTexts('objective')).map(Number);
    expect(desc).toEqual([...asc].reverse());

    const name = (await columnTexts('name'))[4]!;
    await page.fill('#name-filter', name);
    await page.press('#name-filter', 'Enter');
    await waitForText('trial-count', '1 of 12');
    expect(await columnTexts('name')).toEqual([name]);
    await page.fill('#name-filter', '');
    await page.press('#name-filter', 'Enter');
    await page.selectOption('#state-filter', 'Failed');
    await waitForText('trial-count', '0 of 12');
    await page.selectOption('#state-filter', '');
    await waitForText('trial-count', '12 of 12');

    await page.click('details.columns summary');
    await page.uncheck('input[data-column="param:y"]');
    await page.waitForFunction(`!document.querySelector('#trials th[data-column="param:y"]')`);
    expect(await page.$$eval('#trials thead th', (ths) => ths.map((t) => t.textContent))).not.toContain('y');
    expect(await page.$('#trials th[data-column="param:x"]')).not.toBeNull();
  });

  it('opens a trial: parameters, metrics, observations, explanation, log', async () => {
    const name = (await columnTexts('name'))[0]!;
    const trial = (await store.getTrial('demo', name))!;
    await page.click(`#trials a:text-is("${name}")`);
    await page.waitForSelector('#explain');
    expect(await page.textContent('#title')).toBe(name);
    expect(await page.textContent('#params')).toContain(String(trial.params.kernel));
    expect(await page.textContent('#metrics')).toContain('loss');
    expect(await page.textContent('#observations')).toContain('loss step 1');
    // In-process trials write no log: the page says so rather than failing.
    await waitForText('log', "trial '");
    expect(await page.textContent('#log')).toContain('no log file');
  });

  it('shows hostile names as text on their own pages', async () => {
    const route = `#/e/${encodeURIComponent(hostile.namespace)}/${encodeURIComponent(hostile.name)}`;
    await page.goto(`${dashboard.url}${route}/t/${encodeURIComponent(hostile.trial)}`);
    await page.waitForSelector('#explain');
    expect(await page.textContent('#title')).toBe(hostile.trial);
    await page.goto(`${dashboard.url}${route}`);
    await waitForText('title', `${hostile.namespace}/${hostile.name}`);
    expect(await page.$$eval('main script, main b, main i', (e) => e.length)).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('updates live while a run in this process writes to the same store', async () => {
    const writer = openStore(tmp.dir);
    const run = Experiment.create({
      ...demoExperiment('live', { maxTrialCount: 6, parallelTrialCount: 1 }),
      store: writer,
    }).optimize(async (p, report) => {
      await sleep(400);
      return demoObjective(p, report);
    });
    try {
      while ((await store.getExperiment('live')) === undefined) await sleep(20);
      await page.goto(`${dashboard.url}#/e/default/live`);
      await page.waitForSelector('#trial-count');
      const first = Number((await page.textContent('#trial-count'))!.split(' ')[0]);
      expect(first).toBeLessThan(6);
      // No reload from here on: only the server-sent changes redraw the page.
      await waitForText('trial-count', '6 of 6', 30_000);
      await waitForText('status', 'Succeeded', 30_000);
      await page.waitForSelector('#chart[data-drawn="history"]');
      // The chart is drawn again as trials complete: it ends with a point per trial.
      for (let i = 0; i < 100 && (await markCount('trials_marks')) < 6; i++) await sleep(100);
      expect(await markCount('trials_marks')).toBe(6);
    } finally {
      await run;
      await writer.close();
    }
  }, 60_000);

  it('shows an experiment with several objectives: a column per objective, a sortable Pareto mark, the pareto chart', async () => {
    const writer = openStore(tmp.dir);
    try {
      await writeTradeoffExperiment(writer, 'tradeoff');
    } finally {
      await writer.close();
    }
    await page.goto(`${dashboard.url}#/e/default/tradeoff`);
    await waitForText('trial-count', '5 of 5');
    expect(await page.textContent('#objectives')).toBe('minimize loss, minimize latency_ms (algorithm grid)');
    expect(await page.textContent('#trials th[data-column="value:latency_ms"]')).toBe('latency_ms (minimize)');
    expect(await columnTexts('value:latency_ms')).toEqual(['5', '3', '4', '1', '1']);
    expect(await columnTexts('pareto')).toEqual(['★', '★', '', '★', '']);
    await page.click('th[data-column="pareto"]');
    await page.waitForSelector('th.sorted-asc[data-column="pareto"]');
    expect(await columnTexts('pareto')).toEqual(['★', '★', '★', '', '']);
    expect(await columnTexts('param:x')).toEqual(['0', '1', '3', '2', '4']);
    await page.click('button[data-kind="pareto"]');
    await page.waitForSelector('#chart[data-drawn="pareto"]');
    expect(await markCount('trials_marks')).toBe(5);
    // The staircase is one line through the front's three trials (a line mark holds an item per point).
    expect(await markCount('front_marks')).toBe(3);
    expect(await page.textContent('#chart')).toContain('3 of 5 trials on the front');
    // A single-objective experiment says why there is no Pareto front to draw.
    await page.goto(`${dashboard.url}#/e/default/demo`);
    await page.waitForSelector('#chart[data-drawn="history"]');
    await page.click('button[data-kind="pareto"]');
    await page.waitForSelector('#plot-message');
    expect(await page.textContent('#plot-message')).toContain('needs several objectives');
    // Leave the page as the next test expects to find it: the history drawn.
    await page.click('button[data-kind="history"]');
    await page.waitForSelector('#chart[data-drawn="history"]');
  }, 60_000);

  it('takes a screenshot with content: not blank, the expected text in the page', async () => {
    await page.goto(`${dashboard.url}#/e/default/demo`);
    await page.waitForSelector('#chart[data-drawn]');
    const png = await page.screenshot({ fullPage: true });
    // Count the colours in the screenshot in a blank page of the browser (it decodes PNG; the dashboard's content
    // policy would refuse the data: URL): a blank screenshot has one or two.
    const scratch = await browser.newPage();
    const colours = (await scratch.evaluate(`(async () => {
      const bitmap = await createImageBitmap(await (await fetch('data:image/png;base64,${png.toString('base64')}')).blob());
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext('2d');
      ctx.drawImage(bitmap, 0, 0);
      const data = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
      const seen = new Set();
      for (let i = 0; i < data.length; i += 4 * 97) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      return seen.size;
    })()`)) as number;
    await scratch.close();
    expect(colours).toBeGreaterThan(20);
    const text = `${await page.textContent('main')}`;
    for (const expected of ['default/demo', 'Trials', 'Plots', 'Optimisation history', 'Succeeded']) {
      expect(text).toContain(expected);
    }
    expect(pageErrors).toEqual([]);
  });
});
