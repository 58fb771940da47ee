// Builds the tabular NAS benchmark's table (bench/nas/digitsTable.json): every architecture of bench/nas/space.yaml
// trained once on scikit-learn's digits by trainTable.py (examples/nas/enas-digits's network and training loop,
// one thread, fixed seeds), the way NAS-Bench-101/201 were built. About 5-10 minutes on one core.
// Run: node --import tsx bench/nas/buildTable.ts [epochs=4] [seed=0]
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { architectureText, enasOperations, enasTrialParameters } from '../../src/search/nas/enasEncoding.ts';
import { configOf } from '../../src/spec/config.ts';
import { loadExperimentFile } from '../../src/spec/load.ts';
import { allArchitectures, type NasTable, type TableRow, tableLookup } from './table.ts';

const here = (name: string): string => fileURLToPath(new URL(name, import.meta.url));
const epochs = Number(process.argv[2] ?? 4);
const seed = Number(process.argv[3] ?? 0);
const nas = configOf(loadExperimentFile(here('space.yaml'))[0]!).nas!;
const operations = enasOperations(nas);
const architectures = allArchitectures(nas.numLayers ?? 0, operations.length);

const started = performance.now();
const child = spawn('/usr/bin/python3', [here('trainTable.py'), String(epochs), String(seed)], {
  stdio: ['pipe', 'pipe', 'inherit'],
  env: { ...process.env, OMP_NUM_THREADS: '1' },
});
for (const a of architectures) child.stdin.write(`${JSON.stringify(enasTrialParameters(nas, operations, a))}\n`);
child.stdin.end();

const rows: TableRow[] = [];
let buffered = '';
child.stdout.setEncoding('utf8');
child.stdout.on('data', (chunk: string) => {
  buffered += chunk;
  const lines = buffered.split('\n');
  buffered = lines.pop()!;
  for (const line of lines) {
    if (line.trim() === '') continue;
    rows.push(JSON.parse(line) as TableRow);
    if (rows.length % 20 === 0) process.stderr.write(`${rows.length}/${architectures.length}\n`);
  }
});
const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
if (code !== 0) throw new Error(`trainTable.py exited with ${code}`);
const python = await new Promise<string>((resolve) => {
  const p = spawn('/usr/bin/python3', ['-c', 'import torch, sklearn; print(torch.__version__, sklearn.__version__)']);
  let out = '';
  p.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  p.on('close', () => resolve(out.trim()));
});
const table: NasTable = {
  space: 'bench/nas/space.yaml',
  layers: nas.numLayers ?? 0,
  operations: operations.length,
  epochs,
  seed,
  built: {
    command: `node --import tsx bench/nas/buildTable.ts ${epochs} ${seed}`,
    trainer: 'bench/nas/trainTable.py (examples/nas/enas-digits/enas_digits.py: build_network, train)',
    data: 'scikit-learn digits, 8x8, stratified 75/25 split (random_state 0)',
    'torch sklearn': python,
    threads: 1,
    totalSeconds: Math.round((performance.now() - started) / 1000),
  },
  // In the enumeration order, whatever order the lines came back in.
  rows: architectures.map((a) => rows.find((r) => r.architecture === architectureText(a))!),
};
tableLookup(table);
writeFileSync(here('digitsTable.json'), `${JSON.stringify(table, null, 1)}\n`);
console.log(`${rows.length} architectures in ${table.built.totalSeconds} s → bench/nas/digitsTable.json`);
