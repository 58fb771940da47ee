/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: Katib's ${trialParameters.x} placeholders are data here. */
import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../src/common/errors.ts';
import { loadConfigMaps, loadExperiments } from '../../src/spec/load.ts';
import { renderTrialSpec, templateText } from '../../src/spec/template.ts';
import type { TrialParameterSpec } from '../../src/spec/types.ts';
import { type Loose, readExample } from './helpers.ts';

function shellJob(command: unknown[], args?: unknown[]): Record<string, unknown> {
  const container: Record<string, unknown> = { name: 'main', image: 'busybox', command };
  if (args) container.args = args;
  return { apiVersion: 'batch/v1', kind: 'Job', spec: { template: { spec: { containers: [container] } } } };
}

function firstContainer(job: Record<string, unknown>): {
  command: string[];
  args?: string[];
  env?: { value: string }[];
} {
  return (job as Loose).spec.template.spec.containers[0];
}

const tp = (name: string, reference = name): TrialParameterSpec => ({ name, reference });

describe('renderTrialSpec', () => {
  it("renders Katib's metadata-substitution example", () => {
    const [m] = loadExperiments(readExample('trial-template__trial-metadata-substitution.yaml'));
    const tt = m!.spec.trialTemplate!;
    const job = renderTrialSpec({
      template: tt.trialSpec!,
      trialParameters: tt.trialParameters!,
      assignment: { lr: 0.0123, momentum: 0.7 },
      trialName: 'trial-metadata-substitution-x7k2p9q4',
      namespace: 'kubeflow',
    });
    const c = firstContainer(job);
    expect(c.command).toContain('--lr=0.0123');
    expect(c.command).toContain('--momentum=0.7');
    expect(c.env?.map((e) => e.value)).toEqual([
      'trial-metadata-substitution-x7k2p9q4',
      'kubeflow',
      'Job',
      'batch/v1',
      'custom-label',
      'custom-annotation',
    ]);
    expect(job.metadata).toEqual({
      name: 'trial-metadata-substitution-x7k2p9q4',
      namespace: 'kubeflow',
      labels: { 'custom-key': 'custom-label' },
      annotations: { 'custom-key': 'custom-annotation' },
    });
    expect(tt.trialSpec).not.toHaveProperty('metadata.name'); // the input is not mutated
  });

  it('keeps the job valid JSON when a value holds quotes and backslashes (Katib would not)', () => {
    const template = shellJob(['python3', 'train.py', '--name=${trialParameters.name}']);
    const value = 'say "hi" \\ bye';
    const katibStyle = templateText(template).replaceAll('${trialParameters.name}', value);
    expect(() => JSON.parse(katibStyle)).toThrow();
    const job = renderTrialSpec({
      template,
      trialParameters: [tp('name', 'n')],
      assignment: { n: value },
      trialName: 't',
      namespace: 'ns',
    });
    expect(firstContainer(job).command[2]).toBe(`--name=${value}`);
    expect(JSON.parse(JSON.stringify(job))).toEqual(job);
  });

  it.each([
    ['bare word', 'run --opt=${trialParameters.v} --lr=1', 'run --opt="${HPO_PARAM_v}" --lr=1'],
    ['inside double quotes', 'run --opt="${trialParameters.v}"', 'run --opt="${HPO_PARAM_v}"'],
    ['inside single quotes', "run --opt='${trialParameters.v}'", `run --opt=''"\${HPO_PARAM_v}"''`],
  ])('puts a reference to the value, never the value, into an sh -c script: %s', (_case, script, expected) => {
    const job = renderTrialSpec({
      template: shellJob(['sh', '-c'], [script]),
      trialParameters: [tp('v')],
      assignment: { v: 'a b; rm -rf /' },
      trialName: 't',
      namespace: 'ns',
    });
    expect(firstContainer(job).args).toEqual([expected]);
    expect(firstContainer(job).env).toEqual([{ name: 'HPO_PARAM_v', value: 'a b; rm -rf /' }]);
  });

  it('finds the script behind wrappers and leaves non-shell arguments as Katib does', () => {
    const job = renderTrialSpec({
      template: {
        apiVersion: 'batch/v1',
        kind: 'Job',
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: 'a',
                  command: ['timeout', '60', 'nice', '-n', '5', 'sh', '-c', 'train --lr=${trialParameters.lr}'],
                },
                { name: 'b', command: ['python3', '--opt=${trialParameters.v}'], env: [{ name: 'X', value: '1' }] },
              ],
            },
          },
        },
      },
      trialParameters: [tp('lr'), tp('v')],
      assignment: { lr: 1e-7, v: 'a b' },
      trialName: 't',
      namespace: 'ns',
    });
    const [a, b] = (job as Loose).spec.template.spec.containers;
    expect(a.command[7]).toBe('train --lr="${HPO_PARAM_lr}"');
    expect(b.command[1]).toBe('--opt=a b');
    // Every container gets the variables a script uses (a launcher may run another container's command).
    expect(a.env).toEqual([{ name: 'HPO_PARAM_lr', value: '1e-7' }]);
    expect(b.env).toEqual([
      { name: 'X', value: '1' },
      { name: 'HPO_PARAM_lr', value: '1e-7' },
    ]);
  });

  it('escapes $ in the env value, since Kubernetes expands $(VAR) there', () => {
    const job = renderTrialSpec({
      template: shellJob(['sh', '-c', 'echo ${trialParameters.v}']),
      trialParameters: [tp('v')],
      assignment: { v: '$(HOME)$$' },
      trialName: 't',
      namespace: 'n',
    });
    expect(firstContainer(job).env).toEqual([{ name: 'HPO_PARAM_v', value: '$$(HOME)$$$$' }]);
  });

  it('keeps env names distinct from each other and from the container’s own', () => {
    const template = shellJob(['sh', '-c', 'echo ${trialParameters.a-b} ${trialParameters.a_b}']);
    (template as Loose).spec.template.spec.containers[0].env = [{ name: 'HPO_PARAM_a_b', value: 'mine' }];
    const job = renderTrialSpec({
      template,
      trialParameters: [tp('a-b', 'x'), tp('a_b', 'y')],
      assignment: { x: 1, y: 2 },
      trialName: 't',
      namespace: 'n',
    });
    const c = firstContainer(job);
    expect(c.command[2]).toBe('echo "${HPO_PARAM_a_b_2}" "${HPO_PARAM_a_b_3}"');
    expect(c.env).toEqual([
      { name: 'HPO_PARAM_a_b', value: 'mine' },
      { name: 'HPO_PARAM_a_b_2', value: '1' },
      { name: 'HPO_PARAM_a_b_3', value: '2' },
    ]);
  });

  it.each([
    ['a NUL in a value', 'echo ${trialParameters.v}', 'a\u0000b', /trial parameter "v": its value contains a NUL/],
    [
      'a non-number in arithmetic',
      'echo $((${trialParameters.v} + 1))',
      'a[$(id)]',
      /"v" is used inside shell arithmetic/,
    ],
  ])('refuses %s, naming the parameter', (_case, script, value, message) => {
    const run = () =>
      renderTrialSpec({
        template: shellJob(['bash', '-c', script]),
        trialParameters: [tp('v')],
        assignment: { v: value },
        trialName: 't',
        namespace: 'n',
      });
    expect(run).toThrow(WorkbenchError);
    expect(run).toThrow(message);
  });

  it('refuses a placeholder in the script of a shell with another syntax', () => {
    const run = () =>
      renderTrialSpec({
        template: shellJob(['timeout', '9', 'fish', '-c', 'echo ${trialParameters.v}']),
        trialParameters: [tp('v')],
        assignment: { v: 'x' },
        trialName: 't',
        namespace: 'n',
      });
    expect(run).toThrow(/container 'main': a trial parameter is in the script of timeout 9 fish -c/);
  });

  it('gives a TrainJob’s trainer the variables (it is found as a copy named node)', () => {
    const job = renderTrialSpec({
      template: {
        apiVersion: 'trainer.kubeflow.org/v1alpha1',
        kind: 'TrainJob',
        spec: { trainer: { command: ['bash', '-c', 'torchrun train.py --lr ${trialParameters.lr}'] } },
      },
      trialParameters: [tp('lr')],
      assignment: { lr: 0.5 },
      trialName: 't',
      namespace: 'n',
    });
    expect((job as Loose).spec.trainer).toEqual({
      command: ['bash', '-c', 'torchrun train.py --lr "${HPO_PARAM_lr}"'],
      env: [{ name: 'HPO_PARAM_lr', value: '0.5' }],
    });
  });

  it('adds no variables when no script uses a placeholder', () => {
    const job = renderTrialSpec({
      template: shellJob(['python3', 'train.py', '--lr=${trialParameters.lr}']),
      trialParameters: [tp('lr')],
      assignment: { lr: 0.1 },
      trialName: 't',
      namespace: 'n',
    });
    expect(firstContainer(job).env).toBeUndefined();
  });

  it('types a bare ConfigMap placeholder like Katib’s text substitution', () => {
    const text = [
      'apiVersion: kubeflow.org/v1',
      'kind: PyTorchJob',
      'spec:',
      '  pytorchReplicaSpecs:',
      '    Worker:',
      '      replicas: ${trialParameters.workers}',
      '      template:',
      '        spec:',
      '          containers:',
      '            - name: pytorch',
      '              args: ["--workers=${trialParameters.workers}", "${trialParameters.workers}"]',
    ].join('\n');
    const job = renderTrialSpec({
      template: text,
      trialParameters: [tp('workers')],
      assignment: { workers: 3 },
      trialName: 't',
      namespace: 'n',
    });
    const worker = (job as Loose).spec.pytorchReplicaSpecs.Worker;
    expect(worker.replicas).toBe(3);
    expect(worker.template.spec.containers[0].args).toEqual(['--workers=3', '3']);
  });

  it('renders the shipped ConfigMap template', () => {
    const cms = loadConfigMaps(readExample('manifests__trial-templates-configmap.yaml'));
    const job = renderTrialSpec({
      template: cms['kubeflow/trial-templates']!['defaultTrialTemplate.yaml']!,
      trialParameters: [tp('learningRate', 'lr'), tp('momentum')],
      assignment: { lr: 0.02, momentum: 0.5 },
      trialName: 'tr',
      namespace: 'kubeflow',
    });
    expect(firstContainer(job).command.slice(-2)).toEqual(['--lr=0.02', '--momentum=0.5']);
    expect(job.metadata).toEqual({ name: 'tr', namespace: 'kubeflow' });
  });

  it.each([
    ['a missing assignment', [tp('x', 'lr')], {}, /references parameter "lr"/],
    ['a missing label', [tp('x', '${trialSpec.Labels[team]}')], {}, /metadata.labels has no key "team"/],
    ['an unsupported meta key', [tp('x', '${trialSpec.UID}')], {}, /illegal reference of trial metadata/],
  ])('throws on %s', (_case, trialParameters, assignment, message) => {
    const run = () =>
      renderTrialSpec({
        template: shellJob(['echo', '${trialParameters.x}']),
        trialParameters,
        assignment,
        trialName: 't',
        namespace: 'n',
      });
    expect(run).toThrow(WorkbenchError);
    expect(run).toThrow(message);
  });
});
