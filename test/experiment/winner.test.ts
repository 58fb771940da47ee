/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: Katib's ${trialParameters.x} placeholders are data here. */
// The winner document from ExperimentReader: the best trial with every metric, its template rendered with the
// winning values, and where it ran; undefined while no trial has the objective.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExperimentReader } from '../../src/index.ts';
import type { ExperimentManifest } from '../../src/spec/types.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { tempDir } from '../helpers.ts';
import { experiment, manifest, trial } from '../store/fixtures-data.ts';

const templated: ExperimentManifest = {
  ...manifest,
  spec: {
    ...manifest.spec,
    trialTemplate: {
      primaryContainerName: 'main',
      trialParameters: [
        { name: 'learningRate', reference: 'lr' },
        { name: 'opt', reference: 'optimizer' },
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
                  command: ['train', '--lr=${trialParameters.learningRate}', '--opt=${trialParameters.opt}'],
                },
              ],
            },
          },
        },
      },
    },
  },
};

let tmp: ReturnType<typeof tempDir>;
let store: Store;
beforeEach(() => {
  tmp = tempDir();
  store = openStore(join(tmp.dir, 'store'));
});
afterEach(async () => {
  await store.close();
  tmp.cleanup();
});

describe('ExperimentReader.winner()', () => {
  it('is the best trial with every metric, the rendered template, and its folder and log', async () => {
    await store.createExperiment(experiment('exp', { manifest: templated, namespace: 'team-a' }));
    const metrics = [
      { name: 'Validation-accuracy', min: 0.5, max: 0.97, latest: '0.96' },
      { name: 'loss', min: 0.1, max: 0.9, latest: '0.12' },
    ];
    const ref = { namespace: 'team-a', name: 'exp' };
    await store.insertTrial({ ...trial('exp', 0, { state: 'Succeeded', objective: 0.9 }), namespace: 'team-a' });
    await store.insertTrial({
      ...trial('exp', 1, { state: 'Succeeded', objective: 0.97, metrics, workDir: '/w/exp-t1' }),
      namespace: 'team-a',
    });
    const reader = await ExperimentReader.open(store, ref);
    const w = await reader.winner();
    expect(w).toMatchObject({
      experiment: 'exp',
      namespace: 'team-a',
      name: 'exp-t1',
      parameters: { lr: 0.011, optimizer: 'adam' },
      objective: 0.97,
      objectiveMetricName: 'Validation-accuracy',
      objectiveType: 'maximize',
      metrics,
      workDir: '/w/exp-t1',
      logPath: join(store.root, 'namespaces', 'team-a', 'experiments', 'exp', 'logs', 'exp-t1.log'),
    });
    const spec = w!.trialTemplate!.trialSpec as {
      metadata: object;
      spec: { template: { spec: { containers: { command: string[] }[] } } };
    };
    expect(spec.spec.template.spec.containers[0]!.command).toEqual(['train', '--lr=0.011', '--opt=adam']);
    expect(spec.metadata).toEqual({ name: 'exp-t1', namespace: 'team-a' });
    await reader.close();
  });

  it('says why the template could not be rendered, and still gives the rest', async () => {
    await store.createExperiment(experiment('exp', { manifest: templated }));
    // A trial row without the value the template needs (a damaged params column reads as {}).
    await store.insertTrial(trial('exp', 0, { state: 'Succeeded', objective: 0.9, params: { lr: 0.02 } }));
    const w = await (await ExperimentReader.open(store, 'exp')).winner();
    expect(w?.parameters).toEqual({ lr: 0.02 });
    expect(w?.trialTemplate?.trialSpec).toBeNull();
    expect(w?.trialTemplate?.renderError).toMatch(/references parameter "optimizer"/);
  });

  it('is undefined while no trial has the objective, and has no template for in-process trials', async () => {
    await store.createExperiment(experiment('exp'));
    await store.insertTrial(trial('exp', 0, { state: 'Running' }));
    const reader = await ExperimentReader.open(store, 'exp');
    expect(await reader.winner()).toBeUndefined();
    await store.insertTrial(trial('exp', 1, { state: 'Succeeded', objective: 0.5 }));
    const w = await reader.winner();
    expect(w?.trialTemplate).toBeNull();
    expect(w?.logPath).toBeUndefined();
  });
});

describe('readWinnerArtifacts', () => {
  it('takes paths from where the store is now and leaves out names outside the artifacts folder', async () => {
    const { readWinnerArtifacts } = await import('../../src/experiment/winner.ts');
    const { writeArtifactRecord } = await import('../../src/trial/artifacts.ts');
    const { ExperimentWorkspace } = await import('../../src/trial/workspace.ts');
    const tmp = tempDir();
    try {
      const exp = experiment('e');
      const t = trial('e', 0);
      const ws = new ExperimentWorkspace(tmp.dir, exp);
      const rec = { path: '/old/store/place', kind: 'model' as const, sha256: 'ab', size: 1 };
      await writeArtifactRecord(ws.artifactRecordPath(t.name), [
        { ...rec, name: 'sub/model.joblib' },
        { ...rec, name: '../../../etc/passwd' },
        { ...rec, name: '/etc/passwd' },
      ]);
      expect(await readWinnerArtifacts(tmp.dir, exp, t)).toEqual([
        { ...rec, name: 'sub/model.joblib', path: join(ws.artifactsDir(t.name), 'sub', 'model.joblib') },
      ]);
    } finally {
      tmp.cleanup();
    }
  });
});
