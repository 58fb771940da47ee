/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: Katib's ${trialParameters.x} placeholders are data here. */
// The retraining container: what it carries over from the trial template (image, command, args with the winning
// values, env, resources and GPUs), what it refuses, and that a hostile winning value stays data all the way
// through the kubelet's $(VAR) expansion, KFP's placeholders, our hand-off wrapper and the template's own shell.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../src/common/errors.ts';
import {
  handOffScript,
  type KfpContainer,
  pipelineYaml,
  retrainContainer,
  retrainPipeline,
  validatePipeline,
} from '../../../src/platform/kfp/index.ts';
import { applyDefaults } from '../../../src/spec/defaults.ts';
import type { ExperimentManifest } from '../../../src/spec/types.ts';
import { tempDir } from '../../helpers.ts';
import { experiment, trial } from '../../store/fixtures-data.ts';
import { kfpProtoDir } from './fixtures.ts';

/** An experiment whose trial is a batch Job with `container` as its primary container, and its winning trial. */
function winner(container: Record<string, unknown>, params: Record<string, string | number>, trialSpec?: object) {
  const m = applyDefaults({
    apiVersion: 'kubeflow.org/v1beta1',
    kind: 'Experiment',
    metadata: { name: 'tune' },
    spec: {
      objective: { type: 'maximize', objectiveMetricName: 'accuracy' },
      algorithm: { algorithmName: 'random' },
      parameters: Object.keys(params).map((name) => ({
        name,
        parameterType: 'categorical',
        feasibleSpace: { list: [String(params[name])] },
      })),
      trialTemplate: {
        primaryContainerName: 'main',
        trialParameters: Object.keys(params).map((name) => ({ name, reference: name })),
        trialSpec: trialSpec ?? {
          apiVersion: 'batch/v1',
          kind: 'Job',
          spec: { template: { spec: { containers: [{ name: 'main', ...container }], restartPolicy: 'Never' } } },
        },
      },
    },
  } as ExperimentManifest);
  return {
    exp: experiment('tune', { manifest: m }),
    t: trial('tune', 0, { params, state: 'Succeeded', objective: 0.9 }),
  };
}

const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(WorkbenchError);
    expect((e as WorkbenchError).code).toBe('UNSUPPORTED');
    return (e as Error).message;
  }
  throw new Error('not refused');
};

describe('retrainContainer', () => {
  it('carries image, command, args with the winning values, env and resources; GPUs become the accelerator', () => {
    const { exp, t } = winner(
      {
        image: 'ghcr.io/me/train:1',
        command: ['python3', 'train.py'],
        args: ['--lr=${trialParameters.lr}', '--opt', '${trialParameters.opt}'],
        env: [{ name: 'OMP_NUM_THREADS', value: '4' }],
        resources: {
          limits: { cpu: '4', memory: '16Gi', 'nvidia.com/gpu': 2, 'ephemeral-storage': '10Gi' },
          requests: { cpu: '2', memory: '8Gi' },
        },
      },
      { lr: 0.05, opt: 'adam' },
    );
    const { container, warnings } = retrainContainer(exp, t);
    expect(container).toEqual({
      image: 'ghcr.io/me/train:1',
      command: ['python3', 'train.py'],
      args: ['--lr=0.05', '--opt', 'adam'],
      env: [{ name: 'OMP_NUM_THREADS', value: '4' }],
      resources: {
        resourceCpuLimit: '4',
        resourceMemoryLimit: '16Gi',
        resourceCpuRequest: '2',
        resourceMemoryRequest: '8Gi',
        accelerator: { resourceType: 'nvidia.com/gpu', resourceCount: '2' },
      },
    });
    expect(warnings).toEqual(["resource 'ephemeral-storage' has no field in KFP's container spec and was left out"]);
  });

  it('gives a MIG profile as the accelerator type, verbatim as KFP on Kubernetes wants it', () => {
    const { exp, t } = winner(
      { image: 'i', command: ['x'], resources: { limits: { 'nvidia.com/mig-1g.10gb': 1 } } },
      {},
    );
    expect(retrainContainer(exp, t).container.resources).toEqual({
      accelerator: { resourceType: 'nvidia.com/mig-1g.10gb', resourceCount: '1' },
    });
  });

  it('refuses what one KFP container cannot run', () => {
    const two = winner(
      { image: 'i', command: ['x'], resources: { limits: { 'nvidia.com/gpu': 1, 'nvidia.com/mig-1g.10gb': 1 } } },
      {},
    );
    expect(refusal(() => retrainContainer(two.exp, two.t))).toMatch(/one accelerator type/);
    const noCommand = winner({ image: 'i', args: ['--x'] }, {});
    expect(refusal(() => retrainContainer(noCommand.exp, noCommand.t))).toMatch(/no command.*set command/);
    const secret = winner(
      { image: 'i', command: ['x'], env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] },
      {},
    );
    expect(refusal(() => retrainContainer(secret.exp, secret.t))).toMatch(/env 'TOKEN'.*secretKeyRef/);
    const inProcess = winner({ image: 'i', command: ['x'] }, {});
    delete (inProcess.exp.manifest.spec as { trialTemplate?: unknown }).trialTemplate;
    expect(refusal(() => retrainContainer(inProcess.exp, inProcess.t))).toMatch(
      /no trial template.*calls in the tuning process/,
    );
    const placeholder = winner(
      { image: 'i', command: ['x', '${trialParameters.v}'] },
      { v: "{{$.outputs.artifacts['model'].path}}" },
    );
    expect(refusal(() => retrainContainer(placeholder.exp, placeholder.t))).toMatch(/parameter 'v' contains '\{\{\$'/);
  });
});

