// The MLMD graph of an experiment: KFP's type names, every edge between existing nodes, trials' parameters as KFP's
// `inputs`, artifacts with digests and file URIs, data sets as INPUT artifacts.
import { describe, expect, it } from 'vitest';
import { dataAnnotation, lineageGraph, type MlmdGraph, walkLineage } from '../../../src/platform/mlmd/index.ts';
import type { ExperimentRecord } from '../../../src/store/types.ts';
import type { ArtifactRecord } from '../../../src/trial/artifacts.ts';
import { experiment, fullTrial, manifest, trial } from '../../store/fixtures-data.ts';

const file = (name: string, kind: ArtifactRecord['kind']): ArtifactRecord => ({
  name,
  path: `/store/experiments/exp/artifacts/exp-t1/${name}`,
  kind,
  sha256: 'ab'.repeat(32),
  size: 10,
});

function withData(uris: string): ExperimentRecord {
  return experiment('exp', {
    manifest: { ...manifest, metadata: { ...manifest.metadata, annotations: { [dataAnnotation]: uris } } },
  });
}

/** Every edge names a node that exists, and every node sits in the experiment's context. */
function expectConnected(g: MlmdGraph): void {
  const artifacts = new Set(g.artifacts.map((a) => a.id));
  const executions = new Set(g.executions.map((e) => e.id));
  const contexts = new Set(g.contexts.map((c) => c.id));
  for (const e of g.events) {
    expect(artifacts.has(e.artifact_id)).toBe(true);
    expect(executions.has(e.execution_id)).toBe(true);
  }
  expect(g.attributions.map((a) => a.artifact_id).sort()).toEqual([...artifacts].sort());
  expect(g.associations.map((a) => a.execution_id).sort()).toEqual([...executions].sort());
  for (const a of [...g.attributions, ...g.associations]) expect(contexts.has(a.context_id)).toBe(true);
  for (const a of g.artifacts) expect(g.artifact_types.find((t) => t.id === a.type_id)?.name).toBe(a.type);
  for (const e of g.executions) expect(g.execution_types.find((t) => t.id === e.type_id)?.name).toBe(e.type);
  // MLMD keeps names unique per type.
  const keys = g.artifacts.map((a) => `${a.type_id}/${a.name}`);
  expect(new Set(keys).size).toBe(keys.length);
}

describe('lineageGraph', () => {
  const t0 = trial('exp', 0, { state: 'Failed', reason: 'TrialFailed' });
  const t1 = fullTrial('exp', 1);
  const files = [
    file('model.joblib', 'model'),
    file('metrics.json', 'metrics'),
    file('checkpoint/e1.pt', 'checkpoint'),
  ];
  const g = lineageGraph({
    experiment: withData('s3://data/digits.csv, file:///data/extra'),
    trials: [
      { trial: t0, artifacts: [] },
      {
        trial: t1,
        artifacts: files,
        code: { commit: 'c'.repeat(40), root: '/repo', dirty: false, committedAt: '2024-01-01T00:00:00Z' },
      },
    ],
  });

  it("uses KFP's type names: a PipelineRun context, ContainerExecutions, Model/Metrics/Dataset/Artifact", () => {
    expect(g.context_types.map((t) => t.name)).toEqual(['system.PipelineRun']);
    expect(g.execution_types.map((t) => t.name)).toEqual(['system.ContainerExecution']);
    expect(g.artifact_types.map((t) => t.name).sort()).toEqual([
      'system.Artifact',
      'system.Dataset',
      'system.Metrics',
      'system.Model',
    ]);
    expect(g.contexts[0]).toMatchObject({ name: 'default/exp', external_id: 'hpo-workbench:default/exp' });
    expectConnected(g);
  });

  it('records each trial with its parameters, state and objective, and its files with digests', () => {
    const [e0, e1] = g.executions;
    expect(e0).toMatchObject({ name: 'default/exp/exp-t0', last_known_state: 'FAILED' });
    expect(e1!.last_known_state).toBe('COMPLETE');
    expect(e1!.custom_properties.inputs).toEqual({ struct_value: t1.params });
    expect(e1!.custom_properties.outputs).toEqual({ struct_value: { 'Validation-accuracy': 0.9731 } });
    expect(e1!.custom_properties.code_git_commit).toEqual({ string_value: 'c'.repeat(40) });
    const model = g.artifacts.find((a) => a.type === 'system.Model')!;
    expect(model).toMatchObject({
      name: 'default/exp/exp-t1/artifacts/model.joblib',
      uri: 'file:///store/experiments/exp/artifacts/exp-t1/model.joblib',
      state: 'LIVE',
    });
    expect(model.custom_properties.sha256).toEqual({ string_value: 'ab'.repeat(32) });
    // The reported metrics are KFP's metrics artifact: one double per metric; a metric with no value is left out.
    const reported = g.artifacts.find((a) => a.name === 'default/exp/exp-t1/metrics')!;
    expect(reported.type).toBe('system.Metrics');
    expect(reported.custom_properties).toEqual({
      display_name: { string_value: 'metrics' },
      'Validation-accuracy': { double_value: 0.9731 },
    });
    const outputs = g.events.filter((e) => e.execution_id === e1!.id && e.type === 'OUTPUT');
    expect(outputs.map((e) => e.path.steps[0]!.key).sort()).toEqual(
      ['checkpoint/e1.pt', 'metrics', 'metrics.json', 'model.joblib'].sort(),
    );
    expect(g.events.filter((e) => e.execution_id === e0!.id && e.type === 'OUTPUT')).toEqual([]);
  });

  it("makes the experiment's data INPUT artifacts of every trial", () => {
    const data = g.artifacts.filter((a) => a.type === 'system.Dataset');
    expect(data.map((d) => d.uri)).toEqual(['s3://data/digits.csv', 'file:///data/extra']);
    for (const e of g.executions) {
      const inputs = g.events.filter((ev) => ev.execution_id === e.id && ev.type === 'INPUT');
      expect(inputs.map((ev) => ev.artifact_id)).toEqual(data.map((d) => d.id));
    }
  });

  it('keeps hostile names as data: quotes, spaces and slashes in names, percent-encoded in file URIs', () => {
    const odd = `we"ird name$(x)`;
    const h = lineageGraph({
      experiment: experiment(odd),
      trials: [
        { trial: fullTrial(odd, 0), artifacts: [{ ...file('a b/m#1.pt', 'model'), path: `/s/${odd}/a b/m#1.pt` }] },
      ],
    });
    expectConnected(h);
    expect(h.contexts[0]!.name).toBe(`default/${odd}`);
    const m = h.artifacts.find((a) => a.type === 'system.Model')!;
    expect(m.uri).toBe('file:///s/we%22ird%20name$(x)/a%20b/m%231.pt');
    expect(decodeURIComponent(new URL(m.uri!).pathname)).toBe(`/s/${odd}/a b/m#1.pt`);
    expect(JSON.parse(JSON.stringify(h))).toEqual(h);
  });
});

