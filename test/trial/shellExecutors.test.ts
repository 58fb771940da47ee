/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: Katib's ${trialParameters.x} placeholders are data here. */
// The env-var mechanism end to end in both local executors: a hostile categorical value in a script run
// behind `timeout 60 sh -c` arrives exactly and runs nothing.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configOf } from '../../src/spec/config.ts';
import { LocalDistributedExecutor } from '../../src/training/local/index.ts';
import { LocalProcessExecutor } from '../../src/trial/localProcess.ts';
import { tempDir } from '../helpers.ts';
import { fakeContext, manifestFor } from '../training/local/helpers.ts';
import { runnable } from './runExecutor.ts';

const value = `'; touch pwned; '$(touch pwned)\`touch pwned\`\nEOF\n"`;
const script = `printf %s "\${trialParameters.v}" > out; cat > heredoc <<EOF\n\${trialParameters.v}\nEOF`;
const container = (name: string) => ({ name, image: 'x', command: ['timeout', '60', 'sh', '-c', script] });

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('hpo-shell-exec-');
});
afterEach(() => tmp.cleanup());

function expectDelivered(folder: string): void {
  expect(readFileSync(join(folder, 'out'), 'utf8')).toBe(value);
  expect(readFileSync(join(folder, 'heredoc'), 'utf8')).toBe(`${value}\n`);
  expect(existsSync(join(folder, 'pwned'))).toBe(false);
}

describe('hostile values through the local executors', () => {
  it('LocalProcessExecutor', async () => {
    const trialSpec = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      spec: { template: { spec: { containers: [container('main')] } } },
    };
    const manifest = manifestFor(trialSpec, { parameters: [{ name: 'v', reference: 'v' }] });
    const { ctx } = fakeContext(tmp.dir, { v: value });
    const config = configOf(manifest);
    const result = await runnable(new LocalProcessExecutor({ config }), config).run(ctx);
    expect(result).toEqual({ outcome: 'completed', exitCode: 0 });
    expectDelivered(tmp.dir);
  });

  it('LocalDistributedExecutor, in every replica', async () => {
    const pod = { template: { spec: { containers: [container('pytorch')] } } };
    const trialSpec = {
      apiVersion: 'kubeflow.org/v1',
      kind: 'PyTorchJob',
      spec: { pytorchReplicaSpecs: { Master: { replicas: 1, ...pod }, Worker: { replicas: 1, ...pod } } },
    };
    const manifest = manifestFor(trialSpec, { primary: 'pytorch', parameters: [{ name: 'v', reference: 'v' }] });
    const { ctx } = fakeContext(tmp.dir, { v: value });
    // The manifest convenience: the executor resolves the config itself.
    const result = await runnable(new LocalDistributedExecutor({ manifest, gpus: null }), manifest).run(ctx);
    expect(result).toEqual({ outcome: 'completed', exitCode: 0 });
    expectDelivered(join(tmp.dir, 'master-0'));
    expectDelivered(join(tmp.dir, 'worker-0'));
  });

  it('a value holding NUL fails the trial with the parameter named', async () => {
    const trialSpec = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      spec: { template: { spec: { containers: [container('main')] } } },
    };
    const manifest = manifestFor(trialSpec, { parameters: [{ name: 'v', reference: 'v' }] });
    const { ctx } = fakeContext(tmp.dir, { v: 'a\u0000b' });
    await expect(runnable(new LocalProcessExecutor({ manifest }), manifest).run(ctx)).rejects.toThrow(
      /trial parameter "v": its value contains a NUL/,
    );
  });
});
