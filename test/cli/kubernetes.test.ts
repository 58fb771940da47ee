// The CLI's Kubernetes backend end to end: `hpo` runs as a child process whose KUBECONFIG points at the
// in-process fake API server (real REST + watch through @kubernetes/client-node), with the simulated operator.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { type Finished, hpoFinished } from '../cliRunner.ts';
import { tempDir } from '../helpers.ts';
import { type FakeCluster, startCluster } from '../platform/kubernetes/harness.ts';

let tmp: ReturnType<typeof tempDir>;
let cluster: FakeCluster;
let env: Record<string, string>;
let file: string;

beforeAll(async () => {
  tmp = tempDir();
  cluster = await startCluster();
  const kubeconfig = join(tmp.dir, 'kubeconfig');
  writeFileSync(kubeconfig, cluster.server.kubeConfig('team-a').exportConfig());
  env = { KUBECONFIG: kubeconfig };
  file = join(tmp.dir, 'exp.yaml');
  writeFileSync(
    file,
    `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: {name: k8s-cli, namespace: team-a}
spec:
  objective: {type: minimize, objectiveMetricName: loss}
  algorithm: {algorithmName: grid}
  parallelTrialCount: 2
  parameters:
    - {name: x, parameterType: int, feasibleSpace: {min: "1", max: "3"}}
  trialTemplate:
    primaryContainerName: pytorch
    trialParameters: [{name: x, reference: x}]
    trialSpec:
      apiVersion: kubeflow.org/v1
      kind: PyTorchJob
      spec:
        pytorchReplicaSpecs:
          Master:
            replicas: 1
            restartPolicy: OnFailure
            template:
              spec:
                containers:
                  - name: pytorch
                    image: docker.io/kubeflow/pytorch-mnist:latest
                    args: ["--log=loss=\${trialParameters.x}"]
          Worker:
            replicas: 2
            restartPolicy: OnFailure
            template:
              spec:
                containers:
                  - name: pytorch
                    image: docker.io/kubeflow/pytorch-mnist:latest
                    args: ["--log=loss=999"]
`,
  );
});
afterAll(async () => {
  await cluster.close();
  tmp.cleanup();
});

/** Runs hpo without blocking this process's event loop (the fake server lives here). */
const run = (args: string[]): Promise<Finished> => hpoFinished(args, { env });

describe('hpo with --backend kubernetes against a fake API server', () => {
  it('--dry-run prints one job manifest per first trial', async () => {
    const r = await run(['run', file, '--backend', 'kubernetes', '--dry-run']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const docs = parseAllDocuments(r.stdout).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string; namespace: string } },
    );
    expect(docs).toHaveLength(2);
    for (const d of docs) {
      expect(d.kind).toBe('PyTorchJob');
      expect(d.metadata.namespace).toBe('team-a');
      expect(d.metadata.name).toMatch(/^k8s-cli-/);
    }
  });

  it('--dry-run checks the Experiment as a run does: invalid input is exit 2 with its path, nothing rendered', async () => {
    const bad = join(tmp.dir, 'bad.yaml');
    writeFileSync(bad, readFileSync(file, 'utf8').replace('min: "1", max: "3"', 'min: "5", max: "3"'));
    const r = await run(['run', bad, '--backend', 'kubernetes', '--dry-run']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('spec.parameters[0].feasibleSpace');
  });

  it('runs each trial as a PyTorchJob, collects the master pod log, and deletes finished jobs', async () => {
    const r = await run([
      'run',
      file,
      '--backend',
      'kubernetes',
      '--store',
      join(tmp.dir, 'store'),
      '--output',
      'json',
    ]);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.reason).toBe('ExperimentSuggestionEndReached');
    expect(doc.trials.map((t: { objective: number }) => t.objective)).toEqual([1, 2, 3]);
    expect(cluster.operator.seen).toHaveLength(3);
  });

  it('collects a File collector (JSON) through the sidecar, not the stdout, into the store', async () => {
    const fileExp = join(tmp.dir, 'file.yaml');
    writeFileSync(
      fileExp,
      readFileSync(file, 'utf8')
        .replace('name: k8s-cli,', 'name: k8s-file,')
        .replace(
          '  parallelTrialCount: 2',
          '  parallelTrialCount: 2\n  metricsCollectorSpec:\n    collector: {kind: File}\n    source: {fileSystemPath: {path: /out/metrics.json, kind: File, format: JSON}}',
        )
        .replace(
          'args: ["--log=loss=${trialParameters.x}"]',
          'args: ["--log=loss=999", \'--file-metrics={"loss": "${trialParameters.x}", "epoch": 1}\']',
        ),
    );
    const r = await run(['run', fileExp, '--backend', 'kubernetes', '--store', join(tmp.dir, 'store'), '-o', 'json']);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.trials.map((t: { objective: number }) => t.objective)).toEqual([1, 2, 3]);
  });

  it('submit refuses a namespace without the Katib label and says how to add it', async () => {
    const r = await run(['submit', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('kubectl label namespace team-a katib.kubeflow.org/metrics-collector-injection=enabled');
    cluster.server.addNamespace('team-a', { 'katib.kubeflow.org/metrics-collector-injection': 'enabled' });
    const ok = await run(['submit', file]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('created experiment team-a/k8s-cli');
    const status = await run(['status', 'k8s-cli', '--cluster', '--namespace', 'team-a']);
    expect(status.status).toBe(0);
    expect(status.stdout).toContain('k8s-cli');
    const json = await run(['status', 'k8s-cli', '--cluster', '--namespace', 'team-a', '-o', 'json']);
    const yaml = await run(['status', 'k8s-cli', '--cluster', '--namespace', 'team-a', '-o', 'yaml']);
    expect(yaml.status).toBe(0);
    expect(parseYaml(yaml.stdout)).toEqual(JSON.parse(json.stdout));
  });
});
