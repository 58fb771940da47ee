import { describe, expect, it } from 'vitest';
import { loadExperimentFile } from '../../../src/spec/load.ts';
import { readOptimizationJob } from '../../../src/spec/optimizationJob/read.ts';
import { toOptimizationJob } from '../../../src/spec/optimizationJob/write.ts';
import { renderTrialSpec } from '../../../src/spec/template.ts';
import type { ExperimentManifest } from '../../../src/spec/types.ts';
import { variants } from './fixtures.ts';

const quickstart = (): ExperimentManifest => {
  const [m] = loadExperimentFile(new URL('../../../examples/quickstart/experiment.yaml', import.meta.url).pathname);
  if (!m) throw new Error('no quickstart');
  return m;
};

function write(m: ExperimentManifest, opts = {}) {
  const w = toOptimizationJob(m, opts);
  if (!w.ok) throw new Error(`unexpected issues: ${JSON.stringify(w.issues)}`);
  return w;
}

function edited(edit: (m: ExperimentManifest) => void): ExperimentManifest {
  const m = quickstart();
  m.spec.algorithm = { algorithmName: 'random' };
  edit(m);
  return m;
}

/** Kubernetes' $(VAR) expansion of a container's args from its env, as the kubelet does. */
function expand(args: string[], env: { name: string; value: string }[]): string[] {
  const vars = new Map(env.map((e) => [e.name, e.value]));
  return args.map((a) => a.replace(/\$\(([A-Z0-9_]+)\)/g, (w, n: string) => vars.get(n) ?? w));
}

