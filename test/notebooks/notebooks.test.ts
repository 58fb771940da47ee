// Executes every notebook in examples/notebooks under the tslab kernel, as CI does (scripts/notebooks.mjs: nbconvert
// --execute, no --allow-errors), and checks the executed notebooks' outputs: a cell that errors fails the run, and
// an expected output that is missing fails here. Needs Debian's nbconvert/nbclient/jupyter-client (npm run setup).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';

const repo = join(import.meta.dirname, '..', '..');
const notebooksDir = join(repo, 'examples', 'notebooks');

interface Output {
  readonly output_type: string;
  readonly text?: string | string[];
  readonly data?: Record<string, string | string[]>;
  readonly ename?: string;
}
interface Cell {
  readonly id: string;
  readonly cell_type: string;
  readonly execution_count?: number | null;
  readonly outputs?: Output[];
}
interface Notebook {
  readonly cells: Cell[];
  readonly metadata: { readonly kernelspec?: { readonly name?: string } };
}

const joined = (t: string | string[] | undefined) => (Array.isArray(t) ? t.join('') : (t ?? ''));
const read = (path: string): Notebook => JSON.parse(readFileSync(path, 'utf8')) as Notebook;

/** One executed cell's outputs: its stream text, its HTML displays and its SVG displays. */
function outputsOf(nb: Notebook, id: string) {
  const cell = nb.cells.find((c) => c.id === id);
  if (!cell) throw new Error(`no cell ${id}`);
  const outs = cell.outputs ?? [];
  return {
    executed: cell.execution_count,
    errors: outs.filter((o) => o.output_type === 'error'),
    text: outs
      .filter((o) => o.output_type === 'stream')
      .map((o) => joined(o.text))
      .join(''),
    html: outs.filter((o) => o.data?.['text/html'] !== undefined).map((o) => joined(o.data!['text/html'])),
    svg: outs.filter((o) => o.data?.['image/svg+xml'] !== undefined).map((o) => joined(o.data!['image/svg+xml'])),
  };
}

/** Runs scripts/notebooks.mjs execute; the store of `hpo run` and of the notebooks is `store`. */
function execute(store: string, out: string, notebooks: string[] = [], build = true) {
  const args = ['scripts/notebooks.mjs', 'execute', '--out', out, ...(build ? [] : ['--no-build']), ...notebooks];
  return spawnSync('node', args, {
    cwd: repo,
    env: { ...process.env, HPO_STORE: store },
    encoding: 'utf8',
    timeout: 240_000,
  });
}

const svgOk = (svg: string) => svg.startsWith('<svg') && svg.includes('</svg>') && svg.length > 1000;

