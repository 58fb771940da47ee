// Throughput of StdOut TEXT metrics parsing: a generated training log (mixed metric and noise lines) goes
// through LineSplitter -> TextMetricParser -> MetricAccumulator in 64 KiB chunks, as trial stdout would.
// Run directly: `node --import tsx bench/metricsParse.ts` prints one JSON line.
import { fileURLToPath } from 'node:url';
import { LineSplitter } from '../src/metrics/lineSplitter.ts';
import { MetricAccumulator } from '../src/metrics/strategies.ts';
import { TextMetricParser } from '../src/metrics/textParser.ts';

const metricNames = ['loss', 'accuracy', 'val-accuracy'];

/** A deterministic block of log text (~8 MiB): 1 line in 5 carries metrics, some with RFC3339 timestamps. */
function makeBlock(targetBytes: number): Buffer {
  const lines: string[] = [];
  let size = 0;
  let state = 12345;
  const next = (): number => {
    state = (state * 1103515245 + 12345) >>> 0;
    return state / 2 ** 32;
  };
  for (let i = 0; size < targetBytes; i++) {
    let line: string;
    const kind = i % 5;
    if (kind === 0) {
      const ts = `2024-03-04T17:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.${String(i % 1000).padStart(3, '0')}Z`;
      line = `${ts} INFO epoch=${i >> 8} loss=${next().toFixed(6)} accuracy=${next().toFixed(4)} val-accuracy=${(next() * 1e-3).toExponential(3)}`;
    } else if (kind === 2) {
      line = `Train Epoch: ${i >> 8} [${(i * 64) % 60000}/60000 (${((i * 7) % 100).toFixed(0)}%)]\tbatch_time ${next().toFixed(3)}s lr 0.01`;
    } else {
      line = `[rank0] step ${i}: forward ${next().toFixed(3)} ms backward ${next().toFixed(3)} ms grad-norm ${next().toFixed(5)} tokens/s ${Math.floor(next() * 1e5)}`;
    }
    lines.push(line);
    size += line.length + 1;
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

/** Runs the benchmark: ~200 MB of log text, returns MB/s (1 MB = 1e6 bytes), peak RSS in MiB and bytes parsed. */
export async function benchMetricsParse(): Promise<{ mbPerSec: number; peakRssMb: number; bytes: number }> {
  const block = makeBlock(8 * 1024 * 1024);
  const repeats = Math.ceil((200 * 1e6) / block.length);
  const chunk = 64 * 1024;
  const pipeline = (): { acc: MetricAccumulator; counter: { logs: number }; splitter: LineSplitter } => {
    const parser = new TextMetricParser({ metricNames });
    const acc = new MetricAccumulator(metricNames);
    const counter = { logs: 0 };
    const splitter = new LineSplitter({
      onLine: (line) => {
        const found = parser.parseLine(line);
        for (let i = 0; i < found.length; i++) acc.add(found[i]!);
        counter.logs += found.length;
      },
    });
    return { acc, counter, splitter };
  };
  // Warm the JIT on one block first so the figure is the steady-state rate, not compile time.
  const warm = pipeline();
  for (let off = 0; off < block.length; off += chunk) warm.splitter.push(block.subarray(off, off + chunk));
  const { acc, counter, splitter } = pipeline();
  let peakRss = process.memoryUsage.rss();
  let bytes = 0;
  const t0 = performance.now();
  for (let r = 0; r < repeats; r++) {
    for (let off = 0; off < block.length; off += chunk) {
      splitter.push(block.subarray(off, Math.min(off + chunk, block.length)));
      bytes += Math.min(chunk, block.length - off);
    }
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    // Let the event loop breathe between blocks, as a real stream would.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  splitter.end();
  const seconds = (performance.now() - t0) / 1000;
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  if (counter.logs === 0 || acc.summary().some((s) => s.latest === undefined))
    throw new Error('benchmark parsed no metrics');
  return {
    mbPerSec: Math.round(bytes / 1e6 / seconds),
    peakRssMb: Math.round(peakRss / (1024 * 1024)),
    bytes,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`${JSON.stringify(await benchMetricsParse())}\n`);
}