describe('toOptimizationJob', () => {
  it.each(variants().map((v) => [(v.metadata as { name: string }).name, v]))(
    'OptimizationJob → Experiment → OptimizationJob gives the same job (%s)',
    (_name, doc) => {
      const read = readOptimizationJob(doc as Record<string, unknown>);
      if (!read.ok) throw new Error(JSON.stringify(read.issues));
      const back = write(read.experiment);
      expect(back.warnings).toEqual([]);
      // The written job spells out the CRD's defaults (type: Float); compare with them filled in.
      const expected = structuredClone(doc) as {
        spec: { parameters: { searchSpace: Record<string, { type?: string }> }[] };
      };
      for (const p of expected.spec.parameters) {
        for (const k of ['uniform', 'logUniform']) {
          const range = p.searchSpace[k];
          if (range) range.type ??= 'Float';
        }
      }
      expect(back.job).toEqual(expected);
    },
  );

  it('Experiment → OptimizationJob → Experiment keeps the objective, space, budget and what each trial runs', () => {
    const original = edited(() => {});
    const job = write(original).job;
    const read = readOptimizationJob(job as unknown as Record<string, unknown>);
    if (!read.ok) throw new Error(JSON.stringify(read.issues));
    const again = read.experiment;
    expect(again.spec.objective).toEqual({ type: 'minimize', objectiveMetricName: 'loss' });
    expect([again.spec.maxTrialCount, again.spec.parallelTrialCount]).toEqual([12, 2]);
    expect(again.spec.parameters?.map((p) => [p.name, p.feasibleSpace])).toEqual([
      ['lr', { min: '0.001', max: '1', distribution: 'logUniform' }],
      ['l2', { min: '0', max: '0.1', distribution: 'uniform' }],
      // discrete becomes categorical: an OptimizationJob's choices are strings, as trials receive them anyway
      ['batch_size', { list: ['16', '32', '64'] }],
    ]);
    const assignment = { lr: 0.05, l2: 0.01, batch_size: '32' };
    const render = (m: ExperimentManifest) =>
      renderTrialSpec({
        template: m.spec.trialTemplate?.trialSpec ?? {},
        trialParameters: m.spec.trialTemplate?.trialParameters ?? [],
        assignment,
        trialName: 't',
        namespace: 'default',
      });
    const before = render(original) as {
      spec: { template: { spec: { containers: { command: string[] }[] } } };
    };
    const after = render(again) as {
      spec: { trainer: { command: string[]; env: { name: string; value: string }[] } };
    };
    expect(expand(after.spec.trainer.command, after.spec.trainer.env)).toEqual(
      before.spec.template.spec.containers[0]?.command,
    );
  });

  it('writes a batch Job as a TrainJob under the chosen runtime, with its deadline', () => {
    const spec = write(
      edited(() => {}),
      { runtime: 'my-runtime' },
    ).job.spec.trainJobTemplate.spec as {
      runtimeRef: unknown;
      activeDeadlineSeconds: number;
      trainer: { image: string; numNodes: number };
    };
    expect(spec.runtimeRef).toEqual({ name: 'my-runtime' });
    expect(spec.activeDeadlineSeconds).toBe(120);
    expect(spec.trainer).toMatchObject({ image: 'node:20-slim', numNodes: 1 });
  });

  it("carries the experiment's Kueue queue as the TrainJob template's label", () => {
    const job = write(
      edited((m) => {
        if (m.spec.trialTemplate) m.spec.trialTemplate.scheduling = { queueName: 'team-a' };
      }),
    ).job;
    expect(job.spec.trainJobTemplate.metadata).toEqual({ labels: { 'kueue.x-k8s.io/queue-name': 'team-a' } });
  });

  it('lists stepped ranges, and every int range under grid, as categorical choices', () => {
    const job = write(
      edited((m) => {
        m.spec.algorithm = { algorithmName: 'grid' };
        m.spec.parameters = [
          { name: 'lr', parameterType: 'double', feasibleSpace: { min: '0.1', max: '0.3', step: '0.1' } },
          { name: 'l2', parameterType: 'int', feasibleSpace: { min: '1', max: '3' } },
          { name: 'batch_size', parameterType: 'discrete', feasibleSpace: { list: ['16', '32'] } },
        ];
      }),
    ).job;
    expect(job.spec.searchAlgorithm).toEqual({ grid: {} });
    expect(job.spec.parameters.map((p) => p.searchSpace.categorical?.choices)).toEqual([
      ['0.1', '0.2', '0.3'],
      ['1', '2', '3'],
      ['16', '32'],
    ]);
  });

  it('keeps an int range without a step under random search, and carries random_state as the seed', () => {
    const job = write(
      edited((m) => {
        m.spec.algorithm = { algorithmName: 'tpe', algorithmSettings: [{ name: 'random_state', value: '3' }] };
        m.spec.parameters?.splice(1, 1, { name: 'l2', parameterType: 'int', feasibleSpace: { min: '1', max: '300' } });
      }),
    );
    expect(job.job.spec.searchAlgorithm).toEqual({ random: { seed: 3 } });
    expect(job.job.spec.parameters[1]?.searchSpace).toEqual({ uniform: { min: '1', max: '300', type: 'Int' } });
    expect(job.warnings.map((w) => w.path)).toContain('spec.algorithm.algorithmName');
  });

  it('warns, naming the Katib field, about everything it drops', () => {
    const w = write(
      edited((m) => {
        m.spec.objective = { ...m.spec.objective, goal: 0.1 } as never;
        m.spec.earlyStopping = { algorithmName: 'medianstop' };
        m.spec.resumePolicy = 'LongRunning';
      }),
    );
    expect(w.warnings.every((i) => i.severity === 'warning')).toBe(true);
    expect(w.warnings.map((i) => i.path)).toEqual(
      expect.arrayContaining([
        'spec.objective.goal',
        'spec.objective.additionalMetricNames',
        'spec.earlyStopping',
        'spec.maxFailedTrialCount',
        'spec.resumePolicy',
      ]),
    );
  });

  // [what, the edit, the path the refusal must name]
  const refused: [string, (m: ExperimentManifest) => void, string][] = [
    [
      'several objectives',
      (m) => {
        if (m.spec.objective)
          m.spec.objective.additionalObjectives = [{ type: 'maximize', objectiveMetricName: 'accuracy' }];
      },
      'spec.objective.additionalObjectives',
    ],
    ['NAS', (m) => (m.spec.nasConfig = {}), 'spec.nasConfig'],
    [
      'two parameters with the same variable',
      (m) => {
        const p = m.spec.parameters?.[2];
        if (p) p.name = 'L2';
      },
      'spec.parameters[2].name',
    ],
    ['no trial limit', (m) => delete m.spec.maxTrialCount, 'spec.maxTrialCount'],
    ['more than 100 trials', (m) => (m.spec.maxTrialCount = 500), 'spec.maxTrialCount'],
    [
      'a normal distribution',
      (m) => {
        const p = m.spec.parameters?.[1];
        if (p) p.feasibleSpace.distribution = 'normal';
      },
      'spec.parameters[1].feasibleSpace.distribution',
    ],
    [
      'grid over a double without step',
      (m) => (m.spec.algorithm = { algorithmName: 'grid' }),
      'spec.parameters[0].feasibleSpace.step',
    ],
    [
      'a step with more than 100 values',
      (m) => {
        const p = m.spec.parameters?.[1];
        if (p) p.feasibleSpace.step = '0.0001';
      },
      'spec.parameters[1].feasibleSpace',
    ],
    [
      'a PyTorchJob trial',
      (m) => {
        const t = m.spec.trialTemplate?.trialSpec;
        if (t) {
          t.apiVersion = 'kubeflow.org/v1';
          t.kind = 'PyTorchJob';
        }
      },
      'spec.trialTemplate.trialSpec.kind',
    ],
    [
      'a parameter used outside command and args',
      (m) => {
        type JobSpec = { spec: { template: { spec: { containers: Record<string, unknown>[] } } } };
        const c = (m.spec.trialTemplate?.trialSpec as JobSpec | undefined)?.spec.template.spec.containers[0];
        if (c) c.env = [{ name: 'LR', value: '${trialParameters.learningRate}' }];
      },
      'spec.trialTemplate.trialSpec',
    ],
    [
      'a ConfigMap template',
      (m) => m.spec.trialTemplate && delete m.spec.trialTemplate.trialSpec,
      'spec.trialTemplate',
    ],
  ];
  it.each(refused)('refuses %s with its path', (_what, edit, path) => {
    const w = toOptimizationJob(edited(edit));
    expect(w.ok).toBe(false);
    if (!w.ok) expect(w.issues.map((i) => i.path)).toContain(path);
  });
});
