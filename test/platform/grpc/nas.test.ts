import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readExperiment, toManifest } from '../../../src/platform/grpc/experiment.ts';
import type { ExperimentMessage, NasConfigMessage, ParameterSpecMessage } from '../../../src/platform/grpc/messages.ts';
import { type SuggestionServer, startSuggestionServer } from '../../../src/platform/grpc/server.ts';
import { decodeState } from '../../../src/platform/grpc/state.ts';
import { dartsTrialParameters } from '../../../src/search/nas/darts.ts';
import type { EnasState } from '../../../src/search/nas/enasSearch.ts';
import { configOf, parseExperiment } from '../../../src/spec/config.ts';
import { loadExperimentFile } from '../../../src/spec/load.ts';
import type { ExperimentManifest, NasConfig } from '../../../src/spec/types.ts';
import { katibExample } from '../../search/nas/helpers.ts';
import { call, katibClients, trial } from './helpers.ts';

function example(name: string): ExperimentManifest {
  return loadExperimentFile(katibExample(`nas__${name}.yaml`))[0]!;
}

/** Katib's `NasConfig` message for a YAML nasConfig, as its controller's ConvertExperiment builds it. */
function nasMessage(nas: NasConfig): NasConfigMessage {
  const g = nas.graphConfig ?? {};
  return {
    graph_config: { num_layers: g.numLayers ?? 0, input_sizes: g.inputSizes ?? [], output_sizes: g.outputSizes ?? [] },
    operations: {
      operation: (nas.operations ?? []).map((op) => ({
        operation_type: op.operationType ?? '',
        parameter_specs: {
          parameters: (op.parameters ?? []).map(
            (p): ParameterSpecMessage => ({
              name: p.name,
              parameter_type: p.parameterType === 'int' ? 'INT' : 'CATEGORICAL',
              feasible_space: {
                min: p.feasibleSpace.min ?? '',
                max: p.feasibleSpace.max ?? '',
                step: p.feasibleSpace.step ?? '',
                list: p.feasibleSpace.list ?? [],
                distribution: 'DISTRIBUTION_UNSPECIFIED',
              },
            }),
          ),
        },
      })),
    },
  };
}

/** Katib's `Experiment` message for one of its NAS examples. */
function message(m: ExperimentManifest): ExperimentMessage {
  const s = m.spec;
  return {
    name: m.metadata.name,
    spec: {
      parameter_specs: { parameters: [] },
      objective: {
        type: s.objective!.type === 'maximize' ? 'MAXIMIZE' : 'MINIMIZE',
        goal: s.objective!.goal ?? 0,
        objective_metric_name: s.objective!.objectiveMetricName,
        additional_metric_names: [],
      },
      algorithm: {
        algorithm_name: s.algorithm!.algorithmName,
        algorithm_settings: (s.algorithm!.algorithmSettings ?? []).map((x) => ({ ...x })),
      },
      early_stopping: null,
      parallel_trial_count: s.parallelTrialCount ?? 0,
      max_trial_count: s.maxTrialCount ?? 0,
      nas_config: nasMessage(s.nasConfig!),
    },
  };
}

describe('nas_config in the Experiment message', () => {
  it.each(['darts-cpu', 'darts-gpu', 'enas-cpu', 'enas-gpu'])(
    '%s: toManifest gives back the YAML nasConfig',
    (name) => {
      const m = example(name);
      expect(toManifest(message(m), {}).spec.nasConfig).toEqual(m.spec.nasConfig);
    },
  );

  it('the service’s config of darts-gpu is the YAML file’s (nasConfig and nas included)', () => {
    const m = example('darts-gpu');
    const { experiment, issues } = readExperiment(message(m), { algorithms: new Set(['darts']) });
    expect(issues).toEqual([]);
    const fromYaml = parseExperiment(m, { algorithms: new Set(['darts']), earlyStopping: new Set(), inProcess: true })
      .config!;
    expect(experiment!.config.nasConfig).toEqual(fromYaml.nasConfig);
    expect(experiment!.config.nas).toEqual(fromYaml.nas);
    expect(experiment!.config.space).toEqual([]);
  });

  it('reads proto3’s zero layers and empty sizes as unset, so the checks name what is missing', () => {
    const msg = message(example('enas-cpu'));
    const nas = { ...msg.spec!.nas_config!, graph_config: { num_layers: 0, input_sizes: [], output_sizes: [] } };
    const m = toManifest({ ...msg, spec: { ...msg.spec!, nas_config: nas } }, {});
    expect(m.spec.nasConfig).not.toHaveProperty('graphConfig');
    expect(toManifest({ ...msg, spec: { ...msg.spec!, nas_config: null } }, {}).spec).not.toHaveProperty('nasConfig');
  });
});

interface Reply {
  parameter_assignments: { assignments: { name: string; value: string }[]; trial_name: string }[];
  algorithm: { algorithm_settings: { name: string; value: string }[] };
}

