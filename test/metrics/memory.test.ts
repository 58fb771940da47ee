import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/metrics/lineSplitter.ts';
import { MetricAccumulator } from '../../src/metrics/strategies.ts';
import { TextMetricParser } from '../../src/metrics/textParser.ts';

/** A garbage collector to call, so heap figures mean live data rather than garbage not yet collected. */
function getGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('streaming parse memory', () => {
  it('summarises a ~200 MB log with flat heap: nothing per line is retained', () => {
    const gc = getGc();
    const names = ['loss', 'accuracy'];
    const parser = new TextMetricParser({ metricNames: names });
    const acc = new MetricAccumulator(names);
    let logs = 0;
    const splitter = new LineSplitter({
      onLine: (line) => {
        for (const log of parser.parseLine(line)) {
          acc.add(log);
          logs++;
        }
      },
    });
    // One 1 MiB block of mixed lines, fed 200 times in 64 KiB chunks (cut at arbitrary places).
    const lines: string[] = [];
    for (let i = 0, size = 0; size < 1 << 20; i++) {
      const line =
        i % 4 === 0
          ? `2024-01-01T00:00:${String(i % 60).padStart(2, '0')}Z loss=${(i % 997) / 1000} accuracy=0.${i % 89}`
          : `step ${i} noise`;
      lines.push(line);
      size += line.length + 1;
    }
    const block = Buffer.from(`${lines.join('\n')}\n`);
    gc();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    let bytes = 0;
    for (let r = 0; r < 200; r++) {
      for (let off = 0; off < block.length; off += 65536) {
        const chunk = block.subarray(off, off + 65536);
        splitter.push(chunk);
        bytes += chunk.length;
      }
      if (r % 20 === 19) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }
    }
    splitter.end();
    gc();
    const after = process.memoryUsage().heapUsed;
    expect(bytes).toBeGreaterThan(200e6);
    expect(logs).toBeGreaterThan(1e6);
    expect(acc.summary()[0]).toMatchObject({ name: 'loss', min: 0, max: 0.996 });
    // Retaining even a small object per line would add hundreds of MB; allow generous slack for the JIT.
    expect((peak - before) / 2 ** 20).toBeLessThan(16);
    expect((after - before) / 2 ** 20).toBeLessThan(16);
  });
});
