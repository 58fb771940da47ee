import { describe, expect, it } from 'vitest';
import { parseExperiment } from '../../src/spec/config.ts';
import { buildManifest } from '../../src/spec/create.ts';
import { applyDefaults } from '../../src/spec/defaults.ts';
import { loadExperimentFile } from '../../src/spec/load.ts';
import { validateExperiment } from '../../src/spec/validate.ts';
import { baseManifest, type Loose, lines, mutated, options } from './helpers.ts';

/** The base manifest (minimise loss, collect accuracy) with `latency_ms` as a second objective. */
function twoObjectives(edit: (m: Loose) => void = () => {}) {
  return mutated((m) => {
    m.spec.objective.additionalObjectives = [{ type: 'minimize', objectiveMetricName: 'latency_ms', goal: 20 }];
    edit(m);
  });
}

type Row = [what: string, edit: (m: Loose) => void, path: string, fragment: string];

const hostile: Row[] = [
  [
    'not a list',
    (m) => (m.spec.objective.additionalObjectives = { type: 'minimize', objectiveMetricName: 'x' }),
    'spec.objective.additionalObjectives',
    'must be a list',
  ],
  [
    'an entry that is a string',
    (m) => (m.spec.objective.additionalObjectives = ['latency_ms']),
    'spec.objective.additionalObjectives[0]',
    'must be a mapping',
  ],
  [
    'unknown type',
    (m) => (m.spec.objective.additionalObjectives[0].type = 'minimise'),
    'spec.objective.additionalObjectives[0].type',
    'Did you mean "minimize"',
  ],
  [
    'missing metric',
    (m) => delete m.spec.objective.additionalObjectives[0].objectiveMetricName,
    'spec.objective.additionalObjectives[0].objectiveMetricName',
    'required',
  ],
  [
    'empty metric',
    (m) => (m.spec.objective.additionalObjectives[0].objectiveMetricName = ''),
    'spec.objective.additionalObjectives[0].objectiveMetricName',
    'required',
  ],
  [
    'the primary metric again',
    (m) => (m.spec.objective.additionalObjectives[0].objectiveMetricName = 'loss'),
    'spec.objective.additionalObjectives[0].objectiveMetricName',
    'already the primary objective',
  ],
  [
    'the same metric twice',
    (m) => m.spec.objective.additionalObjectives.push({ type: 'maximize', objectiveMetricName: 'latency_ms' }),
    'spec.objective.additionalObjectives[1].objectiveMetricName',
    'an objective twice',
  ],
  [
    'a goal that is text',
    (m) => (m.spec.objective.additionalObjectives[0].goal = 'fast'),
    'spec.objective.additionalObjectives[0].goal',
    'finite number',
  ],
  [
    'an unknown field',
    (m) => (m.spec.objective.additionalObjectives[0].gaol = 3),
    'spec.objective.additionalObjectives[0].gaol',
    'Did you mean "goal"',
  ],
];