describe('walkLineage', () => {
  const t1 = fullTrial('exp', 1);
  const code = { commit: 'c'.repeat(40), root: '/repo', dirty: false, committedAt: '2024-01-01T00:00:00Z' };

  it("walks back from the trial's model to the trial, parameters, experiment, data and code", () => {
    const g = lineageGraph({
      experiment: withData('s3://data/digits.csv'),
      trials: [{ trial: t1, artifacts: [file('model.joblib', 'model'), file('plot.png', 'plot')], code }],
    });
    const r = walkLineage(g, { trial: t1.name });
    expect(r.model).toMatchObject({ key: 'model.joblib', type: 'system.Model' });
    expect(r.trial).toMatchObject({ name: t1.name, state: 'COMPLETE', parameters: t1.params });
    expect(r.experiment).toMatchObject({ context: 'default/exp', type: 'system.PipelineRun' });
    expect(r.data.map((d) => d.uri)).toEqual(['s3://data/digits.csv']);
    expect(r.code).toEqual(code);
    expect(r.outputs.map((o) => o.key).sort()).toEqual(['metrics', 'plot.png']);
    expect(r.notes).toEqual([]);
  });

  it('says what it could not establish: no model, no data, no code, a dirty tree, code newer than the trial', () => {
    const bare = walkLineage(lineageGraph({ experiment: experiment('exp'), trials: [{ trial: t1, artifacts: [] }] }), {
      trial: t1.name,
    });
    expect(bare.model).toBeNull();
    expect(bare.code).toBeNull();
    expect(bare.notes.join('\n')).toMatch(/no model artifact[\s\S]*no data recorded[\s\S]*no code version/);
    const later = { ...code, dirty: true, committedAt: '2030-01-01T00:00:00Z' };
    const g = lineageGraph({ experiment: experiment('exp'), trials: [{ trial: t1, artifacts: [], code: later }] });
    const notes = walkLineage(g, { trial: t1.name }).notes.join('\n');
    expect(notes).toMatch(/uncommitted changes/);
    expect(notes).toMatch(/committed after the trial ended/);
  });

  it('refuses a trial the graph does not have', () => {
    const g = lineageGraph({ experiment: experiment('exp'), trials: [] });
    expect(() => walkLineage(g, { trial: 'nope' })).toThrow(/no trial 'nope'/);
  });
});
