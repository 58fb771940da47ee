#!/usr/bin/env node
// Sets up and runs the TypeScript notebooks in examples/notebooks under tslab (the TypeScript Jupyter kernel).
//
//   node scripts/notebooks.mjs prepare            install the package for the notebooks, write the kernel spec
//   node scripts/notebooks.mjs execute [--out DIR] [--no-build] [NOTEBOOK...]
//                                                  prepare (--no-build: keep the package installed before), then
//                                                  run each notebook with nbconvert (no --allow-errors); exit 1 if
//                                                  any cell errored
//
// tslab compiles cells with its own TypeScript and Node10 module resolution, which finds a package only under a
// node_modules folder: the notebooks import `hpo-workbench` and `hpo-workbench/analysis` as a user's would, from
// examples/notebooks/node_modules/hpo-workbench (types through "typesVersions", code through "exports"). That folder
// is the package as installed: our package.json, the sources compiled into its dist/, and a link to the repository's
// node_modules for the dependencies. It is built there rather than in the repository's dist/, which bin/hpo.js runs
// when it is newer than the sources: building that during `npm test` would swap the CLI under the other tests.
// The kernel spec goes to .jupyter/ in the repository (tslab's own default, /usr/local as root, names a `tslab`
// that is not on PATH).
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const notebooksDir = join(repo, 'examples', 'notebooks');
/** JUPYTER_PATH for the kernel spec this script installs. */
export const jupyterPath = join(repo, '.jupyter', 'share', 'jupyter');
const python = '/usr/bin/python3';

function fail(message) {
  process.stderr.write(`notebooks: ${message}\n`);
  process.exit(2);
}

/** The package as the notebooks import it. */
const installed = join(notebooksDir, 'node_modules', 'hpo-workbench');

function install() {
  // An earlier layout linked this folder to the repository itself: remove the link, never what it points to.
  if (existsSync(installed) && lstatSync(installed).isSymbolicLink()) unlinkSync(installed);
  rmSync(installed, { recursive: true, force: true }); // does not follow the node_modules link inside
  mkdirSync(installed, { recursive: true });
  const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
  const dist = join(installed, 'dist');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', dist], { cwd: repo, stdio: 'inherit' });
  // The files `npm run build` copies beside the compiled ones.
  cpSync(join(repo, 'src', 'platform', 'grpc', 'katib-api.proto'), join(dist, 'platform', 'grpc', 'katib-api.proto'));
  cpSync(join(repo, 'src', 'ui', 'static'), join(dist, 'ui', 'static'), { recursive: true });
  cpSync(join(repo, 'package.json'), join(installed, 'package.json'));
  symlinkSync(join(repo, 'node_modules'), join(installed, 'node_modules'), 'dir');
}

function prepare(build = true) {
  if (build) install();
  else if (!existsSync(join(installed, 'dist', 'index.js'))) fail(`${installed} is not built: run without --no-build`);
  // The spec `tslab install --prefix .jupyter --binary node_modules/.bin/tslab` writes, without needing Python.
  const kernelDir = join(jupyterPath, 'kernels', 'tslab');
  mkdirSync(kernelDir, { recursive: true });
  const tslab = join(repo, 'node_modules', '.bin', 'tslab');
  if (!existsSync(tslab)) fail(`${tslab} is missing: run npm run setup`);
  writeFileSync(
    join(kernelDir, 'kernel.json'),
    `${JSON.stringify({ argv: [tslab, 'kernel', '--config-path', '{connection_file}'], display_name: 'TypeScript', language: 'typescript' }, null, 1)}\n`,
  );
}

function checkNbconvert() {
  const r = spawnSync(python, ['-c', 'import nbconvert, nbclient, jupyter_client'], { encoding: 'utf8' });
  if (r.status !== 0) {
    fail(
      `${python} cannot import nbconvert/nbclient/jupyter_client (${(r.stderr || r.error?.message || '').trim().split('\n').pop()}): run npm run setup, which installs Debian's jupyter-nbconvert, python3-nbconvert, python3-nbclient, python3-ipykernel and jupyter-client`,
    );
  }
}

function execute(args) {
  let out = join(repo, '.jupyter', 'executed');
  const names = [];
  let build = true;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out') out = resolve(args[++i] ?? fail('--out needs a folder'));
    else if (args[i] === '--no-build') build = false;
    else names.push(args[i]);
  }
  checkNbconvert();
  prepare(build);
  const notebooks = names.length > 0 ? names : readdirSync(notebooksDir).filter((f) => f.endsWith('.ipynb')).sort();
  mkdirSync(out, { recursive: true });
  let failed = 0;
  for (const nb of notebooks) {
    // A path, or a name in examples/notebooks; the kernel runs in the notebook's folder, as Jupyter runs it.
    const path = existsSync(resolve(nb)) ? resolve(nb) : resolve(notebooksDir, nb);
    const r = spawnSync(
      python,
      ['-m', 'nbconvert', '--to', 'notebook', '--execute', '--ExecutePreprocessor.timeout=120', '--output-dir', out, basename(path)],
      { cwd: dirname(path), env: { ...process.env, JUPYTER_PATH: jupyterPath }, encoding: 'utf8', timeout: 300_000 },
    );
    if (r.status === 0) process.stdout.write(`ok ${nb} -> ${join(out, basename(nb))}\n`);
    else {
      failed++;
      // nbconvert names the failing cell in its last lines; tslab prints the error itself (a type error, a
      // stack) to the cell's output stream, which nbconvert drops: show it from a run that keeps the outputs.
      process.stdout.write(`FAILED ${nb}\n${(r.stderr || r.error?.message || '').split('\n').slice(-25).join('\n')}\n`);
      process.stdout.write(explain(path, join(out, 'failed')));
    }
  }
  process.exit(failed === 0 ? 0 : 1);
}

/** The error text tslab printed, from a second run with --allow-errors (only when a notebook failed). */
function explain(path, dir) {
  const r = spawnSync(
    python,
    ['-m', 'nbconvert', '--to', 'notebook', '--execute', '--allow-errors', '--output-dir', dir, basename(path)],
    { cwd: dirname(path), env: { ...process.env, JUPYTER_PATH: jupyterPath }, encoding: 'utf8', timeout: 300_000 },
  );
  if (r.status !== 0) return '';
  const nb = JSON.parse(readFileSync(join(dir, basename(path)), 'utf8'));
  const lines = [];
  for (const cell of nb.cells) {
    for (const o of cell.outputs ?? []) {
      const text = o.output_type === 'stream' ? [o.text].flat().join('') : '';
      // tslab's compile errors read `LINE:COL - message`; run-time errors carry a stack.
      if (/^\d+:\d+ - |Error\b.*\n\s+at /m.test(text)) lines.push(`cell ${cell.id ?? '?'}: ${text.split('\n').slice(0, 12).join('\n')}`);
    }
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'prepare') {
  prepare();
  process.stdout.write(`ready: JUPYTER_PATH=${jupyterPath} jupyter lab examples/notebooks (kernel "TypeScript")\n`);
} else if (command === 'execute') execute(rest);
else fail('usage: node scripts/notebooks.mjs prepare | execute [--out DIR] [NOTEBOOK...]');
