import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Experiment } from '../../src/experiment/experiment.ts';
import { search } from '../../src/spec/create.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { sequenceExperiment, tempDir } from '../helpers.ts';

let tmp: ReturnType<typeof tempDir>;
let store: Store;
beforeEach(async () => {
  tmp = tempDir();
  store = openStore(join(tmp.dir, 'store'));
});
afterEach(async () => {
  await store.close();
  tmp.cleanup();
});

const curveTrial = fileURLToPath(new URL('../fixtures/trials/curve.mjs', import.meta.url));

describe('early stopping in the controller', () => {
  it('medianstop stops in-process trials worse than the median: report() returns true, the trial is EarlyStopped and keeps its values', async () => {
    const exp = Experiment.create({
      ...sequenceExperiment('median', { maxTrialCount: 8, parallelTrialCount: 1 }),
      earlyStopping: { algorithmName: 'medianstop', algorithmSettings: { min_trials_required: 2, start_step: 2 } },
      store,
    });
    const epochsRun: number[] = [];
    const result = await exp.optimize(async (p, report) => {
      // Trials 0..2 are good; later ones are worse by 1 at every epoch.
      const offset = Number(p.x) < 3 ? 0 : 1;
      let e = 0;
      for (e = 1; e <= 10; e++) {
        if (report({ loss: offset + 1 / e })) break;
      }
      epochsRun.push(Math.min(e, 10));
    });
    expect(result.status).toBe('Succeeded');
    const stopped = result.trials.filter((t) => t.state === 'EarlyStopped');
    expect(stopped.map((t) => t.parameters.x)).toEqual([3, 4, 5, 6, 7]);
    for (const t of stopped) expect(t.message).toContain('medianstop');
    // Best value before the stop. The last bad trial survives step 2 (four stopped bad trials now pull the
    // median of completed trials at step 2 up to its own 1.5) and is stopped at step 3.
    expect(stopped.map((t) => Number(t.objective?.toFixed(4)))).toEqual([1.5, 1.5, 1.5, 1.5, 1.3333]);
    expect(epochsRun).toEqual([10, 10, 10, 2, 2, 2, 2, 3]);
    // Early-stopped trials count as completed, as in Katib.
    expect(result.reason).toBe('ExperimentMaxTrialsReached');
    expect(result.bestTrial?.parameters.x).toBe(0);
  });

  it('stops a local-process trial with SIGTERM and records it EarlyStopped', async () => {
    const ledger = join(tmp.dir, 'ledger.txt');
    writeFileSync(ledger, '');
    process.env.LEDGER = ledger;
    try {
      const exp = Experiment.create({
        name: 'median-process',
        objective: { type: 'minimize', objectiveMetricName: 'loss' },
        algorithm: { algorithmName: 'grid' },
        earlyStopping: { algorithmName: 'medianstop', algorithmSettings: { min_trials_required: 1, start_step: 2 } },
        parameters: [search.discrete('a', [0, 5])],
        parallelTrialCount: 1,
        maxTrialCount: 2,
        trialTemplate: {
          primaryContainerName: 'main',
          trialParameters: [{ name: 'a', reference: 'a' }],
          trialSpec: {
            apiVersion: 'batch/v1',
            kind: 'Job',
            spec: {
              template: {
                spec: {
                  containers: [
                    {
                      name: 'main',
                      image: 'node',
                      command: [process.execPath, curveTrial, '${trialParameters.a}', '20', '40'],
                    },
                  ],
                  restartPolicy: 'Never',
                },
              },
            },
          },
        },
        store,
      });
      const result = await exp.run();
      expect(result.trials.map((t) => t.state)).toEqual(['Succeeded', 'EarlyStopped']);
      const lines = readFileSync(ledger, 'utf8').trim().split('\n');
      expect(lines[0]).toMatch(/ 20 end$/);
      expect(lines[1]).toMatch(/ term$/);
      expect(Number(lines[1]!.split(' ')[1])).toBeLessThan(20);
    } finally {
      delete process.env.LEDGER;
    }
  });

  it('asha pairs its rung rule with random proposals and stops the bottom of each rung', async () => {
    const exp = Experiment.create({
      name: 'asha',
      objective: { type: 'minimize', objectiveMetricName: 'loss' },
      algorithm: {
        algorithmName: 'asha',
        algorithmSettings: { eta: 3, min_resource: 1, max_resource: 9, random_state: 3 },
      },
      parameters: [search.double('a', 0, 1)],
      maxTrialCount: 12,
      parallelTrialCount: 2,
      store,
    });
    let steps = 0;
    const result = await exp.optimize(async (p, report) => {
      for (let e = 1; e <= 9; e++) {
        steps++;
        if (report({ loss: Number(p.a) + 1 / e })) return;
        await new Promise((r) => setTimeout(r, 1));
      }
    });
    expect(result.trials.filter((t) => t.state === 'EarlyStopped').length).toBeGreaterThan(0);
    expect(steps).toBeLessThan(12 * 9);
    const best = result.trials.reduce((m, t) => Math.min(m, Number(t.parameters.a)), 1);
    expect(result.bestTrial?.parameters.a).toBe(best);
  });

  it('asha ranks a running trial against its running peers: of two at rung 1 with eta 3, the worse stops', async () => {
    const exp = Experiment.create({
      name: 'asha-peers',
      objective: { type: 'minimize', objectiveMetricName: 'loss' },
      algorithm: { algorithmName: 'asha', algorithmSettings: { eta: 3, min_resource: 1, max_resource: 9 } },
      parameters: [search.categorical('q', ['good', 'bad'])],
      maxTrialCount: 2,
      parallelTrialCount: 2,
      store,
    });
    // Both trials report step 1, then wait for each other, so neither has completed when the other reaches rung 1.
    let arrived = 0;
    let release: () => void = () => {};
    const bothAtRung = new Promise<void>((r) => {
      release = r;
    });
    const stoppedAt = new Map<string, number>();
    let first = true;
    const result = await exp.optimize(async (_p, report) => {
      const loss = first ? 1 : 2; // the first trial started is the good one
      const who = first ? 'good' : 'bad';
      first = false;
      for (let e = 1; e <= 9; e++) {
        if (report({ loss: loss + 1 / e })) {
          stoppedAt.set(who, e);
          if (e === 1 && ++arrived === 2) release();
          return;
        }
        if (e === 1 && ++arrived === 2) release();
        if (e === 1) await bothAtRung;
      }
    });
    expect(stoppedAt).toEqual(new Map([['bad', 1]]));
    expect(result.trials.map((t) => t.state).sort()).toEqual(['EarlyStopped', 'Succeeded']);
  });
});

