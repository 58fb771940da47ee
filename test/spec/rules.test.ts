/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: Katib's ${trialParameters.x} placeholders are data here. */
import { describe, expect, it } from 'vitest';
import { validateExperiment } from '../../src/spec/validate.ts';
import { baseManifest, type Loose, lines, mutated, options } from './helpers.ts';

type Row = [rule: string, edit: (m: Loose) => void, path: string, fragment: string];

const job = (m: Loose) => m.spec.trialTemplate.trialSpec;
const container = (m: Loose) => job(m).spec.template.spec.containers[0];
const cm = (m: Loose) => {
  delete m.spec.trialTemplate.trialSpec;
  m.spec.trialTemplate.configMap = { configMapName: 'tpl', configMapNamespace: 'team-a', templatePath: 'job.yaml' };
};
const collector = (m: Loose, mc: unknown) => {
  m.spec.metricsCollectorSpec = mc;
};

/** One row per Katib webhook rule (REFERENCE §1.3) that applies outside a cluster. */
const webhookRules: Row[] = [
  ['1 bad characters', (m) => (m.metadata.name = 'My_Exp'), 'metadata.name', 'lower case alphanumeric'],
  ['1 anchored: a valid prefix is not enough', (m) => (m.metadata.name = 'abc_'), 'metadata.name', 'lower case'],
  ['1 length > 40', (m) => (m.metadata.name = 'a'.repeat(41)), 'metadata.name', '40 characters'],
  [
    '2 maxFailedTrialCount < 0',
    (m) => (m.spec.maxFailedTrialCount = -1),
    'spec.maxFailedTrialCount',
    'not be less than 0',
  ],
  ['3 maxTrialCount <= 0', (m) => (m.spec.maxTrialCount = 0), 'spec.maxTrialCount', 'greater than 0'],
  ['4 parallelTrialCount <= 0', (m) => (m.spec.parallelTrialCount = 0), 'spec.parallelTrialCount', 'greater than 0'],
  [
    '5 maxFailed > max',
    (m) => (m.spec.maxFailedTrialCount = 7),
    'spec.maxFailedTrialCount',
    'less than or equal to spec.maxTrialCount',
  ],
  [
    '6 parallel > max',
    (m) => (m.spec.parallelTrialCount = 7),
    'spec.parallelTrialCount',
    'less than or equal to spec.maxTrialCount',
  ],
  [
    '6 with the default parallelTrialCount 3',
    (m) => {
      delete m.spec.parallelTrialCount;
      m.spec.maxTrialCount = 2;
      m.spec.maxFailedTrialCount = 0;
    },
    'spec.parallelTrialCount',
    'defaulted to 3',
  ],
  ['10 objective missing', (m) => delete m.spec.objective, 'spec.objective', 'required'],
  ['11 objective type', (m) => (m.spec.objective.type = 'minimise'), 'spec.objective.type', 'Did you mean "minimize"'],
  [
    '12 objectiveMetricName empty',
    (m) => (m.spec.objective.objectiveMetricName = ''),
    'spec.objective.objectiveMetricName',
    'required',
  ],
  [
    '13 additional contains objective',
    (m) => (m.spec.objective.additionalMetricNames = ['loss']),
    'spec.objective.additionalMetricNames[0]',
    'should not contain spec.objective.objectiveMetricName',
  ],
  ['14 algorithm missing', (m) => delete m.spec.algorithm, 'spec.algorithm', 'required'],
  ['14 algorithmName empty', (m) => (m.spec.algorithm.algorithmName = ''), 'spec.algorithm.algorithmName', 'required'],
  [
    '14 unknown algorithm',
    (m) => (m.spec.algorithm.algorithmName = 'randm'),
    'spec.algorithm.algorithmName',
    'Did you mean "random"',
  ],
  [
    '15 unknown early stopping',
    (m) => (m.spec.earlyStopping = { algorithmName: 'median' }),
    'spec.earlyStopping.algorithmName',
    'unable to get EarlyStopping config data for algorithm median',
  ],
  ['16 resumePolicy', (m) => (m.spec.resumePolicy = 'Always'), 'spec.resumePolicy', 'invalid ResumePolicyType'],
  ['17 trialTemplate missing', (m) => delete m.spec.trialTemplate, 'spec.trialTemplate', 'required'],
  [
    '18 primaryContainerName empty',
    (m) => delete m.spec.trialTemplate.primaryContainerName,
    'spec.trialTemplate.primaryContainerName',
    'required',
  ],
  [
    '19 conditions for a kind Katib cannot default',
    (m) => {
      job(m).apiVersion = 'ray.io/v1';
      job(m).kind = 'RayJob';
    },
    'spec.trialTemplate.successCondition',
    'successCondition and failureCondition must be specified',
  ],
  [
    '20 trialParameters missing',
    (m) => delete m.spec.trialTemplate.trialParameters,
    'spec.trialTemplate.trialParameters',
    'required',
  ],
  [
    '21 neither source',
    (m) => delete m.spec.trialTemplate.trialSpec,
    'spec.trialTemplate.trialSpec',
    'must be specified',
  ],
  [
    '21 both sources',
    (m) => (m.spec.trialTemplate.configMap = { configMapName: 'a', configMapNamespace: 'b', templatePath: 'c' }),
    'spec.trialTemplate.trialSpec',
    'only one of',
  ],
  [
    '22 configMap incomplete',
    (m) => {
      cm(m);
      delete m.spec.trialTemplate.configMap.templatePath;
    },
    'spec.trialTemplate.configMap',
    'configMapName, configMapNamespace and templatePath must be specified',
  ],
  ['23 configMap not available', cm, 'spec.trialTemplate.configMap', 'cannot be read outside a cluster'],
  [
    '24 brace in name',
    (m) => (m.spec.trialTemplate.trialParameters[0].name = 'learning{Rate}'),
    'spec.trialTemplate.trialParameters[0].name',
    "must not contain '{' or '}'",
  ],
  [
    '24 reference missing',
    (m) => delete m.spec.trialTemplate.trialParameters[0].reference,
    'spec.trialTemplate.trialParameters[0].reference',
    'name and reference must be specified',
  ],
  [
    '25 duplicate name',
    (m) => (m.spec.trialTemplate.trialParameters[1].name = 'learningRate'),
    'spec.trialTemplate.trialParameters[1].name',
    "can't be duplicated",
  ],
  [
    '25 duplicate reference',
    (m) => (m.spec.trialTemplate.trialParameters[1].reference = 'lr'),
    'spec.trialTemplate.trialParameters[1].reference',
    "can't be duplicated",
  ],
  [
    '26 reference not a parameter',
    (m) => (m.spec.trialTemplate.trialParameters[0].reference = 'lrate'),
    'spec.trialTemplate.trialParameters[0].reference',
    'does not exist in spec.parameters',
  ],
  [
    '27 declared name not in template',
    (m) => m.spec.trialTemplate.trialParameters.push({ name: 'epochs', reference: 'layers2' }),
    'spec.trialTemplate.trialParameters[3].name',
    'epochs in spec.trialParameters not found in spec.trialTemplate',
  ],
  [
    '28 placeholder not declared',
    (m) => container(m).command.push('--seed=${trialParameters.seed}'),
    'spec.trialTemplate.trialSpec',
    '[${trialParameters.seed}] in spec.trialTemplate not found in spec.trialParameters',
  ],
  [
    '29 undecodable ConfigMap template',
    (m) => {
      cm(m);
      m.__configMaps = { 'team-a/tpl': { 'job.yaml': 'kind: [Job\n' } };
    },
    'spec.trialTemplate.configMap.templatePath',
    'unable to convert spec.trialTemplate',
  ],
  [
    '30 template sets metadata.name',
    (m) => (job(m).metadata = { name: 'x' }),
    'spec.trialTemplate.trialSpec.metadata.name',
    'must be omitted',
  ],
  ['31 template lacks kind', (m) => delete job(m).kind, 'spec.trialTemplate.trialSpec.kind', 'APIVersion and Kind'],
  [
    '32 Job field Kubernetes does not have',
    (m) => (container(m).comand = ['x']),
    'spec.trialTemplate.trialSpec.spec.template.spec.containers[0].comand',
    'Did you mean "command"',
  ],
  [
    '32 JobSpec field',
    (m) => (job(m).spec.backofflimit = 2),
    'spec.trialTemplate.trialSpec.spec.backofflimit',
    'to Job',
  ],
  [
    '33 no parameters',
    (m) => (m.spec.parameters = []),
    'spec.parameters',
    'spec.parameters or spec.nasConfig must be specified',
  ],
  ['34 parameters and nasConfig', (m) => (m.spec.nasConfig = { operations: [] }), 'spec.nasConfig', 'only one of'],
  [
    '35 parameterType',
    (m) => (m.spec.parameters[0].parameterType = 'float'),
    'spec.parameters[0].parameterType',
    'float is not supported',
  ],
  [
    '36 distribution',
    (m) => (m.spec.parameters[0].feasibleSpace.distribution = 'loguniform'),
    'spec.parameters[0].feasibleSpace.distribution',
    'Did you mean "logUniform"',
  ],
  [
    '37 empty feasibleSpace',
    (m) => (m.spec.parameters[0].feasibleSpace = {}),
    'spec.parameters[0].feasibleSpace',
    'must be specified',
  ],
  [
    '38 list on a double',
    (m) => (m.spec.parameters[0].feasibleSpace.list = ['1']),
    'spec.parameters[0].feasibleSpace.list',
    'not supported for parameterType: double',
  ],
  [
    '39 min missing',
    (m) => delete m.spec.parameters[1].feasibleSpace.min,
    'spec.parameters[1].feasibleSpace.min',
    'must be specified for parameterType: int',
  ],
  [
    '40 min on a categorical',
    (m) => (m.spec.parameters[2].feasibleSpace.min = '1'),
    'spec.parameters[2].feasibleSpace.min',
    'not supported for parameterType: categorical',
  ],
  [
    '42 File path relative',
    (m) => collector(m, { collector: { kind: 'File' }, source: { fileSystemPath: { kind: 'File', path: 'm.log' } } }),
    'spec.metricsCollectorSpec.source.fileSystemPath',
    'file path where metrics file exists is required',
  ],
  [
    '43 File format',
    (m) =>
      collector(m, {
        collector: { kind: 'File' },
        source: { fileSystemPath: { kind: 'File', path: '/m.log', format: 'CSV' } },
      }),
    'spec.metricsCollectorSpec.source.fileSystemPath.format',
    'TEXT or JSON',
  ],
  [
    '44 JSON with filter',
    (m) =>
      collector(m, {
        collector: { kind: 'File' },
        source: {
          fileSystemPath: { kind: 'File', path: '/m.json', format: 'JSON' },
          filter: { metricsFormat: ['(a)=(b)'] },
        },
      }),
    'spec.metricsCollectorSpec.source.filter',
    'filter must be nil',
  ],
  [
    '45 TensorFlowEvent kind File',
    (m) =>
      collector(m, {
        collector: { kind: 'TensorFlowEvent' },
        source: { fileSystemPath: { kind: 'File', path: '/logs' } },
      }),
    'spec.metricsCollectorSpec.source.fileSystemPath',
    'directory path where tensorflow event files exist',
  ],
  [
    '45 TensorFlowEvent format',
    (m) =>
      collector(m, {
        collector: { kind: 'TensorFlowEvent' },
        source: { fileSystemPath: { kind: 'Directory', path: '/logs', format: 'TEXT' } },
      }),
    'spec.metricsCollectorSpec.source.fileSystemPath.format',
    'must be empty',
  ],
  [
    '46 Prometheus port',
    (m) =>
      collector(m, { collector: { kind: 'PrometheusMetric' }, source: { httpGet: { port: -1, path: '/metrics' } } }),
    'spec.metricsCollectorSpec.source.httpGet.port',
    'positive integer',
  ],
  [
    '46 Prometheus path',
    (m) =>
      collector(m, { collector: { kind: 'PrometheusMetric' }, source: { httpGet: { port: 8080, path: 'metrics' } } }),
    'spec.metricsCollectorSpec.source.httpGet.path',
    'path is invalid',
  ],
  [
    '47 Custom without container',
    (m) => collector(m, { collector: { kind: 'Custom' } }),
    'spec.metricsCollectorSpec.collector.customCollector',
    'Custom is required',
  ],
  [
    '47 Custom bad path',
    (m) =>
      collector(m, {
        collector: { kind: 'Custom', customCollector: { image: 'x' } },
        source: { fileSystemPath: { kind: 'File', path: 'rel' } },
      }),
    'spec.metricsCollectorSpec.source.fileSystemPath',
    'source is invalid',
  ],
  [
    '48 None was renamed',
    (m) => collector(m, { collector: { kind: 'None' } }),
    'spec.metricsCollectorSpec.collector.kind',
    'renamed to Push',
  ],
  [
    '48 unknown kind',
    (m) => collector(m, { collector: { kind: 'Stdout' } }),
    'spec.metricsCollectorSpec.collector.kind',
    'Did you mean "StdOut"',
  ],
  [
    '49 filter does not compile',
    (m) => collector(m, { source: { filter: { metricsFormat: ['(a=(b)'] } } }),
    'spec.metricsCollectorSpec.source.filter.metricsFormat[0]',
    'invalid filter',
  ],
  [
    '49 filter with one group',
    (m) => collector(m, { source: { filter: { metricsFormat: ['loss=(\\d+)'] } } }),
    'spec.metricsCollectorSpec.source.filter.metricsFormat[0]',
    'two top subexpressions',
  ],
  [
    '49 filter RE2 cannot run',
    (m) => collector(m, { source: { filter: { metricsFormat: ['(\\w+)(?=x)=(\\d+)'] } } }),
    'spec.metricsCollectorSpec.source.filter.metricsFormat[0]',
    'lookahead',
  ],
];

