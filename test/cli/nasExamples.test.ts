import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { validateAgainstCrd } from '../../src/training/jobs/crdValidator.ts';
import { hpo } from '../cliRunner.ts';
import { tempDir } from '../helpers.ts';
import { crdText } from '../training/jobs/fixtures.ts';

const dir = fileURLToPath(new URL('../../examples/nas/enas-digits/', import.meta.url));
const local = join(dir, 'experiment.yaml');
const gpu = join(dir, 'experiment-gpu.yaml');
const dartsDir = fileURLToPath(new URL('../../examples/nas/darts-digits/', import.meta.url));
const tmp = tempDir('hpo-nas-examples-');
afterAll(() => tmp.cleanup());

type Container = { command: string[]; resources?: { limits?: Record<string, unknown> } };
type PyTorchJob = {
  kind: string;
  spec: { pytorchReplicaSpecs: { Master: { template: { spec: { containers: Container[] } } } } };
};

/** The value of `--name=` in a rendered command, with the quotes `sh -c` would remove. */
function argument(command: readonly string[], name: string): string {
  const arg = command.find((a) => a.startsWith(`--${name}=`));
  if (arg === undefined) throw new Error(`no --${name} in ${command.join(' ')}`);
  return arg.slice(name.length + 3).replace(/^"(.*)"$/s, '$1');
}

