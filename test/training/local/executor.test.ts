// LocalDistributedExecutor under the handle contract: the files folder it announces is the master replica's, so
// a File collector with no path reads the master's copy of Katib's default file, not a worker's.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers.ts';
import { distributed, fakeContext, manifestFor } from './helpers.ts';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('hpo-dist-exec-');
});
afterEach(() => tmp.cleanup());

/** A replica that appends `line` to Katib's default metrics file (rewritten per replica) and prints `score=9`. */
function writer(line: string) {
  const script = `require('fs').appendFileSync('/var/log/katib/metrics.log', ${JSON.stringify(`${line}\n`)});console.log('score=9')`;
  return {
    replicas: 1,
    template: { spec: { containers: [{ name: 'pytorch', image: 'x', command: [process.execPath, '-e', script] }] } },
  };
}

describe('LocalDistributedExecutor through its handle', () => {
  it('a File collector with no path collects the master replica’s metrics file', async () => {
    const trialSpec = {
      apiVersion: 'kubeflow.org/v1',
      kind: 'PyTorchJob',
      spec: { pytorchReplicaSpecs: { Master: writer('score=0.75'), Worker: writer('score=0.25') } },
    };
    const manifest = manifestFor(trialSpec, { primary: 'pytorch' });
    manifest.spec.metricsCollectorSpec = { collector: { kind: 'File' } };
    const { ctx, reports } = fakeContext(tmp.dir);
    expect(await distributed({ manifest, gpus: null }).run(ctx)).toEqual({ outcome: 'completed', exitCode: 0 });
    expect(reports.map((r) => `${r.name}=${r.value}`)).toEqual(['score=0.75']);
    for (const replica of ['master-0', 'worker-0']) {
      expect(existsSync(join(tmp.dir, replica, 'fs', 'var', 'log', 'katib', 'metrics.log'))).toBe(true);
    }
  });
});