/** Checks Katib leaves to run time (or never does). */
const extraRules: Row[] = [
  [
    'double min == max',
    (m) => (m.spec.parameters[0].feasibleSpace.max = '0.01'),
    'spec.parameters[0].feasibleSpace.max',
    'greater than min',
  ],
  [
    'int min > max',
    (m) => (m.spec.parameters[1].feasibleSpace.min = '5'),
    'spec.parameters[1].feasibleSpace.max',
    'at least min',
  ],
  [
    'min not a number',
    (m) => (m.spec.parameters[0].feasibleSpace.min = '1e-2x'),
    'spec.parameters[0].feasibleSpace.min',
    'finite number',
  ],
  [
    'int bound not whole',
    (m) => (m.spec.parameters[1].feasibleSpace.max = '4.5'),
    'spec.parameters[1].feasibleSpace.max',
    'must be an integer',
  ],
  [
    'step zero',
    (m) => (m.spec.parameters[0].feasibleSpace.step = '0'),
    'spec.parameters[0].feasibleSpace.step',
    'greater than 0',
  ],
  [
    'step wider than range',
    (m) => (m.spec.parameters[0].feasibleSpace.step = '0.5'),
    'spec.parameters[0].feasibleSpace.step',
    'larger than max - min',
  ],
  [
    'logUniform with min 0',
    (m) => Object.assign(m.spec.parameters[0].feasibleSpace, { min: '0', distribution: 'logUniform' }),
    'spec.parameters[0].feasibleSpace.min',
    'needs min > 0',
  ],
  [
    'int max beyond 2^53 - 1',
    (m) => (m.spec.parameters[1].feasibleSpace.max = '9007199254740992'),
    'spec.parameters[1].feasibleSpace.max',
    'beyond ±9007199254740991',
  ],
  [
    'int min beyond -(2^53 - 1)',
    (m) => (m.spec.parameters[1].feasibleSpace.min = '-100000000000000000000'),
    'spec.parameters[1].feasibleSpace.min',
    'beyond ±9007199254740991',
  ],
  [
    'int step beyond 2^53 - 1',
    (m) => Object.assign(m.spec.parameters[1].feasibleSpace, { max: '9007199254740991', step: '9007199254740993' }),
    'spec.parameters[1].feasibleSpace.step',
    'beyond ±9007199254740991',
  ],
  [
    'double bound that overflows to Infinity',
    (m) => (m.spec.parameters[0].feasibleSpace.max = '1e309'),
    'spec.parameters[0].feasibleSpace.max',
    'finite number',
  ],
  [
    'double range whose width overflows',
    (m) => Object.assign(m.spec.parameters[0].feasibleSpace, { min: '-1e308', max: '1e308' }),
    'spec.parameters[0].feasibleSpace.max',
    'overflows to Infinity',
  ],
  [
    'double step giving more than 2^53 points',
    (m) => Object.assign(m.spec.parameters[0].feasibleSpace, { min: '0', max: '1', step: '1e-17' }),
    'spec.parameters[0].feasibleSpace.step',
    'more than 2^53',
  ],
  [
    'double step giving more than 2^53 points on a huge range',
    (m) => Object.assign(m.spec.parameters[0].feasibleSpace, { min: '0', max: '1e20', step: '1' }),
    'spec.parameters[0].feasibleSpace.step',
    'about 1.00e+20 points',
  ],
  [
    'double step below the resolution at the bounds',
    (m) => Object.assign(m.spec.parameters[0].feasibleSpace, { min: '1e6', max: '1000000.001', step: '1e-11' }),
    'spec.parameters[0].feasibleSpace.step',
    'floating-point resolution',
  ],
  [
    'empty categorical',
    (m) => (m.spec.parameters[2].feasibleSpace.list = []),
    'spec.parameters[2].feasibleSpace.list',
    'non-empty',
  ],
  [
    'repeated categorical',
    (m) => (m.spec.parameters[2].feasibleSpace.list = ['a', 'a']),
    'spec.parameters[2].feasibleSpace.list[1]',
    'listed twice',
  ],
  [
    'categorical value with NUL',
    (m) => (m.spec.parameters[2].feasibleSpace.list = ['a', 'b\u0000c']),
    'spec.parameters[2].feasibleSpace.list[1]',
    'contains a NUL character',
  ],
  [
    'discrete value not numeric',
    (m) => (m.spec.parameters[2] = { name: 'opt', parameterType: 'discrete', feasibleSpace: { list: ['1', 'two'] } }),
    'spec.parameters[2].feasibleSpace.list[1]',
    'must be numbers',
  ],
  [
    'parameterType unknown',
    (m) => (m.spec.parameters[2].parameterType = 'unknown'),
    'spec.parameters[2].parameterType',
    'no algorithm can sample',
  ],
  [
    'duplicate parameter names',
    (m) => m.spec.parameters.push({ name: 'lr', parameterType: 'double', feasibleSpace: { min: '1', max: '2' } }),
    'spec.parameters[3].name',
    'defined twice',
  ],
  [
    'parameter never referenced',
    (m) => m.spec.parameters.push({ name: 'wd', parameterType: 'double', feasibleSpace: { min: '0', max: '1' } }),
    'spec.parameters[3].name',
    'not referenced by any trialParameter',
  ],
  ['goal not numeric', (m) => (m.spec.objective.goal = 'high'), 'spec.objective.goal', 'finite number'],
  [
    'additional metric twice',
    (m) => (m.spec.objective.additionalMetricNames = ['acc', 'acc']),
    'spec.objective.additionalMetricNames[1]',
    'twice',
  ],
  [
    'strategy for an undeclared metric',
    (m) => (m.spec.objective.metricStrategies = [{ name: 'acuracy', value: 'max' }]),
    'spec.objective.metricStrategies[0].name',
    'Did you mean "accuracy"',
  ],
  [
    'strategy value',
    (m) => (m.spec.objective.metricStrategies = [{ name: 'loss', value: 'best' }]),
    'spec.objective.metricStrategies[0].value',
    'min, max or latest',
  ],
  [
    'primary container missing',
    (m) => (m.spec.trialTemplate.primaryContainerName = 'trainer'),
    'spec.trialTemplate.primaryContainerName',
    'no container named "trainer"',
  ],
  [
    'primary container missing in a PyTorchJob',
    (m) => {
      const c = container(m);
      m.spec.trialTemplate.trialSpec = {
        apiVersion: 'kubeflow.org/v1',
        kind: 'PyTorchJob',
        spec: {
          pytorchReplicaSpecs: {
            Master: { replicas: 1, template: { spec: { containers: [{ ...c, name: 'pytorch' }] } } },
          },
        },
      };
    },
    'spec.trialTemplate.primaryContainerName',
    'containers: pytorch',
  ],
  ['unknown spec field', (m) => (m.spec.maxTrialCounts = 5), 'spec.maxTrialCounts', 'Did you mean "maxTrialCount"'],
  [
    'unknown feasibleSpace field',
    (m) => (m.spec.parameters[0].feasibleSpace.stp = '0.01'),
    'spec.parameters[0].feasibleSpace.stp',
    'Did you mean "step"',
  ],
  ['budget not a number', (m) => (m.spec.maxTrialCount = '10'), 'spec.maxTrialCount', 'whole number'],
  ['apiVersion', (m) => (m.apiVersion = 'kubeflow.org/v1alpha3'), 'apiVersion', 'kubeflow.org/v1beta1'],
  [
    'label reference the template lacks',
    (m) => {
      m.spec.trialTemplate.trialParameters.push({ name: 'team', reference: '${trialSpec.Labels[team]}' });
      container(m).command.push('--team=${trialParameters.team}');
    },
    'spec.trialTemplate.trialParameters[3].reference',
    'has no key "team"',
  ],
  [
    'unsupported meta reference',
    (m) => {
      m.spec.trialTemplate.trialParameters.push({ name: 'uid', reference: '${trialSpec.UID}' });
      container(m).command.push('--uid=${trialParameters.uid}');
    },
    'spec.trialTemplate.trialParameters[3].reference',
    'illegal reference of trial metadata',
  ],
  [
    'setting without a value',
    (m) => (m.spec.algorithm.algorithmSettings = [{ name: 'random_state' }]),
    'spec.algorithm.algorithmSettings[0]',
    'name: string, value: string',
  ],
];

