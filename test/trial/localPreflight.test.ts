import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadExperiments } from '../../src/spec/load.ts';
import type { ExperimentManifest } from '../../src/spec/types.ts';
import { localRunProblems } from '../../src/trial/localPreflight.ts';

const examples = fileURLToPath(new URL('../../../shared/katib/examples/', import.meta.url));
const katib = (file: string): ExperimentManifest => loadExperiments(readFileSync(`${examples}${file}`, 'utf8'))[0]!;

function jobWith(command: string[], args: string[] = []): ExperimentManifest {
  return {
    apiVersion: 'kubeflow.org/v1beta1',
    kind: 'Experiment',
    metadata: { name: 'p' },
    spec: {
      trialTemplate: {
        primaryContainerName: 'main',
        trialSpec: {
          apiVersion: 'batch/v1',
          kind: 'Job',
          spec: { template: { spec: { containers: [{ name: 'main', image: 'org/train:1', command, args }] } } },
        },
      },
    },
  };
}

describe('localRunProblems', () => {
  it.each([
    ['argo__argo-workflow.yaml', 'an Argo Workflow runs only in a cluster'],
    ['tekton__pipeline-run.yaml', 'a Tekton PipelineRun runs only in a cluster'],
  ])('%s: a workflow engine template runs only in a cluster', (file, message) => {
    expect(localRunProblems(katib(file))).toEqual([
      expect.objectContaining({ path: 'spec.trialTemplate.trialSpec.kind', message: expect.stringContaining(message) }),
    ]);
  });

  it("names the image a missing script comes from, at the script's path", () => {
    const [p] = localRunProblems(katib('hp-tuning__random.yaml'));
    expect(p?.path).toBe('spec.trialTemplate.trialSpec.spec.template.spec.containers[0].command[1]');
    expect(p?.message).toContain("'/opt/pytorch-mnist/mnist.py' does not exist on this machine");
    expect(p?.message).toContain('ghcr.io/kubeflow/katib/pytorch-mnist-cpu:latest');
    expect(p?.fix).toContain('--backend kubernetes');
  });

  it.each([
    ['a missing absolute program', ['/opt/bin/train'], [], 'command[0]'],
    ['a script after interpreter options', ['python3', '-u'], ['/srv/app/train.py', '--lr=1'], 'args[0]'],
    ['node with a missing script', ['/usr/bin/env', 'node'], [], undefined],
  ])('%s', (_, command, args, where) => {
    const problems = localRunProblems(jobWith(command, args));
    if (where === undefined) expect(problems).toEqual([]);
    else
      expect(problems.map((p) => p.path)).toEqual([
        `spec.trialTemplate.trialSpec.spec.template.spec.containers[0].${where}`,
      ]);
  });

  it.each([
    ['an existing interpreter and script', [process.execPath, fileURLToPath(import.meta.url)]],
    ['inline code', ['python3', '-c', 'print(1)']],
    ['a module', ['python3', '-m', 'train']],
    ['a shell script', ['sh', '-c', 'python3 /opt/train.py']],
    ['a path still to be substituted', ['python3', '$(HPO_EXPERIMENT_DIR)/train.py']],
    ['a relative script', ['python3', 'train.py']],
  ])('leaves %s alone', (_, command) => {
    expect(localRunProblems(jobWith(command))).toEqual([]);
  });
});
