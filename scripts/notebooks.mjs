#!/usr/bin/env node
// Sets up and runs the TypeScript notebooks in examples/notebooks under tslab (the TypeScript Jupyter kernel).
//
//   node scripts/notebooks.mjs prepare            build dist/, link the package, install the kernel spec
//   node scripts/notebooks.mjs execute [--out DIR] [--no-build] [NOTEBOOK...]
//                                                  prepare (--no-build: dist/ is current), then run each notebook
//                                                  with nbconvert (no --allow-errors); exit 1 if any cell errored
//
// tslab compiles cells with its own TypeScript and Node10 module resolution, which finds a package only under a
// node_modules folder: the notebooks import `hpo-workbench` and `hpo-workbench/analysis` as a user's would, through
// examples/notebooks/node_modules/hpo-workbench, a link to this repository (resolved through "exports" at run time and
// "typesVersions" for types), which serves the compiled dist/. The kernel spec goes to .jupyter/ in the repository
// (tslab's own default, /usr/local as root, names a `tslab` that is not on PATH).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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

function prepare(build = true) {
  if (build) execFileSync('npm', ['run', '--silent', 'build'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  const link = join(notebooksDir, 'node_modules', 'hpo-workbench');
  mkdirSync(dirname(link), { recursive: true });
  let current;
  try {
    current = readlinkSync(link);
  } catch {
    current = undefined;
  }
  if (current !== '../../..') {
    rmSync(link, { recursive: true, force: true });
    symlinkSync('../../..', link, 'dir');
  }
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
      // nbconvert names the failing cell and the kernel's error in its last lines.
      process.stdout.write(`FAILED ${nb}\n${(r.stderr || r.error?.message || '').split('\n').slice(-25).join('\n')}\n`);
    }
  }
  process.exit(failed === 0 ? 0 : 1);
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'prepare') {
  prepare();
  process.stdout.write(`ready: JUPYTER_PATH=${jupyterPath} jupyter lab examples/notebooks (kernel "TypeScript")\n`);
} else if (command === 'execute') execute(rest);
else fail('usage: node scripts/notebooks.mjs prepare | execute [--out DIR] [NOTEBOOK...]');