function validate(m: Loose) {
  const configMaps = m.__configMaps;
  delete m.__configMaps;
  return validateExperiment(m, configMaps ? { ...options, configMaps } : options);
}

describe('validateExperiment', () => {
  it('accepts the base manifest', () => {
    expect(lines(validateExperiment(baseManifest(), options))).toEqual([]);
  });

  it.each([...webhookRules, ...extraRules])('rule %s', (_rule, edit, path, fragment) => {
    const issues = validate(mutated(edit));
    const hit = issues.find((i) => i.path === path && i.message.includes(fragment));
    expect(hit, lines(issues).join('\n')).toBeDefined();
  });

  it('reports every problem at once, even with the objective missing', () => {
    const issues = validate(
      mutated((m) => {
        delete m.spec.objective;
        m.spec.parameters[0].feasibleSpace.min = 'abc';
        m.metadata.name = 'Bad';
      }),
    );
    expect(issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['metadata.name', 'spec.objective', 'spec.parameters[0].feasibleSpace.min']),
    );
  });

  it('accepts what Katib accepts and we must not reject', () => {
    const ok = [
      mutated((m) => (m.spec.parameters[1].feasibleSpace.max = '1')), // int min == max: a constant
      mutated((m) => (m.spec.metricsCollectorSpec = { collector: { kind: 'Push' } })),
      mutated((m) => (m.spec.parameters[0].feasibleSpace.distribution = 'unknown')),
      // wide but representable ranges
      mutated((m) =>
        Object.assign(m.spec.parameters[1].feasibleSpace, { min: '-9007199254740991', max: '9007199254740991' }),
      ),
      mutated((m) => Object.assign(m.spec.parameters[0].feasibleSpace, { min: '-1e307', max: '1e307' })),
      mutated((m) => Object.assign(m.spec.parameters[0].feasibleSpace, { min: '0', max: '1', step: '1e-12' })),
      mutated((m) => (m.metadata.namespace = undefined)),
      mutated((m) => (m.spec.objective.metricStrategies = [{ name: 'accuracy', value: 'latest' }])),
      mutated(
        (m) => (m.spec.metricsCollectorSpec = { source: { filter: { metricsFormat: ['(?P<n>\\w+)=(?P<v>\\d+)'] } } }),
      ),
    ];
    for (const m of ok) expect(lines(validateExperiment(m, options))).toEqual([]);
  });

  it('accepts a missing trialTemplate for an in-process objective', () => {
    const m = mutated((m) => delete m.spec.trialTemplate);
    expect(lines(validateExperiment(m, { ...options, inProcess: true }))).toEqual([]);
  });

  it('rejects a collector kind the installation does not configure (rule 41)', () => {
    const m = mutated((m) => (m.spec.metricsCollectorSpec = { collector: { kind: 'PrometheusMetric' } }));
    const issues = validateExperiment(m, { ...options, collectorKinds: new Set(['StdOut', 'File']) });
    expect(lines(issues)).toEqual([
      'spec.metricsCollectorSpec.collector.kind: metrics collector kind PrometheusMetric is not configured in this installation.',
    ]);
  });

  it('appends the caller hint to an unknown algorithm', () => {
    const m = mutated((m) => (m.spec.algorithm.algorithmName = 'nope'));
    const [issue] = validateExperiment(m, { ...options, knownAlgorithmHint: 'Run `hpo algorithms`.' });
    expect(issue?.fix).toMatch(/random.*Run `hpo algorithms`\./);
  });

  it('does not mutate its input', () => {
    const m = baseManifest();
    const before = structuredClone(m);
    validateExperiment(m, options);
    expect(m).toEqual(before);
  });
});
