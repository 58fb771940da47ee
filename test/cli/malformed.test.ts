// Every shape of malformed Experiment input is bad input: exit 2 with a path, never a stack trace or exit 1.
// HPO_FUZZ_RUNS=5000 runs the properties longer when hunting for new crashes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { validateCommand } from '../../src/cli/commands.ts';
import { main } from '../../src/cli/main.ts';
import { hpo } from '../cliRunner.ts';
import { tempDir } from '../helpers.ts';

const stackFrame = /\n\s+at .+:\d+:\d+/;
const head = 'apiVersion: kubeflow.org/v1beta1\nkind: Experiment\n';
const bomb = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]',
  ...'bcdefgh'.split('').map((k, i) => {
    const prev = 'abcdefgh'[i];
    return `${k}: &${k} [${Array(9).fill(`*${prev}`).join(',')}]`;
  }),
  'kind: Experiment',
].join('\n');

/** [label, file text, a path the message must name]. */
const cases: [string, string, string][] = [
  ['spec: null', `${head}metadata: {name: x}\nspec: null\n`, 'spec'],
  ['spec a string', `${head}metadata: {name: x}\nspec: fast please\n`, 'spec'],
  ['no spec', `${head}metadata: {name: x}\n`, 'spec'],
  ['metadata a list', `${head}metadata: [x]\nspec: {}\n`, 'metadata'],
  ['parameters not a list', `${head}metadata: {name: x}\nspec: {parameters: 5}\n`, 'spec.parameters'],
  [
    'parameters a list of nulls',
    `${head}metadata: {name: x}\nspec: {parameters: [null, null]}\n`,
    'spec.parameters[0]',
  ],
  [
    'numbers where objects go',
    `${head}metadata: {name: x}\nspec: {objective: 1, algorithm: 2, trialTemplate: 3}\n`,
    'spec.objective',
  ],
  [
    'a string where a list goes',
    `${head}metadata: {name: x}\nspec: {algorithm: {algorithmName: [], algorithmSettings: x}}\n`,
    'spec.algorithm.algorithmSettings',
  ],
  ['a top-level list of non-objects', '- 1\n- two\n- null\n', 'no document has kind: Experiment'],
  ['an empty file', '', 'the file has no YAML documents'],
  ['binary garbage', '\u0000\u0001\u00ff{[}]: : :\n\t- ?', 'bad.yaml'],
  ['a YAML alias bomb', bomb, 'aliases'],
];

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => tmp.cleanup());

describe('malformed Experiment files', () => {
  it.each(cases)('%s: validate and run exit 2 naming the path', (label, text, path) => {
    const file = join(tmp.dir, `${label.replaceAll(' ', '-')}-bad.yaml`);
    writeFileSync(file, text);
    for (const command of ['validate', 'run']) {
      const r = hpo([command, file, '--store', join(tmp.dir, 'store')]);
      expect(r.stderr).not.toMatch(stackFrame);
      expect(r.stderr).toContain(path);
      expect(r.status).toBe(2);
    }
  });
});

describe('validate on random shapes (property)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  // Any JSON-ish value, including the awkward ones YAML produces (null, empty list/map, numbers for strings).
  const value = fc.letrec((tie) => ({
    any: fc.oneof(
      { depthSize: 'small' },
      fc.constantFrom(null, true, 0, -1, 1.5, '', 'x', 'min', '1e9', '${trialParameters.x}'),
      fc.array(tie('any'), { maxLength: 3 }),
      fc.dictionary(
        fc.constantFrom(
          'name',
          'parameterType',
          'feasibleSpace',
          'min',
          'max',
          'list',
          'type',
          'objectiveMetricName',
          'algorithmName',
          'algorithmSettings',
          'trialParameters',
          'trialSpec',
          'reference',
          'value',
        ),
        tie('any'),
        { maxKeys: 4 },
      ),
    ),
  })).any;
  const spec = fc.record(
    {
      objective: value,
      algorithm: value,
      earlyStopping: value,
      parameters: value,
      trialTemplate: value,
      metricsCollectorSpec: value,
      maxTrialCount: value,
      parallelTrialCount: value,
      nasConfig: value,
      resumePolicy: value,
    },
    { requiredKeys: [] },
  );
  const doc = fc.record(
    {
      apiVersion: fc.constantFrom('kubeflow.org/v1beta1', 'v1', 3),
      kind: fc.constant('Experiment'),
      metadata: fc.oneof(fc.record({ name: value, namespace: value }, { requiredKeys: [] }), value),
      spec: fc.oneof(spec, value),
    },
    { requiredKeys: ['kind'] },
  );

  it('never throws and always answers 0 or 2', async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const file = join(tmp.dir, 'random.yaml');
    await fc.assert(
      fc.asyncProperty(fc.array(doc, { minLength: 1, maxLength: 2 }), async (docs) => {
        writeFileSync(file, docs.map((d) => stringify(d)).join('---\n'));
        expect([0, 2]).toContain(await validateCommand([file]));
      }),
      { numRuns: Number(process.env.HPO_FUZZ_RUNS ?? 400) },
    );
  });

  it('main() maps the same shapes to exit 2 for run, before any trial starts', async () => {
    const errors: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
      errors.push(String(s));
      return true;
    });
    const file = join(tmp.dir, 'random-run.yaml');
    await fc.assert(
      fc.asyncProperty(spec, async (s) => {
        errors.length = 0;
        writeFileSync(
          file,
          stringify({ apiVersion: 'kubeflow.org/v1beta1', kind: 'Experiment', metadata: { name: 'r' }, spec: s }),
        );
        const code = await main(['run', file, '--store', ':memory:', '-q']);
        expect(errors.join('')).not.toMatch(stackFrame);
        expect(code).toBe(2);
      }),
      { numRuns: Number(process.env.HPO_FUZZ_RUNS ?? 400) / 4 },
    );
  });
});