describe('examples/nas/enas-digits', () => {
  it('its Experiments and darts-digits’ validate', () => {
    const r = hpo(['validate', local, gpu, join(dartsDir, 'experiment.yaml'), join(dartsDir, 'experiment-gpu.yaml')]);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').filter((l) => l.includes('is valid'))).toHaveLength(4);
    expect(r.status).toBe(0);
  });

  it('experiment-gpu.yaml renders PyTorchJobs asking for a GPU, valid against the training operator’s CRD', () => {
    const r = hpo(['run', gpu, '--backend', 'kubernetes', '--dry-run', '--store', join(tmp.dir, 'dry')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const jobs = parseAllDocuments(r.stdout).map((d) => d.toJS() as PyTorchJob);
    expect(jobs.length).toBeGreaterThan(0);
    for (const job of jobs) {
      expect(validateAgainstCrd(job, crdText('PyTorchJob'))).toEqual([]);
      const container = job.spec.pytorchReplicaSpecs.Master.template.spec.containers[0]!;
      expect(container.resources?.limits?.['nvidia.com/gpu']).toBe(1);
      const architecture = JSON.parse(argument(container.command, 'architecture')) as number[][];
      expect(architecture.map((l) => l.length)).toEqual([1, 2, 3]);
      expect(argument(container.command, 'nn_config')).toMatch(/^\{'num_layers': 3, 'input_sizes': \[8, 8, 1\]/);
    }
  });

  it('the trial program trains the network ENAS emitted for 1 epoch, reports Validation-Accuracy and saves the model', () => {
    const r = hpo(['run', local, '--backend', 'kubernetes', '--dry-run', '--store', join(tmp.dir, 'dry-local')]);
    expect(r.status).toBe(0);
    const job = parseAllDocuments(r.stdout)[0]!.toJS() as {
      kind: string;
      spec: { template: { spec: { containers: Container[] } } };
    };
    expect(job.kind).toBe('Job');
    const command = job.spec.template.spec.containers[0]!.command;
    const artifacts = join(tmp.dir, 'artifacts');
    spawnSync('mkdir', ['-p', artifacts]);
    const args = [
      join(dir, 'enas_digits.py'),
      '--num_epochs=1',
      `--architecture=${argument(command, 'architecture')}`,
      // As Katib's template writes it: quoted (the program drops the quotes a shell would have removed).
      `--nn_config="${argument(command, 'nn_config')}"`,
    ];
    const run = spawnSync('/usr/bin/python3', args, {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, HPO_ARTIFACTS_DIR: artifacts },
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const reported = [...run.stdout.matchAll(/^Validation-Accuracy=(\S+)$/gm)].map((m) => Number(m[1]));
    expect(reported).toHaveLength(1);
    // One epoch of an arbitrary draw may still be at chance (10%), so only the range is checked here.
    expect(reported[0]).toBeGreaterThanOrEqual(0);
    expect(reported[0]).toBeLessThanOrEqual(1);
    expect(run.stdout).toMatch(/^architecture=\[\[\d+\], \[\d+, [01]\], \[\d+, [01], [01]\]\] parameters=\d+$/m);
    expect(existsSync(join(artifacts, 'model.pt'))).toBe(true);
    // A KFP retraining step names the model's file instead (HPO_MODEL_PATH, see src/platform/kfp/pipeline.ts).
    const modelPath = join(tmp.dir, 'kfp-model.pt');
    const retrain = spawnSync('/usr/bin/python3', args, {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, HPO_MODEL_PATH: modelPath },
    });
    expect([retrain.status, retrain.stderr]).toEqual([0, '']);
    expect(existsSync(modelPath)).toBe(true);
  }, 120_000);

  it('the trial program refuses parameters that do not describe a network, with exit 2 and the reason', () => {
    const run = spawnSync(
      '/usr/bin/python3',
      [join(dir, 'enas_digits.py'), '--architecture=[[0], [1, 1]]', "--nn_config={'num_layers': 3}"],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^enas-digits: bad trial parameters: architecture has 2 layers, nn_config says 3/);
    expect(run.stdout).toBe('');
  }, 60_000);
});

describe('examples/nas/darts-digits', () => {
  it('experiment-gpu.yaml renders a PyTorchJob asking for a GPU, valid against the training operator’s CRD', () => {
    const file = join(dartsDir, 'experiment-gpu.yaml');
    const r = hpo(['run', file, '--backend', 'kubernetes', '--dry-run', '--store', join(tmp.dir, 'darts-dry')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const jobs = parseAllDocuments(r.stdout).map((d) => d.toJS() as PyTorchJob);
    expect(jobs).toHaveLength(1);
    expect(validateAgainstCrd(jobs[0], crdText('PyTorchJob'))).toEqual([]);
    const container = jobs[0]!.spec.pytorchReplicaSpecs.Master.template.spec.containers[0]!;
    expect(container.resources?.limits?.['nvidia.com/gpu']).toBe(1);
    expect(argument(container.command, 'search-space')).toBe(
      "['separable_convolution_3x3', 'dilated_convolution_3x3', 'max_pooling_3x3', 'skip_connection']",
    );
  });

  it('the trial program searches 1 epoch with Katib’s parameters and prints the accuracy and the genotype', () => {
    const file = join(dartsDir, 'experiment.yaml');
    const r = hpo(['run', file, '--backend', 'kubernetes', '--dry-run', '--store', join(tmp.dir, 'darts-local')]);
    expect(r.status).toBe(0);
    const job = parseAllDocuments(r.stdout)[0]!.toJS() as { spec: { template: { spec: { containers: Container[] } } } };
    const command = job.spec.template.spec.containers[0]!.command;
    const settings = argument(command, 'algorithm-settings');
    expect(settings).toContain("'num_epochs': '4'");
    const run = spawnSync(
      '/usr/bin/python3',
      [
        join(dartsDir, 'darts_digits.py'),
        `--algorithm-settings=${settings.replace("'num_epochs': '4'", "'num_epochs': '1'")}`,
        `--search-space="${argument(command, 'search-space')}"`,
        `--num-layers=${argument(command, 'num-layers')}`,
      ],
      { encoding: 'utf8', timeout: 90_000 },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Validation-Accuracy=(0|1)\.\d{6}$/m);
    // Two nodes (num_nodes 2), two incoming edges each, operations of the search space only (never "none").
    const op = "\\('(separable_convolution_3x3|dilated_convolution_3x3|max_pooling_3x3|skip_connection)', \\d\\)";
    const cell = `\\[\\[${op}, ${op}\\], \\[${op}, ${op}\\]\\]`;
    expect(run.stdout).toMatch(
      new RegExp(
        `^Best-Genotype=Genotype\\(normal=${cell}, normal_concat=range\\(2, 4\\), reduce=${cell}, reduce_concat=range\\(2, 4\\)\\)$`,
        'm',
      ),
    );
    // The genotype the search printed, retrained from scratch for one epoch (the DARTS benchmark's wiring).
    const genotype = run.stdout.split('\n').findLast((l) => l.startsWith('Best-Genotype='))!;
    const retrain = spawnSync(
      '/usr/bin/python3',
      [
        join(dartsDir, 'train_genotype.py'),
        `--genotype=${genotype}`,
        `--algorithm-settings=${settings}`,
        `--search-space=${argument(command, 'search-space')}`,
        `--num-layers=${argument(command, 'num-layers')}`,
        '--epochs=1',
      ],
      { encoding: 'utf8', timeout: 90_000 },
    );
    expect(retrain.stderr).toBe('');
    expect(retrain.status).toBe(0);
    const lines = retrain.stdout.trim().split('\n');
    expect(lines[0]).toBe(genotype.replace(/^Best-/, ''));
    expect(lines.filter((l) => l.startsWith('Validation-Accuracy='))).toHaveLength(1);
    expect(retrain.stdout).toMatch(/^Validation-Accuracy=(0|1)\.\d{6}$/m);
    expect(lines.at(-1)).toMatch(/^Training-Seconds=\d+\.\d{3}$/);
  }, 180_000);

  it('train_genotype.py refuses genotypes it cannot build, and draws random ones from the search space', () => {
    // One Python process for every case: main() returns 2 and names the problem, before any training.
    const script = `
import contextlib, io, json, sys
sys.path.insert(0, sys.argv[1])
import train_genotype
space = "['separable_convolution_3x3', 'max_pooling_3x3', 'skip_connection']"
common = ["--algorithm-settings={'num_nodes': '2'}", "--search-space=" + space, "--num-layers=3"]
cell = "[[('max_pooling_3x3', 0), ('skip_connection', 1)], [('separable_convolution_3x3', 2), ('max_pooling_3x3', 0)]]"
def genotype(normal=cell, reduce=cell, concat="range(2, 4)"):
    return f"Genotype(normal={normal}, normal_concat={concat}, reduce={reduce}, reduce_concat={concat})"
cases = {
    "code": "__import__('os').system('echo pwned')",
    "call": "Genotype(normal=print('x'), normal_concat=range(2, 4), reduce=[], reduce_concat=range(2, 4))",
    "missing": "Genotype(normal=[], normal_concat=range(2, 4))",
    "input": genotype(normal="[[('max_pooling_3x3', 0), ('skip_connection', 2)]]"),
    "operation": genotype(reduce="[[('convolution_5x5', 0), ('skip_connection', 1)]]"),
    "none": genotype(reduce="[[('none', 0), ('skip_connection', 1)]]"),
    "concat": genotype(concat="range(2, 9)"),
    "syntax": "Genotype(normal=[[",
}
out = {}
for name, text in cases.items():
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = train_genotype.main(["--genotype=" + text] + common)
    out[name] = [code, err.getvalue()]
import random
from darts_digits import parse_genotype
ops = ["max_pooling_3x3", "skip_connection"]
drawn = [train_genotype.random_genotype(ops, 3, random.Random(s)) for s in (7, 7, 8)]
out["random"] = [str(g) for g in drawn]
out["parsed"] = str(parse_genotype(str(drawn[0]), ops)) == str(drawn[0])
print(json.dumps(out))
`;
    const r = spawnSync('/usr/bin/python3', ['-c', script, dartsDir], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, [number, string]> & { random: string[]; parsed: boolean };
    const expected: Record<string, RegExp> = {
      code: /genotype must be Genotype\(/,
      call: /normal must be written with literals only/,
      missing: /genotype needs exactly the keywords normal, normal_concat, reduce, reduce_concat/,
      input: /normal\[0\] takes input 2; node 0 can only use states 0\.\.1/,
      operation: /reduce\[0\] uses 'convolution_5x5', not an operation of the search space/,
      none: /reduce\[0\] uses 'none'/,
      concat: /normal_concat range\(2, 9\) must name states 0\.\.3/,
      syntax: /genotype is not Python literal text/,
    };
    for (const [name, message] of Object.entries(expected)) {
      expect(out[name]![0], name).toBe(2);
      expect(out[name]![1], name).toMatch(new RegExp(`^train-genotype: bad parameters: ${message.source}`));
    }
    // Same seed, same genotype; another seed, another one; each node's two inputs distinct earlier states.
    expect(out.random[0]).toBe(out.random[1]);
    expect(out.random[2]).not.toBe(out.random[0]);
    expect(out.parsed).toBe(true);
    for (const text of out.random) {
      const op = '(?:max_pooling_3x3|skip_connection)';
      const nodes = [...text.matchAll(new RegExp(`\\[\\('${op}', (\\d)\\), \\('${op}', (\\d)\\)\\]`, 'g'))];
      expect(nodes).toHaveLength(6);
      nodes.forEach((m, k) => {
        const node = k % 3;
        expect(Number(m[1])).toBeLessThan(Number(m[2]));
        expect(Number(m[2])).toBeLessThan(2 + node);
      });
    }
  }, 60_000);
});