describe('spec.objective.additionalObjectives', () => {
  it('accepts a second objective, with or without the metric in additionalMetricNames', () => {
    expect(lines(validateExperiment(applyDefaults(twoObjectives()), options))).toEqual([]);
    const listed = twoObjectives((m) => m.spec.objective.additionalMetricNames.push('latency_ms'));
    expect(lines(validateExperiment(applyDefaults(listed), options))).toEqual([]);
  });

  it.each(hostile)('reports %s with its path', (_what, edit, path, fragment) => {
    const parsed = parseExperiment(twoObjectives(edit), options);
    expect(parsed.config).toBeUndefined();
    const hit = parsed.issues.find((i) => i.path === path && i.message.includes(fragment));
    expect(hit, lines(parsed.issues).join('\n')).toBeDefined();
    expect(hit?.fix ?? '').not.toBe('');
  });

  it('resolves every objective, primary first, each metric collected once with its own direction', () => {
    const m = twoObjectives((x) => {
      x.spec.objective.additionalObjectives.push({ type: 'maximize', objectiveMetricName: 'accuracy' });
    });
    const { config, issues } = parseExperiment(m, options);
    expect(lines(issues)).toEqual([]);
    expect(config!.objectives).toEqual([
      { type: 'minimize', metricName: 'loss', goal: 0.01 },
      { type: 'minimize', metricName: 'latency_ms', goal: 20 },
      { type: 'maximize', metricName: 'accuracy' },
    ]);
    expect(config!.metricNames).toEqual(['loss', 'latency_ms', 'accuracy']);
    // accuracy was an additional metric (Katib: the primary's direction, min) and is now a maximised objective.
    expect(config!.metricStrategies).toEqual({ loss: 'min', latency_ms: 'min', accuracy: 'max' });
  });

  it('keeps a written strategy of an objective metric', () => {
    const m = twoObjectives((x) => (x.spec.objective.metricStrategies = [{ name: 'latency_ms', value: 'latest' }]));
    expect(parseExperiment(m, options).config!.metricStrategies.latency_ms).toBe('latest');
  });

  it('adds the metric to additionalMetricNames so that Katib, pruning the extension, still collects it', () => {
    const defaulted = applyDefaults(twoObjectives());
    expect(defaulted.spec.objective!.additionalMetricNames).toEqual(['accuracy', 'latency_ms']);
    expect(defaulted.spec.objective!.metricStrategies).toEqual([
      { name: 'loss', value: 'min' },
      { name: 'accuracy', value: 'min' },
      { name: 'latency_ms', value: 'min' },
    ]);
    expect(applyDefaults(defaulted)).toEqual(defaulted);
    // What Katib keeps once it prunes the unknown field is a valid single-objective experiment.
    const pruned = structuredClone(defaulted) as Loose;
    delete pruned.spec.objective.additionalObjectives;
    expect(lines(validateExperiment(pruned, options))).toEqual([]);
    expect(parseExperiment(pruned, options).config!.objectives).toHaveLength(1);
  });

  it('leaves a manifest without additionalObjectives exactly as before', () => {
    const m = baseManifest();
    const defaulted = applyDefaults(m);
    expect(defaulted.spec.objective).toEqual({
      ...m.spec.objective,
      metricStrategies: [
        { name: 'loss', value: 'min' },
        { name: 'accuracy', value: 'min' },
      ],
    });
    expect(parseExperiment(m, options).config!.objectives).toEqual([
      { type: 'minimize', metricName: 'loss', goal: 0.01 },
    ]);
  });

  it('passes through buildManifest (Experiment.create)', () => {
    const m = buildManifest({
      name: 'two',
      objective: {
        type: 'maximize',
        objectiveMetricName: 'accuracy',
        additionalObjectives: [{ type: 'minimize', objectiveMetricName: 'latency_ms' }],
      },
      algorithm: { algorithmName: 'random' },
      parameters: [{ name: 'c', parameterType: 'double', feasibleSpace: { min: '0.1', max: '1' } }],
    });
    const { config } = parseExperiment(m, { ...options, inProcess: true });
    expect(config!.objectives.map((o) => `${o.type} ${o.metricName}`)).toEqual([
      'maximize accuracy',
      'minimize latency_ms',
    ]);
  });

  it('examples/multiobjective is valid, with two objectives and an algorithm that takes them', () => {
    const file = new URL('../../examples/multiobjective/experiment.yaml', import.meta.url).pathname;
    const [m] = loadExperimentFile(file);
    const { config, issues } = parseExperiment(m, options);
    expect(lines(issues)).toEqual([]);
    expect(config!.objectives.map((o) => `${o.type} ${o.metricName}`)).toEqual([
      'maximize accuracy',
      'minimize latency_ms',
    ]);
    expect(config!.algorithm.name).toBe('random');
  });
});
