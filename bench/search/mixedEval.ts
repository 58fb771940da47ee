// The objective side of `optuna_mixed.py`: the Python driver starts this process and talks to it over pipes, so
// Optuna's samplers minimise exactly the functions of mixedFunctions.ts (no second copy in Python to drift).
// Protocol, one JSON document per line: this process first writes {"spaces": {name: [parameter, …]}} for the
// functions named in argv[2] (comma-separated); then it answers every {"fn": name, "params": {…}} line read on
// stdin with {"value": number} (or {"error": text}), until stdin closes.
import { createInterface } from 'node:readline';
import { mixedFunctions } from './mixedFunctions.ts';

const names = (process.argv[2] ?? Object.keys(mixedFunctions).join(',')).split(',').filter((n) => n !== '');
const spaces: Record<string, unknown> = {};
for (const name of names) {
  const fn = Object.hasOwn(mixedFunctions, name) ? mixedFunctions[name] : undefined;
  if (fn === undefined) {
    process.stderr.write(`unknown mixed function ${name}\n`);
    process.exit(2);
  }
  spaces[name] = fn.space;
}
process.stdout.write(`${JSON.stringify({ spaces })}\n`);

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') continue;
  try {
    const { fn, params } = JSON.parse(line) as { fn: string; params: Record<string, number | string> };
    const f = Object.hasOwn(mixedFunctions, fn) ? mixedFunctions[fn] : undefined;
    if (f === undefined) throw new Error(`unknown mixed function ${fn}`);
    process.stdout.write(`${JSON.stringify({ value: f.evaluate(params) })}\n`);
  } catch (e) {
    process.stdout.write(`${JSON.stringify({ error: e instanceof Error ? e.message : String(e) })}\n`);
  }
}
