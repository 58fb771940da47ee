import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../src/common/errors.ts';
import type { Issue } from '../../../src/common/issue.ts';
import { BohbSearch } from '../../../src/search/bohb/bohb.ts';
import { HyperbandSearch } from '../../../src/search/hyperband/hyperband.ts';
import type { SearchSpace } from '../../../src/search/space.ts';
import type { Settings, ValidationContext } from '../../../src/search/types.ts';
import { makeRequest } from '../../../src/testing/askTell.ts';

const space: SearchSpace = [
  { name: 'lr', domain: { kind: 'double', min: 0.01, max: 0.05, scale: 'uniform' } },
  { name: 'epochs', domain: { kind: 'int', min: 1, max: 81, step: 1, scale: 'uniform' } },
  { name: 'fraction', domain: { kind: 'double', min: 0.01, max: 1, scale: 'uniform' } },
  { name: 'optimizer', domain: { kind: 'categorical', values: ['sgd', 'adam'] } },
];
const ctx: ValidationContext = {
  space,
  objective: { type: 'minimize', metricName: 'loss' },
  parallelTrialCount: 1,
};
const ok: Settings = { resource_name: 'epochs', r_l: '81' };

interface Row {
  readonly name: string;
  readonly settings: Settings;
  readonly path?: string;
  readonly message?: string | RegExp;
  readonly warning?: boolean;
}

const rows: Row[] = [
  { name: 'minimal settings', settings: ok },
  { name: 'every setting', settings: { ...ok, eta: '3', r_min: '1', loops: '2', random_state: '7' } },
  {
    name: 'nothing set',
    settings: {},
    path: 'spec.algorithm.algorithmSettings',
    message: 'r_l and resource_name must be set.',
  },
  {
    name: 'no resource_name',
    settings: { r_l: '81' },
    path: 'spec.algorithm.algorithmSettings',
    message: 'r_l and resource_name must be set.',
  },
  {
    name: 'negative r_l',
    settings: { ...ok, r_l: '-1' },
    path: 'spec.algorithm.algorithmSettings[1].value',
    message: 'r_l must be a positive float number.',
  },
  { name: 'zero r_l', settings: { ...ok, r_l: '0' }, message: 'r_l must be a positive float number.' },
  { name: 'text r_l', settings: { ...ok, r_l: 'lots' }, message: 'r_l must be a positive float number.' },
  {
    name: 'unknown resource',
    settings: { ...ok, resource_name: 'num-epochs' },
    path: 'spec.algorithm.algorithmSettings[0].value',
    message: 'value of resource_name setting must be in parameters.',
  },
  { name: 'categorical resource', settings: { ...ok, resource_name: 'optimizer' }, message: /is categorical/ },
  {
    name: 'eta 1',
    settings: { ...ok, eta: '1' },
    path: 'spec.algorithm.algorithmSettings[2].value',
    message: /eta must be a number whose integer part is at least 2/,
  },
  { name: 'eta 0 (Katib would use 3)', settings: { ...ok, eta: '0' }, message: /eta must be/ },
  { name: 'eta 1.9 (int(float) is 1)', settings: { ...ok, eta: '1.9' }, message: /eta must be/ },
  { name: 'eta text', settings: { ...ok, eta: 'three' }, message: /eta must be/ },
  { name: 'eta 2.7 reads as 2', settings: { ...ok, eta: '2.7' } },
  { name: 'r_min 0', settings: { ...ok, r_min: '0' }, message: /setting r_min of algorithm \w+ must be a number > 0/ },
  { name: 'r_min above r_l', settings: { ...ok, r_min: '100' }, message: 'r_min (100) must not exceed r_l (81)' },
  {
    name: 'an int budget that rounds to 0',
    settings: { ...ok, r_l: '0.9', r_min: '0.3' },
    message: 'the smallest budget rounds to 0 for int parameter epochs',
  },
  {
    name: 'loops 0',
    settings: { ...ok, loops: '0' },
    message: /setting loops of algorithm \w+ must be an integer >= 1/,
  },
  { name: 'negative random_state', settings: { ...ok, random_state: '-1' }, message: /random_state/ },
  {
    name: 'unknown name',
    settings: { ...ok, etaa: '3' },
    path: 'spec.algorithm.algorithmSettings[2].name',
    message: /unknown setting etaa for algorithm/,
  },
  { name: "Katib's own progress settings", settings: { ...ok, current_s: '2', evaluating_trials: '9' } },
  { name: 'a fractional resource', settings: { resource_name: 'fraction', r_l: '1', r_min: '0.04', eta: '3' } },
  {
    name: 'budgets beyond the feasible space',
    settings: { resource_name: 'epochs', r_l: '243' },
    message: /budgets 243 are outside the feasible space of parameter epochs/,
    warning: true,
  },
];

