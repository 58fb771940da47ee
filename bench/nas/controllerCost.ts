// ENAS controller cost (issue #13): the time of one `enas` suggestion, training steps included, once 200 trials
// exist, on Katib's enas-gpu example (8 layers, every operation id of its nasConfig) with Katib's default settings
// (hidden size 64, 50 training steps). Each call trains on the trials that finished since the last call
// (`parallel` of them) and samples `parallel` new architectures; the state is JSON-cloned between calls as a store
// would. Run: node --import tsx bench/nas/controllerCost.ts [parallel=1] [calls=10]
import { fileURLToPath } from 'node:url';
import { EnasSearch, type EnasState } from '../../src/search/nas/enasSearch.ts';
import type { TrialView } from '../../src/search/types.ts';
import { configOf } from '../../src/spec/config.ts';
import { loadExperimentFile } from '../../src/spec/load.ts';
import { makeRequest, makeTrial } from '../../src/testing/askTell.ts';

const example = fileURLToPath(new URL('../../test/fixtures/spec/katib/nas__enas-gpu.yaml', import.meta.url));
const config = configOf(loadExperimentFile(example)[0]!);
const nas = config.nas!;
const settings = config.algorithm.settings;
const parallel = Number(process.argv[2] ?? 1);
const calls = Number(process.argv[3] ?? 10);

/** A stand-in accuracy: the share of layers using an even operation id, plus a little per-skip bonus. */
function accuracy(architecture: string): number {
  const layers = JSON.parse(architecture) as number[][];
  const even = layers.filter((l) => l[0]! % 2 === 0).length / layers.length;
  const skips = layers.reduce((n, l) => n + l.slice(1).reduce((a, b) => a + b, 0), 0);
  return 0.5 + 0.4 * even + 0.001 * skips;
}

const trials: TrialView[] = [];
let state: unknown;
function call(): number {
  const request = {
    ...makeRequest({ space: [], trials, count: parallel, seed: 7, settings, type: 'maximize', state }),
    nas,
  };
  const started = performance.now();
  const result = new EnasSearch().suggest(request);
  const ms = performance.now() - started;
  state = JSON.parse(JSON.stringify(result.state));
  for (const s of result.suggestions) {
    trials.push(makeTrial(trials.length, s.params, 'Succeeded', accuracy(String(s.params.architecture))));
  }
  return ms;
}

/**
 * The machine's speed at this moment, as a plain 64×256 row-vector product in million multiply-adds per second: the
 * controller's inner loop. On a shared machine it shows how loaded the cores were when the times were taken.
 */
function referenceMmacPerSecond(): number {
  const rows = 64;
  const cols = 256;
  const w = Float64Array.from({ length: rows * cols }, (_, i) => Math.sin(i));
  const x = Float64Array.from({ length: rows }, (_, i) => Math.cos(i));
  const repeats = 5000;
  const started = performance.now();
  let sink = 0;
  for (let r = 0; r < repeats; r++) {
    const out = new Float64Array(cols);
    for (let i = 0; i < rows; i++) {
      const xi = x[i]!;
      for (let j = 0; j < cols; j++) out[j]! += xi * w[i * cols + j]!;
    }
    sink += out[0]!;
  }
  const seconds = (performance.now() - started) / 1000;
  return sink === Number.POSITIVE_INFINITY ? 0 : (repeats * rows * cols) / 1e6 / seconds;
}

// Up to 200 trials, then time `calls` more calls, each after `parallel` trials finished.
while (trials.length < 200) call();
const before = referenceMmacPerSecond();
const times = Array.from({ length: calls }, call).sort((a, b) => a - b);
const after = referenceMmacPerSecond();
const median = times[Math.floor(times.length / 2)]!;
const stateBytes = JSON.stringify(state).length;
const stored = state as EnasState;
console.log(
  JSON.stringify({
    example: 'nas__enas-gpu.yaml',
    layers: nas.numLayers,
    operations: stored.operations,
    hidden: stored.hidden,
    parallel,
    trialsBefore: 200,
    medianMsPerSuggestionCall: Number(median.toFixed(1)),
    maxMs: Number(times.at(-1)!.toFixed(1)),
    stateBytes,
    referenceMmacPerSecond: Math.round((before + after) / 2),
    node: process.version,
  }),
);