describe('the Suggestion service over gRPC (Katib’s own proto on the client side)', () => {
  let server: SuggestionServer;
  let clients: ReturnType<typeof katibClients>;

  beforeAll(async () => {
    server = await startSuggestionServer({ port: 0, host: '127.0.0.1' });
    clients = katibClients(server.port);
  });

  afterAll(async () => {
    clients.close();
    await server.close();
  });

  it('darts: ValidateAlgorithmSettings accepts the example; GetSuggestions returns Katib’s three assignments', async () => {
    const m = example('darts-gpu');
    const exp = message(m);
    expect((await call(clients.suggestion, 'ValidateAlgorithmSettings', { experiment: exp })).ok).toBe(true);
    const r = await call<Reply>(clients.suggestion, 'GetSuggestions', {
      experiment: exp,
      trials: [],
      current_request_number: 1,
    });
    if (!r.ok) throw new Error(r.details);
    const expected = dartsTrialParameters(configOf(m).nas!, { num_epochs: '3' });
    expect(r.reply.parameter_assignments).toHaveLength(1);
    expect(r.reply.parameter_assignments[0]!.assignments).toEqual([
      { name: 'algorithm-settings', value: expected['algorithm-settings'] },
      { name: 'search-space', value: expected['search-space'] },
      { name: 'num-layers', value: '3' },
    ]);
    expect(expected['search-space']).toBe(
      "['separable_convolution_3x3', 'dilated_convolution_3x3', 'dilated_convolution_5x5', 'avg_pooling_3x3', " +
        "'max_pooling_3x3', 'skip_connection']",
    );

    // Asked again once its trial exists, darts has finished: Katib must lower maxTrialCount, as for a used-up grid.
    // Katib sends the settings of the last reply (the server's state) back with the next request.
    const settings = [...exp.spec!.algorithm!.algorithm_settings, ...r.reply.algorithm.algorithm_settings];
    const again = await call<Reply>(clients.suggestion, 'GetSuggestions', {
      experiment: {
        ...exp,
        spec: { ...exp.spec, algorithm: { ...exp.spec!.algorithm, algorithm_settings: settings } },
      },
      trials: [
        trial({
          name: r.reply.parameter_assignments[0]!.trial_name,
          assignments: r.reply.parameter_assignments[0]!.assignments,
          condition: 'RUNNING',
        }),
      ],
      current_request_number: 1,
    });
    expect(again).toMatchObject({ ok: false, code: status.FAILED_PRECONDITION });
    if (!again.ok) expect(again.details).toContain('maxTrialCount to at most 1');
  });

  it('darts: a first request for two trials is FAILED_PRECONDITION (Katib accepts only exactly two)', async () => {
    const r = await call<Reply>(clients.suggestion, 'GetSuggestions', {
      experiment: message(example('darts-cpu')),
      trials: [],
      current_request_number: 2,
    });
    expect(r).toMatchObject({ ok: false, code: status.FAILED_PRECONDITION });
    if (!r.ok) expect(r.details).toContain('maxTrialCount to at most 1');
  });

  it('darts: a bad setting is INVALID_ARGUMENT with its path', async () => {
    const exp = message(example('darts-cpu'));
    const algorithm = { ...exp.spec!.algorithm!, algorithm_settings: [{ name: 'num_epochs', value: '-1' }] };
    const r = await call(clients.suggestion, 'ValidateAlgorithmSettings', {
      experiment: { ...exp, spec: { ...exp.spec, algorithm } },
    });
    expect(r).toMatchObject({ ok: false, code: status.INVALID_ARGUMENT });
    if (!r.ok) expect(r.details).toContain('spec.algorithm.algorithmSettings[0].value');
  });

  it('enas: validates, suggests Katib’s two assignments, and trains on the next request from the state it sent', async () => {
    const exp = message(example('enas-cpu'));
    const small = [
      { name: 'controller_hidden_size', value: '8' },
      { name: 'controller_train_steps', value: '2' },
    ];
    const experiment = {
      ...exp,
      spec: { ...exp.spec, algorithm: { ...exp.spec!.algorithm!, algorithm_settings: small } },
    };
    expect((await call(clients.suggestion, 'ValidateAlgorithmSettings', { experiment })).ok).toBe(true);
    const r = await call<Reply>(clients.suggestion, 'GetSuggestions', {
      experiment,
      trials: [],
      current_request_number: 2,
    });
    if (!r.ok) throw new Error(r.details);
    expect(r.reply.parameter_assignments).toHaveLength(2);
    for (const a of r.reply.parameter_assignments) {
      expect(a.assignments.map((x) => x.name)).toEqual(['architecture', 'nn_config']);
      expect(a.assignments[0]!.value).toMatch(/^\[\[\d+\]\]$/);
      expect(a.assignments[1]!.value).toMatch(/^\{'num_layers': 1, 'input_sizes': \[32, 32, 3\]/);
    }
    // Katib sends the reply's settings (the server's state) back, with the two trials now finished.
    const settings = [...small, ...r.reply.algorithm.algorithm_settings];
    const trials = r.reply.parameter_assignments.map((a, i) =>
      trial({
        name: a.trial_name,
        assignments: a.assignments,
        metrics: { 'Validation-Accuracy': String(0.5 + i / 10) },
      }),
    );
    const again = await call<Reply>(clients.suggestion, 'GetSuggestions', {
      experiment: {
        ...experiment,
        spec: { ...experiment.spec, algorithm: { ...experiment.spec.algorithm, algorithm_settings: settings } },
      },
      trials,
      current_request_number: 1,
    });
    if (!again.ok) throw new Error(again.details);
    const state = decodeState(again.reply.algorithm.algorithm_settings[0]!.value, 'enas')!.state as EnasState;
    expect(state.trained).toEqual(r.reply.parameter_assignments.map((a) => a.trial_name));
    expect(state.adamStep).toBe(2);
  });
});
