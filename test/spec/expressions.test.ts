import { describe, expect, it } from 'vitest';
import { parseExperiment } from '../../src/spec/config.ts';
import { type Loose, lines, mutated, options } from './helpers.ts';

/** The base manifest (lr, layers, opt; minimise loss, collect accuracy) with one constraint and one derived metric. */
function withExpressions(edit: (m: Loose) => void = () => {}) {
  return mutated((m) => {
    m.spec.parameterConstraints = [{ expression: 'lr * layers <= 0.3' }];
    m.spec.objective.additionalMetricNames = ['accuracy', 'latency_ms'];
    m.spec.objective.derivedMetrics = [{ name: 'score', expression: 'accuracy - 0.01 * latency_ms' }];
    edit(m);
  });
}

const constraint = (expression: unknown) => (m: Loose) => (m.spec.parameterConstraints = [{ expression }]);
const derived = (expression: unknown) => (m: Loose) =>
  (m.spec.objective.derivedMetrics = [{ name: 'score', expression }]);
const c0 = 'spec.parameterConstraints[0].expression';
const d0 = 'spec.objective.derivedMetrics[0].expression';

type Row = [what: string, edit: (m: Loose) => void, path: string, fragment: string];

const hostile: Row[] = [
  [
    'constraints not a list',
    (m) => (m.spec.parameterConstraints = 'lr < 1'),
    'spec.parameterConstraints',
    'must be a list',
  ],
  [
    'a constraint that is a string',
    (m) => (m.spec.parameterConstraints = ['lr < 1']),
    'spec.parameterConstraints[0]',
    'must be a mapping',
  ],
  [
    'an unknown constraint field',
    (m) => (m.spec.parameterConstraints = [{ expresion: 'lr < 1' }]),
    'spec.parameterConstraints[0].expresion',
    'Did you mean "expression"',
  ],
  ['an expression that is a number', constraint(1), c0, 'must be a string'],
  ['an unknown parameter', constraint('lr + layer <= 1'), c0, "unknown name 'layer'"],
  ['a syntax error, with its position', constraint('lr + <= 1'), c0, '(char 6)'],
  ['an unclosed parenthesis', constraint('(lr + layers <= 1'), c0, 'syntax error'],
  ['a number, not a condition', constraint('lr + layers'), c0, 'must be true or false'],
  ['a categorical in arithmetic', constraint('opt + lr <= 1'), c0, 'categorical parameter'],
  ['a categorical compared with a number', constraint('opt == 1'), c0, 'compares a string with a number'],
  ['a constraint that reads no parameter', constraint('1 < 2'), c0, 'reads no parameter'],
  ['an assignment', constraint('lr = 1'), c0, "assignment (=) 'lr = 1'"],
  ['a function definition', constraint('f(x) = x'), c0, 'a function definition'],
  ['import', constraint('import({x: 1})'), c0, "the function 'import'"],
  ['evaluate', constraint('evaluate("1 < 2")'), c0, "the function 'evaluate'"],
  ['parse', constraint('parse("lr")'), c0, "the function 'parse'"],
  ['createUnit', constraint('createUnit("foo")'), c0, "the function 'createUnit'"],
  ['a method call', constraint('lr.constructor("return 1") < 1'), c0, "the function 'lr.constructor'"],
  ['property access', constraint('lr["constructor"] < 1'), c0, 'property or index access'],
  ['several statements', constraint('lr < 1; layers < 2'), c0, 'several statements'],
  ['a matrix', constraint('[lr, layers] < 1'), c0, 'a matrix or list'],
  ['an object', constraint('{a: lr} < 1'), c0, 'an object'],
  ['a unit', constraint('lr < 5 cm'), c0, "unknown name 'cm'"],
  ['a range', constraint('lr < 1:3'), c0, 'a range'],
  ['a bitwise operator', constraint('layers & 1 == 1'), c0, "the operator '&'"],
  ['a factorial', constraint('layers! < 3'), c0, "the operator '!'"],
  ['a function used as a name', constraint('sqrt < 1'), c0, 'sqrt is a function'],
  ['an Object.prototype member as a name', constraint('constructor < 1 or lr < 1'), c0, "unknown name 'constructor'"],
  ['an Object.prototype member as a function', constraint('toString(lr) < 1'), c0, "the function 'toString'"],
  ['__proto__ as a name', constraint('__proto__ < 1 or lr < 1'), c0, "unknown name '__proto__'"],
  [
    'a categorical compared with a value it does not have',
    constraint('"adm" != opt or lr < 0.05'),
    c0,
    '"adm" is not a value of opt',
  ],
  ['an empty expression', constraint('  '), c0, 'empty'],
  ['a very long expression', constraint(`${'('.repeat(5000)}lr${')'.repeat(5000)} < 1`), c0, 'at most 1000'],
  [
    'a derived metric name that is not a name',
    (m) => (m.spec.objective.derivedMetrics = [{ name: 'a b', expression: 'accuracy' }]),
    'spec.objective.derivedMetrics[0].name',
    'must be a metric name',
  ],
  [
    'a derived metric twice',
    (m) => m.spec.objective.derivedMetrics.push({ name: 'score', expression: 'accuracy' }),
    'spec.objective.derivedMetrics[1].name',
    'defined twice',
  ],
  ['an unknown metric', derived('acuracy - latency_ms'), d0, "unknown name 'acuracy'"],
  [
    'a derived metric reading a derived one',
    (m) => m.spec.objective.derivedMetrics.push({ name: 'twice', expression: '2 * score' }),
    'spec.objective.derivedMetrics[1].expression',
    "unknown name 'score'",
  ],
  ['a condition as a derived metric', derived('accuracy > 0.5'), d0, 'must be a number'],
  ['a syntax error in a derived metric', derived('accuracy -* 2'), d0, 'syntax error'],
  ['a derived metric calling a disallowed function', derived('random() + accuracy'), d0, "the function 'random'"],
  [
    'derivedMetrics not a list',
    (m) => (m.spec.objective.derivedMetrics = { name: 'score' }),
    'spec.objective.derivedMetrics',
    'must be a list',
  ],
];

describe('spec.parameterConstraints and spec.objective.derivedMetrics', () => {
  it('accepts constraints and a derived objective, and resolves them into the config', () => {
    const m = withExpressions((x) => {
      x.spec.parameterConstraints.push({ expression: 'opt == "adam" or layers < 3' });
      x.spec.objective.objectiveMetricName = 'score';
      x.spec.objective.type = 'maximize';
      delete x.spec.objective.goal;
    });
    const { config, issues } = parseExperiment(m, options);
    expect(lines(issues)).toEqual([]);
    expect(config!.constraints).toEqual([
      { expression: 'lr * layers <= 0.3' },
      { expression: 'opt == "adam" or layers < 3' },
    ]);
    expect(config!.derivedMetrics).toEqual([{ name: 'score', expression: 'accuracy - 0.01 * latency_ms' }]);
    expect(config!.metricNames).toEqual(['score', 'accuracy', 'latency_ms']);
  });

  it.each(hostile)('reports %s with its path, the offending token and a fix', (_what, edit, path, fragment) => {
    const parsed = parseExperiment(withExpressions(edit), options);
    expect(parsed.config).toBeUndefined();
    const hit = parsed.issues.find((i) => i.path === path && i.message.includes(fragment));
    expect(hit, lines(parsed.issues).join('\n')).toBeDefined();
    expect(hit?.fix ?? '').not.toBe('');
  });
});
