// `hpo doctor` as a user runs it: a child process whose KUBECONFIG points at the in-process fake API server.
// Exit 0 when every check passes, 1 when one fails (text and -o json), 2 on bad input.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Finished, hpoFinished } from '../cliRunner.ts';
import { tempDir } from '../helpers.ts';
import { type FakeCluster, startCluster } from '../platform/kubernetes/harness.ts';

let tmp: ReturnType<typeof tempDir>;
let cluster: FakeCluster;
let env: Record<string, string>;
let file: string;

/** A batch Job trial: no CRD to install, so the checks are RBAC, namespace and GPUs. */
const experiment = `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: {name: doc, namespace: team-a}
spec:
  objective: {type: minimize, objectiveMetricName: loss}
  algorithm: {algorithmName: random}
  parameters:
    - {name: x, parameterType: int, feasibleSpace: {min: "1", max: "3"}}
  trialTemplate:
    primaryContainerName: main
    trialParameters: [{name: x, reference: x}]
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        template:
          spec:
            restartPolicy: Never
            containers:
              - name: main
                image: python:3.12
                args: ["--x=\${trialParameters.x}"]
                resources: {limits: {nvidia.com/gpu: 1}}
`;

beforeAll(async () => {
  tmp = tempDir();
  cluster = await startCluster();
  cluster.server.store.create(cluster.server.resource('v1', 'nodes'), undefined, {
    metadata: { name: 'gpu-a' },
    status: { allocatable: { 'nvidia.com/gpu': '8' } },
  } as never);
  const kubeconfig = join(tmp.dir, 'kubeconfig');
  writeFileSync(kubeconfig, cluster.server.kubeConfig('team-a').exportConfig());
  env = { KUBECONFIG: kubeconfig };
  file = join(tmp.dir, 'exp.yaml');
  writeFileSync(file, experiment);
});
afterAll(async () => {
  await cluster.close();
  tmp.cleanup();
});

/** Runs hpo without blocking this process's event loop (the fake server lives here). */
const run = (args: string[]): Promise<Finished> => hpoFinished(args, { env });

describe('hpo doctor', { timeout: 60_000 }, () => {
  it('exit 0 when every check passes (for the backend)', async () => {
    const r = await run(['doctor', file, '--for', 'run']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('PASS  rbac      allowed: create, get, list, watch, delete jobs.batch in team-a');
    expect(r.stdout).toContain('PASS  gpu ');
    expect(r.stdout.trimEnd().endsWith('all checks passed')).toBe(true);
    expect(r.status).toBe(0);
  });

  it('exit 1 with the fix when one fails; -o json gives every check', async () => {
    // team-a lacks Katib's label, and the Experiment CRD is not installed: hpo submit would fail.
    const text = await run(['doctor', file, '--for', 'submit']);
    expect(text.status).toBe(1);
    expect(text.stdout).toContain('FAIL  namespace');
    expect(text.stdout).toContain(
      'fix: kubectl label namespace team-a katib.kubeflow.org/metrics-collector-injection=enabled',
    );
    const json = await run(['doctor', file, '--for', 'submit', '-o', 'json']);
    expect(json.status).toBe(1);
    const doc = JSON.parse(json.stdout) as { ok: boolean; checks: { check: string; status: string }[] };
    expect(doc.ok).toBe(false);
    // Nor is Katib (no katib-config in the namespace named by --katib-namespace).
    expect(doc.checks.filter((c) => c.status === 'fail').map((c) => c.check)).toEqual(['crd', 'namespace', 'katib']);
    const elsewhere = await run(['doctor', file, '--for', 'submit', '--katib-namespace', 'katib-system']);
    expect(elsewhere.stdout).toContain('FAIL  katib     no ConfigMap katib-system/katib-config');
  });

  it('hpo run --stuck-grace ends a trial stuck in ImagePullBackOff with the reason and the fix', async () => {
    const stuck = join(tmp.dir, 'stuck.yaml');
    writeFileSync(
      stuck,
      experiment
        .replace('name: doc,', 'name: stuck,')
        .replace('args: ["--x=${trialParameters.x}"]', 'args: ["--x=${trialParameters.x}", "--pull-fail"]')
        .replace(
          'algorithm: {algorithmName: random}',
          'algorithm: {algorithmName: random}\n  maxTrialCount: 1\n  maxFailedTrialCount: 1\n  parallelTrialCount: 1',
        ),
    );
    const started = performance.now();
    const r = await run([
      'run',
      stuck,
      '--backend',
      'kubernetes',
      '--store',
      join(tmp.dir, 'store'),
      '--stuck-grace',
      '100ms',
      '-q',
    ]);
    expect(r.stderr).toContain('ImagePullBackOff');
    expect(r.stderr).toContain('cannot pull image python:3.12: Back-off pulling image');
    expect(r.stderr).toContain('imagePullSecret');
    expect(r.status).not.toBe(0);
    // Ended by the watch (polled every 5 s), not by a deadline.
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it('--stuck-grace is checked: a bad duration, or no kubernetes backend, is exit 2', async () => {
    expect((await run(['run', file, '--backend', 'kubernetes', '--stuck-grace', 'soon'])).status).toBe(2);
    const local = await run(['run', file, '--stuck-grace', '60s']);
    expect(local.status).toBe(2);
    expect(local.stderr).toContain('--stuck-grace needs --backend kubernetes');
  });

  it('exit 2 on bad input: an invalid experiment, an unknown --for', async () => {
    const bad = join(tmp.dir, 'bad.yaml');
    writeFileSync(bad, experiment.replace('max: "3"', 'max: "zero"'));
    const r = await run(['doctor', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('feasibleSpace.max');
    expect((await run(['doctor', file, '--for', 'everything'])).status).toBe(2);
    expect((await run(['doctor', join(tmp.dir, 'missing.yaml')])).status).toBe(2);
  });
});