describe('steps', () => {
  it("report(values, { step }) keeps the trial's own steps in the observations and the rules' curves", async () => {
    const exp = Experiment.create({
      ...sequenceExperiment('steps', { maxTrialCount: 4, parallelTrialCount: 1 }),
      // Katib's start_step counts reports; the comparison with completed trials is at the trial's own step.
      earlyStopping: { algorithmName: 'medianstop', algorithmSettings: { min_trials_required: 2, start_step: 3 } },
      store,
    });
    const reports: number[] = [];
    const result = await exp.optimize(async (p, report) => {
      const offset = Number(p.x) < 2 ? 0 : 1;
      let n = 0;
      for (let e = 1; e <= 5; e++) {
        n++;
        if (report({ loss: offset + 1 / e }, { step: e * 100 })) break;
      }
      reports.push(n);
    });
    expect(reports).toEqual([5, 5, 3, 3]);
    const first = result.trials[0]!.name;
    expect((await store.getObservations('steps', first, 'loss')).map((o) => o.step)).toEqual([100, 200, 300, 400, 500]);
    const bad = Experiment.create({
      ...sequenceExperiment('badstep', { maxTrialCount: 1, parallelTrialCount: 1 }),
      store,
    });
    const failed = await bad.optimize(async (_p, report) => {
      report({ loss: 1 }, { step: 1.5 });
    });
    expect(failed.trials[0]).toMatchObject({
      state: 'Failed',
      message: expect.stringContaining('step must be a whole'),
    });
  });
});
