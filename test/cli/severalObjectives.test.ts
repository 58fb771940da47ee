// `hpo best`, `hpo trials` and `hpo validate` on an experiment with several objectives, as shell users run them:
// documents through a pipe, the Pareto front in text and JSON, and single-objective output left as it was.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Experiment } from '../../src/experiment/experiment.ts';
import { openStore } from '../../src/store/open.ts';
import { hpo, hpoBin } from '../cliRunner.ts';
import { sequenceExperiment, tempDir } from '../helpers.ts';

const valuesSeenModule = new URL('../fixtures/algorithms/valuesSeen.ts', import.meta.url).href;

/**
 * Trials x = 0…4 with (loss, latency_ms) = (0,5) (1,3) (2,4) (3,1) (4,1): x = 2 is beaten by x = 1 and x = 4 by
 * x = 3 on both, so the front is x = 0, 1, 3.
 */
const latency = [5, 3, 4, 1, 1];

let tmp: ReturnType<typeof tempDir>;
let store: string;
let names: string[];
beforeAll(async () => {
  tmp = tempDir();
  store = join(tmp.dir, 'store');
  const s = openStore(store);
  try {
    const two = Experiment.create({
      ...sequenceExperiment('two', { maxTrialCount: 5, parallelTrialCount: 1 }),
      objective: {
        type: 'minimize',
        objectiveMetricName: 'loss',
        additionalObjectives: [{ type: 'minimize', objectiveMetricName: 'latency_ms' }],
      },
      algorithm: { algorithmName: 'values-seen', algorithmSettings: { module: valuesSeenModule } },
      store: s,
    });
    const r = await two.optimize((p) => ({ loss: Number(p.x), latency_ms: latency[Number(p.x)]! }));
    names = r.trials.map((t) => t.name);
    await Experiment.create({ ...sequenceExperiment('one', { maxTrialCount: 2 }), store: s }).optimize((p) =>
      Number(p.x),
    );
  } finally {
    await s.close();
  }
}, 60_000);
afterAll(() => tmp.cleanup());

/** `hpo ARGS | cat`: stdout through a real pipe, hpo's exit status kept. */
function piped(args: readonly string[]): { status: number; stdout: string } {
  const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;
  const line = `${quote(process.execPath)} ${quote(hpoBin)} ${args.map(quote).join(' ')} | cat; exit \${PIPESTATUS[0]}`;
  const r = spawnSync('bash', ['-c', line], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status ?? -1, stdout: r.stdout };
}

describe('hpo with several objectives', () => {
  it('`hpo best -o json | …` gives the primary winner plus the Pareto front with each trial’s values', () => {
    const r = piped(['best', 'two', '--store', store, '-o', 'json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.name).toBe(names[0]);
    expect(doc.objective).toBe(0);
    expect(doc.objectives).toEqual([
      { type: 'minimize', metricName: 'loss' },
      { type: 'minimize', metricName: 'latency_ms' },
    ]);
    expect(doc.paretoFront).toEqual([
      { name: names[0], parameters: { x: 0 }, values: { loss: 0, latency_ms: 5 } },
      { name: names[1], parameters: { x: 1 }, values: { loss: 1, latency_ms: 3 } },
      { name: names[3], parameters: { x: 3 }, values: { loss: 3, latency_ms: 1 } },
    ]);
  });

  it('`hpo trials -o json` carries each trial’s values and the front; the table marks the front', () => {
    const json = piped(['trials', 'two', '--store', store, '-o', 'json']);
    const doc = JSON.parse(json.stdout);
    expect(doc.trials.map((t: { values: unknown }) => t.values)).toEqual(
      latency.map((l, x) => ({ loss: x, latency_ms: l })),
    );
    expect(doc.paretoFront.map((m: { name: string }) => m.name)).toEqual([names[0], names[1], names[3]]);
    const table = hpo(['trials', 'two', '--store', store]);
    const [header, ...rows] = table.stdout.trim().split('\n');
    expect(header!.split(/\s+/).slice(0, 5)).toEqual(['name', 'state', 'loss', 'latency_ms', 'pareto']);
    expect(rows.map((row) => row.includes(' * '))).toEqual([true, true, false, true, false]);
  });

  it('`hpo best` prints the winner, then the front', () => {
    const r = hpo(['best', 'two', '--store', store]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`${names[0]}  loss=0`);
    expect(r.stdout).toContain(
      'Pareto front: 3 trials no other beats on every objective (minimize loss, minimize latency_ms)',
    );
    expect(r.stdout).toMatch(new RegExp(`${names[3]}\\s+3\\s+1\\s+3`));
    expect(r.stdout).not.toContain(names[4]!);
  });

  it('leaves single-objective documents without the new keys', () => {
    const doc = JSON.parse(piped(['best', 'one', '--store', store, '-o', 'json']).stdout);
    expect(doc.objective).toBe(0);
    expect(doc).not.toHaveProperty('paretoFront');
    expect(doc).not.toHaveProperty('objectives');
  });

  it('`hpo validate` names every objective, and refuses a malformed one with its path (exit 2)', () => {
    const file = join(tmp.dir, 'two.yaml');
    const yaml = (extra: string) => `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: {name: two-yaml}
spec:
  objective:
    type: maximize
    objectiveMetricName: accuracy
    additionalObjectives: [${extra}]
  algorithm: {algorithmName: random}
  maxTrialCount: 4
  parameters:
    - {name: x, parameterType: double, feasibleSpace: {min: "0", max: "1"}}
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
            containers: [{name: main, image: python, command: [python3, t.py, "--x=\${trialParameters.x}"]}]
`;
    writeFileSync(file, yaml('{type: minimize, objectiveMetricName: latency_ms, goal: 20}'));
    const ok = hpo(['validate', file]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('valid with 2 objectives: maximize accuracy, minimize latency_ms (goal 20)');
    writeFileSync(file, yaml('{type: fastest, objectiveMetricName: accuracy}'));
    const bad = hpo(['validate', file]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('spec.objective.additionalObjectives[0].type');
    expect(bad.stderr).toContain('spec.objective.additionalObjectives[0].objectiveMetricName');
  });
});
