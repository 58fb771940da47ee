// The Katib gRPC service and the local controller must ask an algorithm the same question for the same Experiment:
// one written as YAML and run here, the other as Katib's controller sends it (its ConvertExperiment). Each side's
// request is caught where it reaches the algorithm: the controller's through a fake host, the service's as it enters
// the worker host both use.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExperimentController } from '../../../src/experiment/controller.ts';
import { prepareExperiment } from '../../../src/experiment/prepare.ts';
import type { SuggestRequest } from '../../../src/search/types.ts';
import { parseExperiment, statelessSeed, suggestRequest } from '../../../src/spec/config.ts';
import type { ExperimentManifest } from '../../../src/spec/types.ts';
import type { Store } from '../../../src/store/types.ts';
import { SuggestionHost } from '../../../src/suggestion/host.ts';
import { InProcessExecutor } from '../../../src/trial/inProcess.ts';
import { freshStorePerTest } from '../../helpers.ts';
import { call, param, suggestionServerPerFile } from './helpers.ts';

let store: Store;
freshStorePerTest((s) => {
  store = s;
});

const live = suggestionServerPerFile();

afterEach(() => {
  vi.restoreAllMocks();
});

/** The Experiment as a user writes it: every parameter kind, a goal, additional metrics, early stopping. */
function manifest(settings: Record<string, string>): ExperimentManifest {
  return {
    apiVersion: 'kubeflow.org/v1beta1',
    kind: 'Experiment',
    metadata: { name: 'parity' },
    spec: {
      objective: {
        type: 'maximize',
        goal: 0.99,
        objectiveMetricName: 'accuracy',
        additionalMetricNames: ['loss', 'f1'],
      },
      algorithm: {
        algorithmName: 'tpe',
        algorithmSettings: Object.entries(settings).map(([name, value]) => ({ name, value })),
      },
      earlyStopping: {
        algorithmName: 'medianstop',
        algorithmSettings: [{ name: 'min_trials_required', value: '2' }],
      },
      parameters: [
        {
          name: 'lr',
          parameterType: 'double',
          feasibleSpace: { min: '0.001', max: '0.1', distribution: 'logUniform' },
        },
        { name: 'layers', parameterType: 'int', feasibleSpace: { min: '1', max: '7', step: '2' } },
        { name: 'dropout', parameterType: 'discrete', feasibleSpace: { list: ['0.1', '0.2', '0.5'] } },
        { name: 'optimizer', parameterType: 'categorical', feasibleSpace: { list: ['sgd', 'adam'] } },
      ],
      parallelTrialCount: 2,
      maxTrialCount: 8,
    },
  };
}

/** The same Experiment as Katib's controller sends it over gRPC. */
function message(settings: Record<string, string>): Record<string, unknown> {
  return {
    name: 'parity',
    spec: {
      parameter_specs: {
        parameters: [
          param('lr', 'DOUBLE', { min: '0.001', max: '0.1', distribution: 'LOG_UNIFORM' }),
          param('layers', 'INT', { min: '1', max: '7', step: '2' }),
          param('dropout', 'DISCRETE', { list: ['0.1', '0.2', '0.5'] }),
          param('optimizer', 'CATEGORICAL', { list: ['sgd', 'adam'] }),
        ],
      },
      objective: {
        type: 'MAXIMIZE',
        goal: 0.99,
        objective_metric_name: 'accuracy',
        additional_metric_names: ['loss', 'f1'],
      },
      algorithm: {
        algorithm_name: 'tpe',
        algorithm_settings: Object.entries(settings).map(([name, value]) => ({ name, value })),
      },
      early_stopping: {
        algorithm_name: 'medianstop',
        algorithm_settings: [{ name: 'min_trials_required', value: '2' }],
      },
      parallel_trial_count: 2,
      max_trial_count: 8,
    },
  };
}

/** The first request the local controller sends the algorithm for `m`, recorded and run the way `hpo run` does. */
async function localRequest(m: ExperimentManifest): Promise<SuggestRequest> {
  const prepared = await prepareExperiment(m, { store, inProcess: true });
  await prepared.host.close();
  const requests: SuggestRequest[] = [];
  const controller = await ExperimentController.open({
    store,
    experiment: 'parity',
    executor: new InProcessExecutor(() => ({ accuracy: 0.5 }), { objectiveMetric: 'accuracy' }),
    // Records the request and never answers: only the question is compared.
    host: {
      suggest: (req) => {
        requests.push(req);
        return new Promise(() => {});
      },
      cancel: async () => {},
    },
    settings: prepared.settings,
  });
  await controller.step();
  expect(requests).toHaveLength(1);
  return requests[0]!;
}

/** The request the gRPC service sends its tpe for `count` suggestions of `exp` (it answers normally). */
async function serviceRequest(exp: Record<string, unknown>, count: number): Promise<SuggestRequest> {
  const requests: SuggestRequest[] = [];
  // The service runs tpe in the worker host `hpo run` uses: the request is caught as it enters the host.
  const suggest = SuggestionHost.prototype.suggest;
  vi.spyOn(SuggestionHost.prototype, 'suggest').mockImplementation(function (this: SuggestionHost, req) {
    requests.push(req);
    return suggest.call(this, req);
  });
  const reply = await call<object>(live.clients.suggestion, 'GetSuggestions', {
    experiment: exp,
    trials: [],
    current_request_number: count,
  });
  expect(reply.ok).toBe(true);
  expect(requests).toHaveLength(1);
  return requests[0]!;
}

describe('the Katib gRPC service and the local controller', () => {
  it('build the identical SuggestRequest for the same Experiment (seed, space, objectives, settings, budget)', async () => {
    const settings = { random_state: '42', gamma: '0.3' };
    const local = await localRequest(manifest(settings));
    const service = await serviceRequest(message(settings), local.count);
    expect(service).toEqual(local);
    // What both sides agree on, spelled out: a wrong translation of any of these fails above.
    expect(local).toMatchObject({
      experiment: 'parity',
      seed: 42,
      count: 2,
      settings: { random_state: '42', gamma: '0.3' },
      objectives: [{ type: 'maximize', metricName: 'accuracy', goal: 0.99 }],
      parallelTrialCount: 2,
      maxTrialCount: 8,
    });
    expect(local.space.map((p) => p.domain.kind)).toEqual(['double', 'int', 'discrete', 'categorical']);
  });

  it('without random_state, seed the service as a dry run is seeded: from the experiment name', async () => {
    const { config } = parseExperiment(manifest({}), {
      algorithms: new Set(['tpe']),
      earlyStopping: new Set(['medianstop']),
      inProcess: true,
    });
    const service = await serviceRequest(message({}), 2);
    expect(service).toEqual(
      suggestRequest(config!, { trials: [], count: 2, seed: statelessSeed(config!), settings: {} }),
    );
  });

  it('take the server state Katib sends back out of the settings the algorithm sees', async () => {
    const first = await call<{ algorithm: { algorithm_settings: { name: string; value: string }[] } }>(
      live.clients.suggestion,
      'GetSuggestions',
      { experiment: message({ random_state: '42' }), trials: [], current_request_number: 1 },
    );
    if (!first.ok) throw new Error(first.details);
    const exp = message({ random_state: '42' });
    const spec = exp.spec as { algorithm: { algorithm_settings: { name: string; value: string }[] } };
    spec.algorithm.algorithm_settings.push(...first.reply.algorithm.algorithm_settings);
    const service = await serviceRequest(exp, 1);
    expect(service.settings).toEqual({ random_state: '42' });
    expect(service.seed).toBe(42);
  });
});
