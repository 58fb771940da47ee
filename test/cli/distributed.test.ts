import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hpo } from '../cliRunner.ts';
import { tempDir } from '../helpers.ts';

const replica = fileURLToPath(new URL('../fixtures/distributed/replica.mjs', import.meta.url));
let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => tmp.cleanup());

function replicaSpec(role: string, print: string): string {
  return `          ${role}:
            replicas: 1
            restartPolicy: OnFailure
            template:
              spec:
                containers:
                  - name: pytorch
                    image: node
                    command: [node, ${JSON.stringify(replica)}, --print, "${print}"]`;
}

describe('hpo run with a multi-replica PyTorchJob trial', () => {
  it('picks the local distributed launcher and collects metrics from the master', () => {
    const file = join(tmp.dir, 'exp.yaml');
    writeFileSync(
      file,
      `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: {name: ddp-cli}
spec:
  objective: {type: minimize, objectiveMetricName: loss}
  algorithm: {algorithmName: grid}
  parallelTrialCount: 1
  parameters:
    - {name: x, parameterType: int, feasibleSpace: {min: "1", max: "2"}}
  trialTemplate:
    primaryContainerName: pytorch
    trialParameters: [{name: x, reference: x}]
    trialSpec:
      apiVersion: kubeflow.org/v1
      kind: PyTorchJob
      spec:
        pytorchReplicaSpecs:
${replicaSpec('Master', 'loss=${trialParameters.x}')}
${replicaSpec('Worker', 'loss=99')}
`,
    );
    const r = hpo(['run', file, '--store', join(tmp.dir, 'store'), '--output', 'json']);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.reason).toBe('ExperimentSuggestionEndReached');
    // The worker's loss=99 is never collected: metrics come from the master replica only.
    expect(doc.trials.map((t: { objective: number }) => t.objective)).toEqual([1, 2]);

    // Each replica's output is its own log: `hpo logs` shows the master's, `--replica` any other's.
    const store = join(tmp.dir, 'store');
    const first = doc.trials[0].name as string;
    const master = hpo(['logs', 'ddp-cli', first, '--store', store]);
    expect(master.status).toBe(0);
    expect(master.stdout).toBe('loss=1\n');
    expect(master.stderr).toContain('this is the log of master-0');
    expect(master.stderr).toContain('--replica worker-0');
    const worker = hpo(['logs', 'ddp-cli', first, '--replica', 'worker-0', '--store', store]);
    expect(worker.status).toBe(0);
    expect(worker.stdout).toBe('loss=99\n');
  });
});
