import { describe, expect, it } from 'vitest';
import { createAsha } from '../../../src/search/asha/index.ts';
import { parseAshaSettings } from '../../../src/search/asha/settings.ts';
import { AshaStopper } from '../../../src/search/asha/stopper.ts';
import type { Settings, ValidationContext } from '../../../src/search/types.ts';
import { mixedSpace } from '../../../src/testing/benchmarks.ts';

const ctx: ValidationContext = {
  space: mixedSpace,
  objective: { type: 'minimize', metricName: 'loss' },
  parallelTrialCount: 4,
};

describe('ASHA settings', () => {
  it.each([
    [{}, []],
    [{ eta: '2', min_resource: '1', max_resource: '81', random_state: '7' }, []],
    [{ grace_period: '3', max_resource: '27' }, []],
    [{ resource_name: 'layers', max_resource: '10' }, []],
    [{ eta: '1' }, ['setting eta of algorithm asha must be an integer >= 2, got "1"']],
    [{ eta: '2.5' }, ['setting eta of algorithm asha must be an integer >= 2, got "2.5"']],
    [{ min_resource: '0' }, ['setting min_resource of algorithm asha must be a number > 0, got "0"']],
    [{ max_resource: 'many' }, ['setting max_resource of algorithm asha must be a number > 0, got "many"']],
    [{ random_state: '-1' }, ['setting random_state of algorithm asha must be an integer >= 0, got "-1"']],
    [{ r_l: '1' }, ['unknown setting r_l for algorithm asha']],
    [{ min_resource: '2', grace_period: '2' }, ['grace_period is another name for min_resource; set only one of them']],
    [{ min_resource: '9', max_resource: '3' }, ['max_resource must be greater or equal than min_resource (9), got 3']],
    [{ grace_period: '9', max_resource: '3' }, ['max_resource must be greater or equal than min_resource (9), got 3']],
    [{ resource_name: 'layers' }, ['resource_name needs max_resource: it is the value written into that parameter']],
    [
      { resource_name: 'epochs', max_resource: '10' },
      ['resource_name "epochs" is not a parameter of the search space'],
    ],
    [{ resource_name: 'layers', max_resource: '11' }, ['max_resource 11 is not a value parameter layers can take']],
    [{ resource_name: 'optimizer', max_resource: '3' }, ['max_resource 3 is not a value parameter optimizer can take']],
  ] as [Settings, string[]][])('%o → %o', (settings, messages) => {
    expect(
      createAsha()
        .validate(settings, ctx)
        .map((i) => i.message),
    ).toEqual(messages);
    expect(new AshaStopper().validate(settings, ctx).map((i) => i.message)).toEqual(messages);
  });

  it('defaults: eta 3, min_resource 1, no max_resource; grace_period sets min_resource', () => {
    expect(parseAshaSettings({}).values).toEqual({ eta: 3, minResource: 1 });
    expect(parseAshaSettings({ grace_period: '4', max_resource: '64', eta: '4' }).values).toEqual({
      eta: 4,
      minResource: 4,
      maxResource: 64,
    });
  });

  it('points issues at spec.algorithm, or spec.earlyStopping for the stopper unless told otherwise', () => {
    const settings = { eta: '3', min_resource: '0' };
    const path = 'algorithmSettings[1].value';
    expect(
      createAsha()
        .validate(settings, ctx)
        .map((i) => i.path),
    ).toEqual([`spec.algorithm.${path}`]);
    expect(new AshaStopper().validate(settings, ctx).map((i) => i.path)).toEqual([`spec.earlyStopping.${path}`]);
    const paired = new AshaStopper({ settingsAt: 'spec.algorithm' });
    expect(paired.validate(settings, ctx).map((i) => i.path)).toEqual([`spec.algorithm.${path}`]);
  });
});
