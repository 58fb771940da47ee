/* biome-ignore-all lint/suspicious/noExplicitAny: tests read the pipeline document freely. */
/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: Katib placeholders are data here. */
// The whole tuning as a KFP pipeline (`--with-tuning`): the IR is checked with KFP's real pipeline_spec.proto and its
// wiring rules; the tuning step's script runs for real (kubelet expansion applied as in a pod) against a fake
// kubectl that plays Katib, and the retrain step, given the values it output, runs the same command as the
// retraining pipeline of a trial with those values.
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ErrorCode } from '../../../src/common/errors.ts';
import {
  kfpInputPlaceholder,
  pipelineYaml,
  retrainPipeline,
  tuningPipeline,
  validatePipeline,
} from '../../../src/platform/kfp/index.ts';
import { applyDefaults } from '../../../src/spec/defaults.ts';
import type { ExperimentManifest } from '../../../src/spec/types.ts';
import { caught, tempDir } from '../../helpers.ts';
import { experiment, trial } from '../../store/fixtures-data.ts';
import { kfpProtoDir } from './fixtures.ts';

function tuned(container: Record<string, unknown> = {}, names = ['lr', 'opt']) {
  const manifest = applyDefaults({
    apiVersion: 'kubeflow.org/v1beta1',
    kind: 'Experiment',
    metadata: { name: 'tune', namespace: 'team-a', annotations: { 'hpo-workbench.io/artifacts': 's3://b/p' } },
    spec: {
      objective: { type: 'maximize', objectiveMetricName: 'accuracy' },
      algorithm: { algorithmName: 'random' },
      maxTrialCount: 4,
      parameters: [
        { name: names[0]!, parameterType: 'double', feasibleSpace: { min: '0.01', max: '0.1' } },
        { name: names[1]!, parameterType: 'categorical', feasibleSpace: { list: ['sgd', 'adam'] } },
      ],
      trialTemplate: {
        primaryContainerName: 'main',
        trialParameters: [
          { name: 'learningRate', reference: names[0]! },
          { name: 'optimizer', reference: names[1]! },
        ],
        trialSpec: {
          apiVersion: 'batch/v1',
          kind: 'Job',
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    name: 'main',
                    image: 'train:1',
                    command: ['python3', 'train.py', '--lr=${trialParameters.learningRate}'],
                    args: ['--opt', '${trialParameters.optimizer}', '--out=$(HPO_ARTIFACTS_DIR)', '--cost=$$5'],
                    env: [{ name: 'HPO_ARTIFACTS_DIR', value: '/tmp/out' }],
                    ...container,
                  },
                ],
                restartPolicy: 'Never',
              },
            },
          },
        },
      },
    },
  } as unknown as ExperimentManifest);
  return experiment('tune', { manifest, namespace: 'team-a' });
}

/** The kubelet's `$(VAR)` expansion and `$$` reduction, as a pod's command gets it. */
const kubeletExpand = (text: string, env: Record<string, string>): string =>
  text.replace(/\$\$|\$\(([^)]*)\)/g, (whole, name: string | undefined) =>
    whole === '$$' ? '$' : name !== undefined && name in env ? env[name]! : whole,
  );

/**
 * A kubectl that plays Katib: `apply` keeps the manifest it got; `get … -o jsonpath=…` answers the Succeeded condition
 * True from its third look (Failed when `$FAKE_FAIL` is set) and the optimal trial's values from `$FAKE_VALUES`.
 */
const fakeKubectl = `#!/bin/sh
case "$1" in
  apply) cat > "$FAKE_DIR/applied.yaml"; echo "experiment.kubeflow.org/tune created" ;;
  get)
    for a in "$@"; do case "$a" in jsonpath=*) q=\${a#jsonpath=} ;; esac; done
    n=$(cat "$FAKE_DIR/looks" 2>/dev/null || echo 0); echo $((n + 1)) > "$FAKE_DIR/looks"
    case "$q" in
      *'type=="Succeeded"'*) if [ -z "\${FAKE_FAIL:-}" ] && [ "$n" -ge 2 ]; then printf True; fi ;;
      *'type=="Failed")].status'*) if [ -n "\${FAKE_FAIL:-}" ]; then printf True; fi ;;
      *'type=="Failed")].message'*) printf 'the algorithm failed' ;;
      *'@.name=="lr"'*) printf '0.042' ;;
      *'@.name=="opt"'*) printf 'adam' ;;
    esac ;;
esac
`;

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('hpo-kfp-tuning-');
  writeFileSync(join(tmp.dir, 'kubectl'), fakeKubectl);
  chmodSync(join(tmp.dir, 'kubectl'), 0o755);
});
afterEach(() => tmp.cleanup());

