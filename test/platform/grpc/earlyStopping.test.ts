import { Server, ServerCredentials, type ServerUnaryCall, type sendUnaryData, status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toKatibRule } from '../../../src/platform/grpc/earlyStoppingService.ts';
import { loadKatibServices } from '../../../src/platform/grpc/loadProto.ts';
import { type SuggestionServer, startSuggestionServer } from '../../../src/platform/grpc/server.ts';
import { call, experiment, katibClients, katibOriginalProto, param, trial } from './helpers.ts';

/** Each trial's `loss` reports, in time order, as Katib's DB manager would return them. */
const logs: Record<string, string[]> = {
  a: ['0.9', '0.5', '0.4', '0.3'],
  b: ['0.8', '0.7', '0.6', '0.5'],
  c: ['0.7', 'unavailable', '0.2', '0.1'],
  d: ['0.6', '0.55'],
};

let db: Server;
let dbPort: number;
let server: SuggestionServer;
let clients: ReturnType<typeof katibClients>;
const stopped: string[] = [];
const asked: string[] = [];

beforeAll(async () => {
  // A fake Katib DB manager, built from Katib's own proto.
  db = new Server();
  db.addService(loadKatibServices(katibOriginalProto()).DBManager.service, {
    GetObservationLog(
      callArgs: ServerUnaryCall<{ trial_name: string; metric_name: string }, unknown>,
      done: sendUnaryData<unknown>,
    ) {
      const { trial_name, metric_name } = callArgs.request;
      asked.push(trial_name);
      const values = logs[trial_name] ?? [];
      done(null, {
        observation_log: {
          metric_logs: values.map((value, i) => ({
            time_stamp: `2024-01-01T00:00:0${i}Z`,
            metric: { name: metric_name, value },
          })),
        },
      });
    },
    ReportObservationLog(_: unknown, done: sendUnaryData<unknown>) {
      done({ code: status.UNIMPLEMENTED }, null);
    },
    DeleteObservationLog(_: unknown, done: sendUnaryData<unknown>) {
      done({ code: status.UNIMPLEMENTED }, null);
    },
  });
  dbPort = await new Promise<number>((resolve, reject) =>
    db.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  server = await startSuggestionServer({
    port: 0,
    host: '127.0.0.1',
    setTrialStatus: async (name) => {
      stopped.push(name);
    },
  });
  clients = katibClients(server.port);
});

afterAll(async () => {
  clients.close();
  await server.close();
  await new Promise<void>((resolve) => db.tryShutdown(() => resolve()));
});

function rulesRequest(settings: Record<string, string>, conditions: Record<string, string>, type = 'MINIMIZE') {
  return {
    experiment: experiment({
      algorithm: 'random',
      parameters: [param('lr', 'DOUBLE', { min: '0.01', max: '0.1' })],
      type: type as 'MINIMIZE',
      earlyStopping: { name: 'medianstop', settings },
    }),
    trials: Object.entries(conditions).map(([name, condition]) =>
      trial({ name, condition, assignments: [{ name: 'lr', value: '0.05' }] }),
    ),
    db_manager_address: `127.0.0.1:${dbPort}`,
  };
}

interface Rules {
  early_stopping_rules: { name: string; value: string; comparison: string; start_step: number }[];
}

describe('Katib EarlyStopping service (medianstop)', () => {
  it('gives the median of the completed trials best values at start_step, compared as Katib collectors do', async () => {
    const req = rulesRequest(
      { min_trials_required: '3', start_step: '3' },
      { a: 'SUCCEEDED', b: 'SUCCEEDED', c: 'EARLYSTOPPED', d: 'SUCCEEDED', e: 'RUNNING' },
    );
    const result = await call<Rules>(clients.earlyStopping, 'GetEarlyStoppingRules', req);
    // Best loss within 3 reports: a 0.4, b 0.6, c 0.2 (its "unavailable" report is skipped, so 3 reports reach 0.1);
    // d has only 2 reports and e is still running.
    expect(result).toEqual({
      ok: true,
      reply: { early_stopping_rules: [{ name: 'loss', value: '0.4', comparison: 'GREATER', start_step: 3 }] },
    });
    expect(asked).not.toContain('e');
  });

  it('uses LESS when maximizing', async () => {
    const req = rulesRequest(
      { min_trials_required: '2', start_step: '2' },
      { a: 'SUCCEEDED', c: 'SUCCEEDED' },
      'MAXIMIZE',
    );
    const result = await call<Rules>(clients.earlyStopping, 'GetEarlyStoppingRules', req);
    expect(result.ok && result.reply.early_stopping_rules).toEqual([
      // Highest within 2 reports: a 0.9, c 0.7 (its "unavailable" report is skipped, so its 2nd report is 0.2).
      { name: 'loss', value: '0.8', comparison: 'LESS', start_step: 2 },
    ]);
  });

  it('gives no rule before min_trials_required trials have reached start_step', async () => {
    const req = rulesRequest(
      { min_trials_required: '3', start_step: '4' },
      { a: 'SUCCEEDED', b: 'SUCCEEDED', d: 'SUCCEEDED' },
    );
    const result = await call<Rules>(clients.earlyStopping, 'GetEarlyStoppingRules', req);
    expect(result).toEqual({ ok: true, reply: { early_stopping_rules: [] } });
  });

  it.each([
    [{ min_trials_required: '2', start_step: '5' }, null],
    [{ min_trials_required: '0' }, 'min_trials_required must be greater than zero (>0)'],
    [{ start_step: '0' }, 'start_step must be greater or equal than one (>=1)'],
    [{ min_trials_required: 'two' }, 'min_trials_required must be an integer, got "two"'],
    [{ window: '3' }, 'unknown setting window for algorithm medianstop'],
  ])('ValidateEarlyStoppingSettings %j', async (settings, expected) => {
    const earlyStopping = {
      algorithm_name: 'medianstop',
      algorithm_settings: Object.entries(settings).map(([name, value]) => ({ name, value })),
    };
    const result = await call<object>(clients.earlyStopping, 'ValidateEarlyStoppingSettings', {
      early_stopping: earlyStopping,
    });
    if (expected === null) {
      expect(result.ok).toBe(true);
      return;
    }
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe(status.INVALID_ARGUMENT);
    expect(result.details).toContain(expected);
  });

  it('refuses rules for an Experiment whose objective has no direction, with the objective check of hpo validate', async () => {
    const req = rulesRequest({ min_trials_required: '2' }, { a: 'SUCCEEDED' }, 'UNKNOWN');
    const result = await call<Rules>(clients.earlyStopping, 'GetEarlyStoppingRules', req);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe(status.INVALID_ARGUMENT);
    expect(result.details).toBe(
      'invalid Experiment: spec.objective.type: objective type must be minimize or maximize, got "UNKNOWN". ' +
        'Fix: Set spec.objective.type to minimize or maximize.',
    );
  });

  it('rejects an early-stopping algorithm it does not serve', async () => {
    const result = await call<object>(clients.earlyStopping, 'ValidateEarlyStoppingSettings', {
      early_stopping: { algorithm_name: 'asha', algorithm_settings: [] },
    });
    expect(result).toEqual({
      ok: false,
      code: status.INVALID_ARGUMENT,
      details: "unknown early stopping algorithm 'asha'; this server runs: medianstop",
    });
  });

  it('passes SetTrialStatus to the hook it was given', async () => {
    const result = await call<object>(clients.earlyStopping, 'SetTrialStatus', { trial_name: 'katib-exp-abc' });
    expect(result.ok).toBe(true);
    expect(stopped).toEqual(['katib-exp-abc']);
  });
});

describe('toKatibRule', () => {
  it('writes a rule in Katib’s form (start_step 0 when absent: from the first report)', () => {
    expect(toKatibRule({ name: 'loss', value: 0.25, comparison: 'GREATER', startStep: 4, reason: 'ours' })).toEqual({
      name: 'loss',
      value: '0.25',
      comparison: 'GREATER',
      start_step: 4,
    });
    expect(toKatibRule({ name: 'acc', value: 0.7, comparison: 'LESS' }).start_step).toBe(0);
  });

  it('refuses a rule on the latest value, which Katib’s collector would read as the best so far', () => {
    expect(() => toKatibRule({ name: 'loss', value: 1, comparison: 'GREATER', of: 'latest' })).toThrow(/no Katib form/);
  });
});