/** The kubelet's expansion of command, args and env values: `$$` → `$`, `$(NAME)` → NAME's value when defined. */
function kubeletExpand(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([^)]*)\)/g, (whole, name: string | undefined) =>
    whole === '$$' ? '$' : name !== undefined && name in env ? env[name]! : whole,
  );
}

/** Runs a pipeline's container as a KFP pod would: kubelet expansion, KFP's output placeholders, no shell of ours. */
function runAsPod(c: KfpContainer, dir: string): { model: string; metrics: string } {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir };
  for (const e of c.env ?? []) env[e.name] = kubeletExpand(e.value, env);
  const paths = { model: join(dir, 'model'), metrics: join(dir, 'metrics.json') };
  const argv = [...(c.command ?? []), ...(c.args ?? [])]
    .map((w) => kubeletExpand(w, env))
    .map((w) =>
      w
        .replaceAll("{{$.outputs.artifacts['model'].path}}", paths.model)
        .replaceAll("{{$.outputs.artifacts['metrics'].path}}", paths.metrics),
    );
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd: dir, env, encoding: 'utf8', timeout: 10_000 });
  expect(r.status, r.stderr).toBe(0);
  return paths;
}

describe('a hostile winning value', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('reaches the program exactly, as an argument and inside the template’s shell script, and runs nothing', async () => {
    const marker = join(tmp.dir, 'pwned');
    const value = `a"b'c\n$(touch ${marker}) \`touch ${marker}\` $(HOME) $$ \${HOME} ; touch ${marker} # {{x}}`;
    const { exp, t } = winner(
      {
        image: 'node:20',
        command: [
          process.execPath,
          '-e',
          'require("fs").writeFileSync(process.env.HPO_METRICS_PATH, JSON.stringify(process.argv.slice(1)))',
          '--',
          '--opt=${trialParameters.opt}',
          '${trialParameters.opt}',
        ],
        env: [{ name: 'FROM_VALUE', value: 'v=${trialParameters.opt}' }],
      },
      { opt: value },
    );
    const { spec } = retrainPipeline(exp, t);
    expect((await validatePipeline(pipelineYaml(spec), { schema: kfpProtoDir })).issues).toEqual([]);
    const c = (spec.deploymentSpec as { executors: Record<string, { container: KfpContainer }> }).executors[
      'exec-retrain'
    ]!.container;
    expect(c.command!.slice(0, 4)).toEqual(['sh', '-c', handOffScript, 'hpo-retrain']);
    const fromValue = c.env!.find((e) => e.name === 'FROM_VALUE')!.value;
    expect(kubeletExpand(fromValue, { HOME: tmp.dir })).toBe(`v=${value}`);
    const paths = runAsPod(c, tmp.dir);
    expect(JSON.parse(readFileSync(paths.metrics, 'utf8'))).toEqual([`--opt=${value}`, value]);
    expect(existsSync(marker)).toBe(false);

    // The same value in a template whose container runs it through sh -c: it arrives as HPO_PARAM_opt.
    const shell = winner(
      { image: 'busybox', command: ['sh', '-c', 'printf "%s" "${trialParameters.opt}" > "$HPO_MODEL_PATH"'] },
      { opt: value },
    );
    const sc = retrainPipeline(shell.exp, shell.t).spec as {
      deploymentSpec: { executors: Record<string, { container: KfpContainer }> };
    };
    const shellContainer = sc.deploymentSpec.executors['exec-retrain']!.container;
    expect(shellContainer.command!.join('\n')).not.toContain('touch');
    expect(readFileSync(runAsPod(shellContainer, tmp.dir).model, 'utf8')).toBe(value);
    expect(existsSync(marker)).toBe(false);
  });
});