describe('the notebooks in examples/notebooks', () => {
  const tmp = tempDir('notebooks-');
  const store = join(tmp.dir, 'store');
  const first = join(tmp.dir, 'first');
  const again = join(tmp.dir, 'again');

  beforeAll(() => {
    // The experiment read-hpo-run.ipynb reads, produced as a user would.
    const run = spawnSync(
      'node',
      ['bin/hpo.js', 'run', 'examples/quickstart/experiment.yaml', '--store', store, '-q'],
      {
        cwd: repo,
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(run.status, run.stderr).toBe(0);
    const r = execute(store, first);
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  }, 300_000);
  afterAll(() => tmp.cleanup());

  it('are stored without outputs, for the tslab kernel', () => {
    const names = readdirSync(notebooksDir).filter((f) => f.endsWith('.ipynb'));
    expect(names.sort()).toEqual(['optimize-in-notebook.ipynb', 'read-hpo-run.ipynb']);
    for (const name of names) {
      const nb = read(join(notebooksDir, name));
      expect(nb.metadata.kernelspec?.name).toBe('tslab');
      for (const c of nb.cells.filter((c) => c.cell_type === 'code')) expect([c.id, c.outputs]).toEqual([c.id, []]);
    }
  });

  it('optimize-in-notebook: runs with a progress line updated in place, shows a table and plots, resumes', () => {
    const nb = read(join(first, 'optimize-in-notebook.ipynb'));
    for (const c of nb.cells.filter((c) => c.cell_type === 'code'))
      expect(outputsOf(nb, c.id).errors, c.id).toEqual([]);
    expect(outputsOf(nb, 'cell-03').text).toContain('notebook-branin');
    // One display per run, overwritten at every progress (update_display_data), showing where the run stopped.
    const stopped = outputsOf(nb, 'cell-05');
    expect(stopped.html).toHaveLength(1);
    expect(stopped.html[0]).toMatch(/<progress value="10" max="24"><\/progress> <b>10\/24<\/b> trials/);
    expect(stopped.text).toMatch(/^Running after 1[01] trials/);
    const resumed = outputsOf(nb, 'cell-07');
    expect(resumed.html).toHaveLength(1);
    expect(resumed.html[0]).toMatch(/<b>24\/24<\/b> trials · running 0 · failed 0 · best value = [\d.]+/);
    expect(resumed.text).toMatch(
      /^Succeeded \(ExperimentMaxTrialsReached\): best notebook-branin-\w+ with value [\d.]+/,
    );
    const table = outputsOf(nb, 'cell-09').html.join('');
    expect(table.match(/<tr><td>notebook-branin-/g)).toHaveLength(8);
    expect(table).toContain('<th>value</th><th>x</th><th>y</th><th>shape</th>');
    expect(outputsOf(nb, 'cell-10').svg.filter(svgOk)).toHaveLength(1);
    const contour = outputsOf(nb, 'cell-11');
    expect(contour.svg.filter(svgOk)).toHaveLength(1);
    expect(contour.text).toMatch(/^x: \d+%, y: \d+%, shape: \d+%/);
    const refusal = outputsOf(nb, 'cell-13').text;
    expect(refusal).toContain('spec.parameters[0 (x)].feasibleSpace.max: stored "10", now "12"');
    expect(refusal).toContain('hpo delete notebook-branin');
  });

  it('read-hpo-run: reads the experiment hpo run stored and plots it', () => {
    const nb = read(join(first, 'read-hpo-run.ipynb'));
    expect(outputsOf(nb, 'cell-01').text).toContain('quickstart: Succeeded (ExperimentMaxTrialsReached)');
    expect(outputsOf(nb, 'cell-02').text).toMatch(/^best trial quickstart-\w+: loss = [\d.]+ with \{"lr":/);
    expect(
      outputsOf(nb, 'cell-03')
        .html.join('')
        .match(/<tr><td>quickstart-/g),
    ).toHaveLength(12);
    for (const id of ['cell-04', 'cell-05', 'cell-06', 'cell-07']) {
      expect(outputsOf(nb, id).svg.filter(svgOk), id).toHaveLength(1);
    }
  });

  it('running the notebook again continues the stored experiment; a cell that does not compile fails the run', () => {
    // One nbconvert call for both (each kernel start costs seconds): the good notebook runs, the broken one fails.
    const broken = join(tmp.dir, 'broken.ipynb');
    const cell = (id: string, source: string) => ({
      id,
      cell_type: 'code',
      metadata: {},
      execution_count: null,
      outputs: [],
      source,
    });
    writeFileSync(
      broken,
      JSON.stringify({
        cells: [cell('ok', 'const a = 1;'), cell('bad', "const b: number = 'x';")],
        metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
        nbformat: 4,
        nbformat_minor: 5,
      }),
    );
    const r = execute(store, again, ['optimize-in-notebook.ipynb', broken], false);
    expect(r.status, r.stdout).toBe(1);
    expect(r.stdout).toContain('ok optimize-in-notebook.ipynb');
    expect(r.stdout).toContain('FAILED');
    expect(r.stdout).toContain("const b: number = 'x';");
    // tslab's own message, which nbconvert drops, is shown from a second run that keeps the outputs.
    expect(r.stdout).toContain("cell bad: 1:7 - Type 'string' is not assignable to type 'number'.");

    const before = read(join(first, 'optimize-in-notebook.ipynb'));
    const nb = read(join(again, 'optimize-in-notebook.ipynb'));
    const trials = Number(/after (\d+) trials/.exec(outputsOf(nb, 'cell-05').text)?.[1]);
    expect(outputsOf(nb, 'cell-05').text).toMatch(/^Succeeded after \d+ trials/);
    expect(trials).toBe(Number(/notebook-branin: (\d+) trials/.exec(outputsOf(before, 'cell-09').html.join(''))?.[1]));
    expect(outputsOf(nb, 'cell-07').text).toBe(outputsOf(before, 'cell-07').text);
  }, 240_000);
});
