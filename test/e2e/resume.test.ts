import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, openStore } from '../../src/store/open.ts';
import { hpo, hpoAsync } from '../cliRunner.ts';
import { tempDir } from '../helpers.ts';

const trial = fileURLToPath(new URL('../fixtures/trials/slow.mjs', import.meta.url));

function experimentYaml(name: string, maxTrials: number): string {
  return `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${name}
spec:
  objective: {type: minimize, objectiveMetricName: loss}
  algorithm:
    algorithmName: grid
  parallelTrialCount: 2
  maxTrialCount: ${maxTrials}
  resumePolicy: LongRunning
  parameters:
    - name: x
      parameterType: int
      feasibleSpace: {min: "0", max: "11"}
  trialTemplate:
    primaryContainerName: main
    trialParameters:
      - name: x
        reference: x
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        template:
          spec:
            containers:
              - name: main
                image: node:20
                command: [node, ${JSON.stringify(trial)}, "\${trialParameters.x}", "400"]
            restartPolicy: Never
`;
}

let tmp: ReturnType<typeof tempDir>;
beforeEach(async () => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('crash and resume with real processes', () => {
  it('after kill -9 of `hpo run`, `hpo resume` continues without losing or rerunning completed trials', async () => {
    const file = join(tmp.dir, 'exp.yaml');
    const storeDir = join(tmp.dir, 'store');
    const ledger = join(tmp.dir, 'ledger.txt');
    writeFileSync(file, experimentYaml('crashy', 8));
    writeFileSync(ledger, '');
    const env = { LEDGER: ledger };
    const child = hpoAsync(['run', file, '--store', storeDir, '--quiet'], { env });
    const succeededNow = (): string[] => {
      try {
        const s = openDatabase(storeDir);
        try {
          return s
            .listTrials('crashy')
            .filter((t) => t.state === 'Succeeded')
            .map((t) => t.name);
        } finally {
          s.close();
        }
      } catch {
        return [];
      }
    };
    await waitFor(() => succeededNow().length >= 3, 60_000);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const store = openStore(storeDir);
    const before = await store.listTrials('crashy');
    await store.close();
    const doneBefore = before.filter((t) => t.state === 'Succeeded');
    expect(doneBefore.length).toBeGreaterThanOrEqual(3);
    expect(before.some((t) => t.state === 'Running' || t.state === 'Pending')).toBe(true);

    const resumed = hpo(['resume', 'crashy', '--store', storeDir, '--output', 'json'], { env });
    expect(resumed.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(resumed.status).toBe(0);
    const doc = JSON.parse(resumed.stdout);
    expect(doc.status).toBe('Succeeded');
    expect(doc.reason).toBe('ExperimentMaxTrialsReached');
    const after = doc.trials as { name: string; state: string; objective: number | null; parameters: { x: number } }[];
    // Completed trials are kept exactly as they were.
    for (const t of doneBefore) {
      const same = after.find((a) => a.name === t.name);
      expect(same?.state).toBe('Succeeded');
      expect(same?.objective).toBe(t.objective);
    }
    // Interrupted trials are Killed with a reason; their slots were issued again.
    const killed = after.filter((t) => t.state === 'Killed');
    expect(killed.length).toBeGreaterThan(0);
    const succeeded = after.filter((t) => t.state === 'Succeeded');
    expect(succeeded).toHaveLength(8);
    // The grid never evaluates a point twice to completion.
    expect(new Set(succeeded.map((t) => t.parameters.x)).size).toBe(8);
    // No completed trial ran twice: every succeeded trial started exactly once.
    const starts = readFileSync(ledger, 'utf8')
      .split('\n')
      .filter((l) => l.endsWith(' start'));
    for (const t of succeeded) expect(starts.filter((l) => l === `${t.name} start`)).toHaveLength(1);

    const reasons = openStore(storeDir);
    expect(
      (await reasons.listTrials('crashy'))
        .filter((t) => t.state === 'Killed')
        .every((t) => t.reason === 'ControllerRestarted'),
    ).toBe(true);
    await reasons.close();

    // Katib budget editing: raise maxTrialCount on the LongRunning experiment and it continues.
    const more = hpo(['resume', 'crashy', '--store', storeDir, '--max-trials', '10', '--output', 'json', '--quiet'], {
      env,
    });
    expect(more.status).toBe(0);
    const doc2 = JSON.parse(more.stdout);
    expect(doc2.trials.filter((t: { state: string }) => t.state === 'Succeeded')).toHaveLength(10);
  }, 120_000);
});
