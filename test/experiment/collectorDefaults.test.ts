// The executor renders trials from the defaulted Experiment, as the controller reads it: a File collector
// without a path gets Katib's default path, made per-trial, whatever form the caller passed.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Experiment } from '../../src/experiment/experiment.ts';
import type { ExperimentManifest } from '../../src/spec/types.ts';
import { tempDir } from '../helpers.ts';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('hpo-collector-defaults-');
});
afterEach(() => tmp.cleanup());

describe('a File collector with no path', () => {
  it("reads Katib's default metrics file, made per trial, from the raw (undefaulted) manifest", async () => {
    const script =
      "const fs=require('fs');const p='/var/log/katib/metrics.log';fs.mkdirSync(require('path').dirname(p),{recursive:true});" +
      "fs.writeFileSync(p,'loss='+process.argv[1]+'\\n');";
    const manifest: ExperimentManifest = {
      apiVersion: 'kubeflow.org/v1beta1',
      kind: 'Experiment',
      metadata: { name: 'file-default' },
      spec: {
        objective: { type: 'minimize', objectiveMetricName: 'loss' },
        algorithm: { algorithmName: 'random', algorithmSettings: [{ name: 'random_state', value: '2' }] },
        maxTrialCount: 2,
        parallelTrialCount: 1,
        metricsCollectorSpec: { collector: { kind: 'File' } },
        parameters: [{ name: 'x', parameterType: 'double', feasibleSpace: { min: '0', max: '1' } }],
        trialTemplate: {
          primaryContainerName: 'main',
          trialParameters: [{ name: 'x', reference: 'x' }],
          trialSpec: {
            apiVersion: 'batch/v1',
            kind: 'Job',
            spec: {
              template: {
                spec: {
                  containers: [
                    {
                      name: 'main',
                      image: 'node:20',
                      command: [process.execPath, '-e', script, '${trialParameters.x}'],
                    },
                  ],
                },
              },
            },
          },
        },
      },
    };
    const exp = Experiment.fromManifest(manifest, { store: join(tmp.dir, 'store') });
    const result = await exp.run();
    await exp.close();
    expect(result.trials.map((t) => t.state)).toEqual(['Succeeded', 'Succeeded']);
    for (const t of result.trials) expect(t.objective).toBe(t.parameters.x);
    const trialDir = join(tmp.dir, 'store', 'experiments', 'file-default', 'trials', result.trials[0]!.name);
    expect(existsSync(join(trialDir, 'fs', 'var', 'log', 'katib', 'metrics.log'))).toBe(true);
  });
});
