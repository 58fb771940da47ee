/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: Katib's ${trialParameters.x} placeholders are data here. */
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
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

/** Characters a shell treats specially, plus a few ordinary ones. */
const shellSpecials = [...`'"\\$\`;|&*?!#~(){}[]<> \t\n%=-é`, 'a', '-x'];

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
    ['bare word', 'run --opt=${trialParameters.v} --lr=1', "run --opt='a b; rm -rf /' --lr=1"],
    ['inside double quotes', 'run --opt="${trialParameters.v}"', 'run --opt="a b; rm -rf /"'],
    ['inside single quotes', "run --opt='${trialParameters.v}'", "run --opt='a b; rm -rf /'"],
  ])('shell-quotes a dangerous value in an sh -c script: %s', (_case, script, expected) => {
    const job = renderTrialSpec({
      template: shellJob(['sh', '-c'], [script]),
      trialParameters: [tp('v')],
      assignment: { v: 'a b; rm -rf /' },
      trialName: 't',
      namespace: 'ns',
    });
    expect(firstContainer(job).args).toEqual([expected]);
  });

  it('quotes with the context each placeholder is in', () => {
    const job = renderTrialSpec({
      template: shellJob([
        '/bin/bash',
        '-ec',
        'echo "${trialParameters.v}" \'${trialParameters.v}\' ${trialParameters.v}',
      ]),
      trialParameters: [tp('v')],
      assignment: { v: `it's "$(id)"` },
      trialName: 't',
      namespace: 'ns',
    });
    expect(firstContainer(job).command[2]).toBe(`echo "it's \\"\\$(id)\\"" 'it'\\''s "$(id)"' 'it'\\''s "$(id)"'`);
  });

  it('leaves safe tokens and non-shell arguments unquoted', () => {
    const job = renderTrialSpec({
      template: {
        apiVersion: 'batch/v1',
        kind: 'Job',
        spec: {
          template: {
            spec: {
              containers: [
                { name: 'a', command: ['sh', '-c', 'train --lr=${trialParameters.lr}'] },
                { name: 'b', command: ['python3', '--opt=${trialParameters.v}'] },
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
    expect(a.command[2]).toBe('train --lr=1e-7');
    expect(b.command[1]).toBe('--opt=a b');
  });

  it('a shell receives any value intact as one argument', () => {
    const template = shellJob(['sh', '-c', 'printf %s ${trialParameters.v}; printf "|%s" "${trialParameters.v}"']);
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...shellSpecials), maxLength: 12 }), (v) => {
        const job = renderTrialSpec({
          template,
          trialParameters: [tp('v')],
          assignment: { v },
          trialName: 't',
          namespace: 'n',
        });
        const [sh, flag, script] = firstContainer(job).command as [string, string, string];
        expect(execFileSync(sh, [flag, script], { encoding: 'utf8' })).toBe(`${v}|${v}`);
      }),
      { numRuns: 25 },
    );
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
