import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ContainerEnvVar, expandEnvReferences, trialEnvironment } from '../../src/trial/env.ts';

const base = { PATH: '/usr/bin:/bin', HOME: '/home/u', SECRET_TOKEN: 'from-shell' };
const build = (containerEnv: ContainerEnvVar[], extra?: Record<string, string>) =>
  trialEnvironment({
    experiment: 'random-exp',
    trial: 'random-exp-abc123',
    namespace: 'kubeflow',
    workDir: '/tmp/hpo/random-exp-abc123',
    params: { lr: 0.01, optimizer: 'adam' },
    containerEnv,
    base,
    ...(extra === undefined ? {} : { extra }),
  });

describe('expandEnvReferences (Kubernetes $(VAR) semantics)', () => {
  const vars: Record<string, string> = { A: 'alpha', B: 'beta', EMPTY: '' };
  const lookup = (name: string) => vars[name];
  it.each([
    ['$(A)', 'alpha'],
    ['x-$(A)-$(B)-y', 'x-alpha-beta-y'],
    ['$(EMPTY)|', '|'],
    ['$(MISSING)', '$(MISSING)'],
    ['$$(A)', '$(A)'],
    ['$$$(A)', '$alpha'],
    ['$$', '$'],
    ['cost: 5$', 'cost: 5$'],
    ['$A $(A)', '$A alpha'],
    ['$(A', '$(A'],
    ['$()', '$()'],
    ['$(A)$(B)', 'alphabeta'],
    ['no refs at all', 'no refs at all'],
    ['$((A))', '$((A))'],
  ])('%j -> %j', (input, expected) => {
    expect(expandEnvReferences(input, lookup)).toBe(expected);
  });
});

