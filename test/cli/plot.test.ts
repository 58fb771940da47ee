// `hpo plot` on real stored experiments: the quickstart example run by `hpo run` (local processes, 12 trials,
// 8 epochs of reported loss each), a Hyperband experiment run in process (budgets and promotions), a
// one-parameter experiment and one whose every trial failed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plotKinds } from '../../src/analysis/types.ts';
import { Experiment } from '../../src/experiment/experiment.ts';
import { search } from '../../src/spec/create.ts';
import { markGroups, markItems } from '../analysis/inputs.ts';
import { hpo } from '../cliRunner.ts';
import { sequenceExperiment, tempDir } from '../helpers.ts';

const quickstart = fileURLToPath(new URL('../../examples/quickstart/experiment.yaml', import.meta.url));
let tmp: ReturnType<typeof tempDir>;
let store: string;
let tradeoffSize = 0;
const out = (file: string) => join(tmp.dir, file);
const plot = (...args: string[]) => hpo(['plot', ...args, '--store', store]);

beforeAll(async () => {
  tmp = tempDir('hpo-plot-');
  store = join(tmp.dir, 'store');
  const run = hpo(['run', quickstart, '--store', store, '-q']);
  expect(run.status).toBe(0);
  const hyperband = Experiment.create({
    name: 'hyperband',
    objective: { type: 'minimize', objectiveMetricName: 'loss' },
    algorithm: {
      algorithmName: 'hyperband',
      algorithmSettings: { resource_name: 'epochs', r_l: 9, eta: 3, random_state: 1 },
    },
    parameters: [search.double('x', -2, 2), search.int('epochs', 1, 9)],
    parallelTrialCount: 3,
    store,
  });
  await hyperband.optimize((p) => (Number(p.x) - 0.5) ** 2 + 1 / Number(p.epochs));
  await hyperband.close();
  const one = Experiment.create({ ...sequenceExperiment('one-param'), store });
  await one.optimize((p) => Number(p.x));
  await one.close();
  const failing = Experiment.create({ ...sequenceExperiment('all-failed', { maxFailedTrialCount: 5 }), store });
  await failing.optimize(() => {
    throw new Error('boom');
  });
  await failing.close();
  // Two objectives that pull apart (loss falls and cost rises with x), for the pareto plot.
  const tradeoff = Experiment.create({
    name: 'tradeoff',
    objective: {
      type: 'minimize',
      objectiveMetricName: 'loss',
      additionalObjectives: [{ type: 'minimize', objectiveMetricName: 'cost' }],
    },
    algorithm: { algorithmName: 'random', algorithmSettings: { random_state: 3 } },
    parameters: [search.double('x', 0, 1), search.double('noise', 0, 1)],
    maxTrialCount: 10,
    parallelTrialCount: 2,
    store,
  });
  const values = await tradeoff.optimize((p) => ({
    loss: 1 - Number(p.x) + Number(p.noise) / 2,
    cost: Number(p.x) ** 2 + Number(p.noise) / 2,
  }));
  tradeoffSize = values.trials.length;
  await tradeoff.close();
}, 120_000);
afterAll(() => tmp?.cleanup());

describe('hpo plot', () => {
  it('draws every kind of the quickstart as SVG (rungs from the Hyperband run), one mark per trial', () => {
    for (const kind of plotKinds) {
      const name = kind === 'rungs' ? 'hyperband' : kind === 'pareto' ? 'tradeoff' : 'quickstart';
      const r = plot(name, '--kind', kind, '--out', out(`${kind}.svg`));
      expect(r.stderr, kind).toBe('');
      expect(r.status, kind).toBe(0);
      expect(r.stdout).toContain(`wrote ${out(`${kind}.svg`)} (${kind} plot of ${name}`);
      expect(readFileSync(out(`${kind}.svg`), 'utf8')).toMatch(/^<svg [^>]*width="\d+"/);
    }
    const svg = (kind: string) => readFileSync(out(`${kind}.svg`), 'utf8');
    expect(markItems(svg('history'), 'trials')).toBe(12);
    expect(markGroups(svg('parallel'), 'trials')).toBe(12);
    expect(markGroups(svg('curves'), 'curves')).toBe(12);
    expect(markItems(svg('importance'), 'bars')).toBe(3);
    expect(markItems(svg('contour'), 'cells')).toBe(25 * 25);
    expect(markItems(svg('rungs'), 'promotions')).toBeGreaterThan(0);
    expect(tradeoffSize).toBe(10);
    expect(markItems(svg('pareto'), 'trials')).toBe(10);
    expect(markGroups(svg('pareto'), 'front')).toBe(1);
  });

  it('writes PNG, HTML and the Vega-Lite spec by the extension, with --params choosing the axes', () => {
    expect(plot('quickstart', '--kind', 'contour', '--params', 'batch_size,lr', '--out', out('c.png')).status).toBe(0);
    expect([...readFileSync(out('c.png')).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(plot('quickstart', '--kind', 'slice', '--params', 'lr', '--out', out('s.html')).status).toBe(0);
    const html = readFileSync(out('s.html'), 'utf8');
    expect(markItems(html, 'slice_0')).toBe(12);
    expect(markGroups(html, 'slice_1')).toBe(0);
    expect(plot('quickstart', '--kind', 'parallel', '--out', out('p.json')).status).toBe(0);
    const spec = JSON.parse(readFileSync(out('p.json'), 'utf8')) as { $schema: string; data: { values: unknown[] } };
    expect(spec.$schema).toContain('vega-lite');
    expect(spec.data.values).toHaveLength(12 * 4);
  });

  it.each([
    [['quickstart', '--kind', 'pie'], 'svg', "argument 'pie' is invalid"],
    [['quickstart'], 'pdf', 'one of .svg, .png, .html, .json'],
    [['all-failed'], 'svg', "no completed trial with the objective 'loss'"],
    [['one-param', '--kind', 'contour'], 'svg', 'a contour plot needs two parameters'],
    [['quickstart', '--kind', 'rungs'], 'svg', 'carries a budget'],
    [['quickstart', '--kind', 'pareto'], 'png', 'the pareto plot needs several objectives'],
    [['quickstart', '--kind', 'slice', '--params', 'lr,momentum'], 'png', "no parameter 'momentum'"],
    [['missing'], 'html', "no experiment 'missing'"],
  ])('exits 2 with a clear message and writes nothing: %j to .%s', (args, ext, message) => {
    const file = out(`bad-${args.join('-').replace(/[^a-z]/g, '')}.${ext}`);
    const r = plot(...args, '--out', file);
    expect(r.stderr).toContain(message);
    expect(r.status).toBe(2);
    expect(existsSync(file)).toBe(false);
  });
});