/** Runs the tuning step's container as its pod would, KFP's output placeholders pointing into the temp folder. */
function runTuneStep(spec: any, env: Record<string, string> = {}) {
  const c = spec.deploymentSpec.executors['exec-tune'].container;
  const argv = (c.command as string[])
    .map((w) => kubeletExpand(w, {}))
    .map((w) =>
      w.replace(/\{\{\$\.outputs\.parameters\['([^']+)'\]\.output_file\}\}/, (_, n) => join(tmp.dir, 'out', n)),
    );
  return spawnSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    timeout: 20_000,
    env: { PATH: `${tmp.dir}:${process.env.PATH}`, FAKE_DIR: tmp.dir, ...env },
  });
}

describe('hpo export --to kfp --with-tuning', () => {
  it('tunes with Katib first, then retrains with the values it found; valid against the real proto', async () => {
    const exp = tuned();
    const { spec, warnings } = tuningPipeline(exp, { pollSeconds: 0.05 });
    expect(warnings).toEqual([]);
    const s = spec as any;
    expect(Object.keys(s.root.dag.tasks).sort()).toEqual(['retrain', 'tune']);
    expect(s.root.dag.tasks.retrain.inputs.parameters.lr).toEqual({
      taskOutputParameter: { outputParameterKey: 'lr', producerTask: 'tune' },
    });
    expect(s.components['comp-tune'].outputDefinitions.parameters).toEqual({
      lr: { parameterType: 'STRING' },
      opt: { parameterType: 'STRING' },
    });
    const retrain = s.deploymentSpec.executors['exec-retrain'].container;
    expect(retrain.command.slice(-3)).toEqual(['python3', 'train.py', `--lr=${kfpInputPlaceholder('lr')}`]);
    expect(retrain.args).toEqual(['--opt', kfpInputPlaceholder('opt'), '--out=$(HPO_ARTIFACTS_DIR)', '--cost=$$5']);
    expect((await validatePipeline(pipelineYaml(spec), { schema: kfpProtoDir })).issues).toEqual([]);

    // The tuning step, for real: it applies the Experiment, waits for Succeeded, writes each value to its output.
    const r = runTuneStep(spec);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(join(tmp.dir, 'out', 'lr'), 'utf8')).toBe('0.042');
    expect(readFileSync(join(tmp.dir, 'out', 'opt'), 'utf8')).toBe('adam');
    expect(Number(readFileSync(join(tmp.dir, 'looks'), 'utf8'))).toBeGreaterThanOrEqual(3);
    // Katib gets the experiment as stored, `$(…)` of the template intact through the kubelet's expansion.
    const applied = parseYaml(readFileSync(join(tmp.dir, 'applied.yaml'), 'utf8'));
    expect(applied.metadata).toEqual({
      name: 'tune',
      namespace: 'team-a',
      annotations: { 'hpo-workbench.io/artifacts': 's3://b/p' },
    });
    expect(applied.spec).toEqual(exp.manifest.spec);

    // The launcher fills the retrain step's placeholders with those outputs: the command the retraining pipeline
    // of a trial with the same values runs.
    const filled = (w: string) =>
      w.replace(/\{\{\$\.inputs\.parameters\['(\w+)'\]\}\}/g, (_, n) => ({ lr: '0.042', opt: 'adam' })[n as 'lr']);
    const direct = retrainPipeline(
      exp,
      trial('tune', 0, { params: { lr: 0.042, opt: 'adam' }, state: 'Succeeded', objective: 1 }),
    );
    const d = (direct.spec as any).deploymentSpec.executors['exec-retrain'].container;
    expect(retrain.command.map(filled)).toEqual(d.command);
    expect(retrain.args.map(filled)).toEqual(d.args);
  });

  it('fails the step with Katib’s message when the Experiment fails', () => {
    const r = runTuneStep(tuningPipeline(tuned(), { pollSeconds: 0.05 }).spec, { FAKE_FAIL: '1' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Katib Experiment team-a/tune failed: the algorithm failed');
  });

  it('refuses a parameter in env (KFP fills placeholders in command and args only) and unquotable names', () => {
    const inEnv = caught(() =>
      tuningPipeline(tuned({ env: [{ name: 'LR', value: '${trialParameters.learningRate}' }] })),
    );
    expect(inEnv.code).toBe(ErrorCode.unsupported);
    expect(inEnv.message).toContain("env 'LR' of the primary container holds a parameter");
    const script = caught(() =>
      tuningPipeline(tuned({ command: ['sh', '-c', 'python3 t.py --lr=${trialParameters.learningRate}'], args: [] })),
    );
    expect(script.message).toContain(
      'sh -c script takes parameter learningRate through its env (HPO_PARAM_learningRate)',
    );
    const quoted = caught(() => tuningPipeline(tuned({}, ["l'r", 'opt'])));
    expect(quoted.message).toContain(`parameter name "l'r" cannot name a KFP parameter`);
  });
});