describe('trialEnvironment', () => {
  it('inherits the base environment and injects Katib and workbench variables', () => {
    const { env, warnings } = build([]);
    expect(env).toMatchObject({
      PATH: '/usr/bin:/bin',
      HOME: '/home/u',
      KATIB_TRIAL_NAME: 'random-exp-abc123',
      HPO_EXPERIMENT: 'random-exp',
      HPO_TRIAL: 'random-exp-abc123',
      HPO_NAMESPACE: 'kubeflow',
      HPO_TRIAL_DIR: '/tmp/hpo/random-exp-abc123',
    });
    expect(JSON.parse(env.HPO_PARAMS ?? '')).toEqual({ lr: 0.01, optimizer: 'adam' });
    expect(warnings).toEqual([]);
  });

  it.each<[string, ContainerEnvVar[], Record<string, string>]>([
    ['a plain value', [{ name: 'X', value: '1' }], { X: '1' }],
    ['a missing value is the empty string', [{ name: 'X' }], { X: '' }],
    [
      'a reference to an earlier entry',
      [
        { name: 'A', value: 'a' },
        { name: 'B', value: '$(A)-b' },
      ],
      { B: 'a-b' },
    ],
    [
      'a reference to a later entry stays literal',
      [
        { name: 'B', value: '$(A)-b' },
        { name: 'A', value: 'a' },
      ],
      { B: '$(A)-b' },
    ],
    [
      'a reference to an injected variable',
      [{ name: 'OUT', value: '/logs/$(KATIB_TRIAL_NAME)' }],
      { OUT: '/logs/random-exp-abc123' },
    ],
    ['the inherited env is not visible, as in a pod', [{ name: 'H', value: '$(HOME)/x' }], { H: '$(HOME)/x' }],
    ['an escaped reference', [{ name: 'E', value: '$$(HOME)' }], { E: '$(HOME)' }],
    [
      'a later entry overrides an earlier one',
      [
        { name: 'X', value: '1' },
        { name: 'X', value: '2' },
      ],
      { X: '2' },
    ],
    [
      'a self reference uses the earlier value',
      [
        { name: 'X', value: 'a' },
        { name: 'X', value: '$(X)b' },
      ],
      { X: 'ab' },
    ],
    ['a container entry overrides the inherited env', [{ name: 'HOME', value: '/work' }], { HOME: '/work' }],
    [
      'fieldRef metadata.name is the trial',
      [{ name: 'P', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
      { P: 'random-exp-abc123' },
    ],
    [
      'fieldRef metadata.namespace',
      [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }],
      { N: 'kubeflow' },
    ],
    [
      "Katib's trial label",
      [{ name: 'T', valueFrom: { fieldRef: { fieldPath: "metadata.labels['katib.kubeflow.org/trial']" } } }],
      { T: 'random-exp-abc123' },
    ],
    [
      "Katib's experiment label",
      [{ name: 'E', valueFrom: { fieldRef: { fieldPath: "metadata.labels['katib.kubeflow.org/experiment']" } } }],
      { E: 'random-exp' },
    ],
  ])('%s', (_name, containerEnv, expected) => {
    const { env, warnings } = build(containerEnv);
    expect(env).toMatchObject(expected);
    expect(warnings).toEqual([]);
  });

  it.each<[string, ContainerEnvVar, RegExp]>([
    [
      'secretKeyRef',
      { name: 'SECRET_TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
      /env\[0\] SECRET_TOKEN: valueFrom secretKeyRef/,
    ],
    [
      'configMapKeyRef',
      { name: 'CFG', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } },
      /env\[0\] CFG: valueFrom configMapKeyRef/,
    ],
    [
      'resourceFieldRef',
      { name: 'CPUS', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
      /CPUS: valueFrom resourceFieldRef/,
    ],
    [
      'an unsupported fieldRef',
      { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      /IP: valueFrom status\.podIP/,
    ],
  ])('skips %s with a warning naming the variable', (_name, entry, pattern) => {
    const { env, warnings } = build([entry]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(pattern);
    // Not set by the template: only an inherited value remains.
    expect(env[entry.name]).toBe(base[entry.name as keyof typeof base]);
  });

  it('keeps injected and launcher variables over container entries, with a warning', () => {
    const { env, warnings } = build(
      [
        { name: 'KATIB_TRIAL_NAME', value: 'mine' },
        { name: 'RANK', value: '9' },
        { name: 'WHO', value: 'rank $(RANK)' },
      ],
      { RANK: '0' },
    );
    expect(env).toMatchObject({ KATIB_TRIAL_NAME: 'random-exp-abc123', RANK: '0', WHO: 'rank 0' });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/env\[0\] KATIB_TRIAL_NAME: set by the workbench/);
    expect(warnings[1]).toMatch(/env\[1\] RANK/);
  });

  it('warns about invalid names and non-string values from loose YAML', () => {
    const loose = [{ name: '' }, { name: 'A=B', value: 'x' }, { name: 'N', value: 3 }] as unknown as ContainerEnvVar[];
    const { env, warnings } = build(loose);
    expect(env.N).toBe('3');
    expect(warnings).toHaveLength(3);
    expect(warnings[2]).toMatch(/env\[2\] N: value should be a string/);
  });

  it('defaults the base environment to process.env', () => {
    const { env } = trialEnvironment({ experiment: 'e', trial: 't', namespace: 'n', workDir: '/w', params: {} });
    expect(env.PATH).toBe(process.env.PATH);
  });

  it('puts a large assignment in a file instead of a variable exec would refuse (over 128 KiB is E2BIG)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpo-env-'));
    try {
      const params = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`p${i}`, i / 7]));
      const ids = { experiment: 'e', trial: 't', namespace: 'default' };
      const { env } = trialEnvironment({ ...ids, workDir: dir, params, base: {} });
      expect(env.HPO_PARAMS).toBeUndefined();
      expect(JSON.parse(readFileSync(env.HPO_PARAMS_FILE!, 'utf8'))).toEqual(params);
      const small = trialEnvironment({ ...ids, workDir: dir, params: { lr: 0.1 }, base: {} }).env;
      expect([small.HPO_PARAMS, small.HPO_PARAMS_FILE]).toEqual(['{"lr":0.1}', undefined]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the artifacts folder', () => {
  it('is HPO_ARTIFACTS_DIR, and $(HPO_ARTIFACTS_DIR) in args and env values expands to it', async () => {
    const { localCommand } = await import('../../src/trial/localProcess.ts');
    const containerEnv = [{ name: 'OUT', value: '$(HPO_ARTIFACTS_DIR)/model.pt' }];
    const { env } = trialEnvironment({
      experiment: 'e',
      trial: 't',
      namespace: 'default',
      workDir: '/tmp/hpo/t',
      artifactsDir: '/tmp/hpo/artifacts/t',
      params: {},
      containerEnv,
      base,
    });
    expect(env.HPO_ARTIFACTS_DIR).toBe('/tmp/hpo/artifacts/t');
    expect(env.OUT).toBe('/tmp/hpo/artifacts/t/model.pt');
    const { argv } = localCommand({
      command: { command: ['train', '--save=$(HPO_ARTIFACTS_DIR)/model.joblib'] },
      containerEnv,
      env,
      collector: { kind: 'StdOut' },
      dir: '/tmp/hpo/t',
    });
    expect(argv).toEqual(['train', '--save=/tmp/hpo/artifacts/t/model.joblib']);
  });
});
