import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/errors.ts';
import { Experiment } from '../../src/experiment/experiment.ts';
import { checkExperiment } from '../../src/experiment/prepare.ts';
import { previewTrials } from '../../src/experiment/preview.ts';
import { dartsTrialParameters } from '../../src/search/nas/darts.ts';
import { configOf } from '../../src/spec/config.ts';
import { loadExperimentFile } from '../../src/spec/load.ts';
import type { ExperimentManifest } from '../../src/spec/types.ts';
import type { Store } from '../../src/store/types.ts';
import { resolveAlgorithm } from '../../src/suggestion/registry.ts';
import { caught, freshStorePerTest, rejected } from '../helpers.ts';
import { katibExample } from '../search/nas/helpers.ts';

function example(name: string): ExperimentManifest {
  return loadExperimentFile(katibExample(`nas__${name}.yaml`))[0]!;
}

function withSettings(m: ExperimentManifest, settings: { name: string; value: string }[]): ExperimentManifest {
  return { ...m, spec: { ...m.spec, algorithm: { ...m.spec.algorithm!, algorithmSettings: settings } } };
}

describe('hpo validate on NAS Experiments (every check a run makes)', () => {
  it.each(['darts-cpu', 'darts-gpu', 'enas-cpu', 'enas-gpu'])('Katib’s %s example is valid', async (name) => {
    expect(await checkExperiment(example(name))).toEqual([]);
  });

  it('runs the ENAS settings check although enas cannot run here', async () => {
    const issues = await checkExperiment(withSettings(example('enas-cpu'), [{ name: 'controller_lr', value: '1' }]));
    expect(issues).toMatchObject([
      { path: 'spec.algorithm.algorithmSettings[0].name', message: expect.stringContaining('controller_lr') },
    ]);
  });

  it('runs DARTS’s checks: a bad value is refused, an unknown name passes through', async () => {
    const bad = withSettings(example('darts-cpu'), [
      { name: 'num_epochs', value: '0' },
      { name: 'my_option', value: 'x' },
    ]);
    expect(await checkExperiment(bad)).toMatchObject([{ path: 'spec.algorithm.algorithmSettings[0].value' }]);
  });
});

describe('enas refuses to run, saying why', () => {
  it('in the registry (hpo run) and in a preview, with code UNSUPPORTED', async () => {
    const e = caught(() => resolveAlgorithm('enas', {}));
    expect(e.code).toBe(ErrorCode.unsupported);
    expect(e.message).toContain('learned LSTM controller');
    expect(e.message).toContain('darts');
    const p = await rejected(previewTrials(example('enas-cpu')));
    expect(p.message).toContain('learned LSTM controller');
  });
});

describe('darts through the local controller', () => {
  let store: Store;
  freshStorePerTest((s) => {
    store = s;
  });

  it('a preview (hpo run --dry-run) shows the one trial with Katib’s three parameters', async () => {
    const m = example('darts-gpu');
    const { trials } = await previewTrials(m);
    expect(trials.map((t) => t.params)).toEqual([dartsTrialParameters(configOf(m).nas!, { num_epochs: '3' })]);
  });

  it('runs one trial with exactly those parameters, and the experiment ends after it', async () => {
    const m = example('darts-cpu');
    // A numeric objective: string objectives (Katib's Best-Genotype) come with the DARTS trial example.
    const numeric: ExperimentManifest = {
      ...m,
      spec: { ...m.spec, objective: { type: 'maximize', objectiveMetricName: 'accuracy' }, maxTrialCount: 3 },
    };
    const seen: Record<string, unknown>[] = [];
    const result = await Experiment.fromManifest(numeric, { store }).optimize(async (params) => {
      seen.push({ ...params });
      return 0.5;
    });
    expect(seen).toEqual([dartsTrialParameters(configOf(m).nas!, configOf(m).algorithm.settings)]);
    expect(seen[0]!['search-space']).toBe("['max_pooling_3x3']");
    expect(result.trials.map((t) => t.state)).toEqual(['Succeeded']);
    expect([result.status, result.reason]).toEqual(['Succeeded', 'ExperimentSuggestionEndReached']);
    expect(result.message).toBeTruthy();
  });
});