const algorithms = [
  { name: 'hyperband', make: () => new HyperbandSearch() },
  { name: 'bohb', make: () => new BohbSearch() },
];

function errors(issues: readonly Issue[]): Issue[] {
  return issues.filter((i) => i.severity !== 'warning');
}

describe.each(algorithms)('$name settings', ({ make }) => {
  it.each(rows)('$name', (row) => {
    const issues = make().validate(row.settings, ctx);
    if (row.message === undefined) {
      expect(issues).toEqual([]);
      return;
    }
    const hit = issues.find((i) =>
      typeof row.message === 'string' ? i.message === row.message : row.message?.test(i.message),
    );
    expect(hit, JSON.stringify(issues)).toBeDefined();
    if (row.path !== undefined) expect(hit?.path).toBe(row.path);
    expect(hit?.severity === 'warning').toBe(row.warning === true);
    if (row.warning === true) expect(errors(issues)).toEqual([]);
  });

  it('accepts Katib’s hyperband example (num-epochs 1..1 with r_l 2 is only a warning, as Katib writes it anyway)', () => {
    const example: SearchSpace = [
      { name: 'lr', domain: { kind: 'double', min: 0.01, max: 0.05, scale: 'uniform' } },
      { name: 'momentum', domain: { kind: 'double', min: 0.5, max: 0.9, scale: 'uniform' } },
      { name: 'num-epochs', domain: { kind: 'int', min: 1, max: 1, step: 1, scale: 'uniform' } },
    ];
    const settings = { resource_name: 'num-epochs', eta: '2', r_l: '2' };
    const issues = make().validate(settings, { ...ctx, space: example, parallelTrialCount: 2 });
    expect(errors(issues)).toEqual([]);
    expect(issues.map((i) => i.severity)).toEqual(['warning']);
  });

  it('suggest throws invalidArgument with the issues for unusable settings', () => {
    const request = makeRequest({ space, trials: [], count: 1, settings: { ...ok, eta: '1' } });
    expect(() => make().suggest(request)).toThrow(WorkbenchError);
    try {
      make().suggest(request);
    } catch (e) {
      expect((e as WorkbenchError).code).toBe('INVALID_ARGUMENT');
      expect((e as WorkbenchError).issues.map((i) => i.path)).toEqual(['spec.algorithm.algorithmSettings[2].value']);
    }
  });

  it('a preset fills in settings the Experiment leaves out, and the Experiment’s win', () => {
    const preset = new (make().constructor as typeof HyperbandSearch)({ defaults: ok });
    expect(preset.validate({}, ctx)).toEqual([]);
    expect(preset.validate({ r_l: '-3' }, ctx).map((i) => i.message)).toEqual(['r_l must be a positive float number.']);
  });
});

describe('bohb model settings', () => {
  it.each([
    { setting: 'min_points_in_model', bad: ['0', '1.5'], good: ['1', '10'] },
    { setting: 'top_n_percent', bad: ['0', '100'], good: ['1', '15', '99'] },
    { setting: 'num_samples', bad: ['0'], good: ['1', '64'] },
    { setting: 'random_fraction', bad: ['-0.1', '1.5'], good: ['0', '0.33', '1'] },
    { setting: 'bandwidth_factor', bad: ['0', '-1'], good: ['3'] },
    { setting: 'min_bandwidth', bad: ['0'], good: ['1e-3'] },
  ])('$setting', ({ setting, bad, good }) => {
    for (const value of good) expect(new BohbSearch().validate({ ...ok, [setting]: value }, ctx)).toEqual([]);
    for (const value of bad) {
      const issues = new BohbSearch().validate({ ...ok, [setting]: value }, ctx);
      expect(issues.map((i) => i.path)).toEqual(['spec.algorithm.algorithmSettings[2].value']);
      expect(issues[0]?.message).toMatch(new RegExp(`setting ${setting} of algorithm bohb must be`));
    }
  });

  it('hyperband does not take them', () => {
    const issues = new HyperbandSearch().validate({ ...ok, top_n_percent: '15' }, ctx);
    expect(issues.map((i) => i.message)).toEqual(['unknown setting top_n_percent for algorithm hyperband']);
  });
});
