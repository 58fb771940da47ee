import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Client, credentials, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll } from 'vitest';
import { loadKatibServices } from '../../../src/platform/grpc/loadProto.ts';
import { type SuggestionServer, startSuggestionServer } from '../../../src/platform/grpc/server.ts';

/**
 * Katib's own api.proto: the original in `shared/` beside the checkout when it is there, else the byte-for-byte
 * copy in fixtures/ (see fixtures/README.md).
 */
export function katibOriginalProto(): string {
  const shared = fileURLToPath(new URL('../../../../shared/katib/config/manager-v1beta1-api.proto', import.meta.url));
  return existsSync(shared) ? shared : fileURLToPath(new URL('./fixtures/manager-v1beta1-api.proto', import.meta.url));
}

/** A finished unary call: the reply, or the error's code and details. */
export type CallResult<T> = { ok: true; reply: T } | { ok: false; code: number; details: string };

/** Calls `method` on `client` (built from Katib's proto) and settles with the outcome instead of throwing. */
export function call<T>(client: Client, method: string, request: unknown): Promise<CallResult<T>> {
  const fn = (client as unknown as Record<string, (r: unknown, cb: (e: ServiceError | null, v?: T) => void) => void>)[
    method
  ];
  if (fn === undefined) throw new Error(`no method ${method}`);
  return new Promise((resolve) => {
    fn.call(client, request, (error, reply) => {
      if (error) resolve({ ok: false, code: error.code, details: error.details });
      else resolve({ ok: true, reply: reply as T });
    });
  });
}

/** Clients for the Suggestion and EarlyStopping services at `port`, built from Katib's original proto. */
export function katibClients(port: number): { suggestion: Client; earlyStopping: Client; close(): void } {
  const services = loadKatibServices(katibOriginalProto());
  const target = `127.0.0.1:${port}`;
  const suggestion = new services.Suggestion(target, credentials.createInsecure());
  const earlyStopping = new services.EarlyStopping(target, credentials.createInsecure());
  return {
    suggestion,
    earlyStopping,
    close() {
      suggestion.close();
      earlyStopping.close();
    },
  };
}

/** A suggestion server on a free port and clients for it, started before the file's tests and stopped after them. */
export interface LiveServer {
  readonly server: SuggestionServer;
  readonly clients: ReturnType<typeof katibClients>;
}

/** Starts a {@link LiveServer} for the test file; its fields are set once the file's `beforeAll` ran. */
export function suggestionServerPerFile(): LiveServer {
  const live = {} as { server: SuggestionServer; clients: ReturnType<typeof katibClients> };
  beforeAll(async () => {
    live.server = await startSuggestionServer({ port: 0, host: '127.0.0.1' });
    live.clients = katibClients(live.server.port);
  });
  afterAll(async () => {
    live.clients?.close();
    await live.server?.close();
  });
  return live;
}

/** A Katib `ParameterSpec` message. */
export function param(
  name: string,
  type: 'DOUBLE' | 'INT' | 'DISCRETE' | 'CATEGORICAL',
  space: { min?: string; max?: string; step?: string; list?: string[]; distribution?: string },
): Record<string, unknown> {
  return { name, parameter_type: type, feasible_space: space };
}

/** A Katib `Experiment` message as the controller's ConvertExperiment builds it. */
export function experiment(opts: {
  name?: string;
  algorithm: string;
  settings?: Record<string, string>;
  parameters: Record<string, unknown>[];
  type?: 'MINIMIZE' | 'MAXIMIZE';
  metric?: string;
  parallel?: number;
  max?: number;
  earlyStopping?: { name: string; settings?: Record<string, string> };
}): Record<string, unknown> {
  const settings = Object.entries(opts.settings ?? {}).map(([name, value]) => ({ name, value }));
  const spec: Record<string, unknown> = {
    parameter_specs: { parameters: opts.parameters },
    objective: { type: opts.type ?? 'MINIMIZE', objective_metric_name: opts.metric ?? 'loss' },
    algorithm: { algorithm_name: opts.algorithm, algorithm_settings: settings },
    parallel_trial_count: opts.parallel ?? 3,
    max_trial_count: opts.max ?? 12,
  };
  if (opts.earlyStopping) {
    spec.early_stopping = {
      algorithm_name: opts.earlyStopping.name,
      algorithm_settings: Object.entries(opts.earlyStopping.settings ?? {}).map(([name, value]) => ({ name, value })),
    };
  }
  return { name: opts.name ?? 'katib-exp', spec };
}

/** A Katib `Trial` message as ConvertTrials builds it. */
export function trial(opts: {
  name: string;
  assignments: { name: string; value: string }[];
  condition?: string;
  metrics?: Record<string, string>;
  labels?: Record<string, string>;
  start?: string;
}): Record<string, unknown> {
  return {
    name: opts.name,
    spec: {
      objective: { type: 'MINIMIZE', objective_metric_name: 'loss' },
      parameter_assignments: { assignments: opts.assignments },
      labels: opts.labels ?? {},
    },
    status: {
      start_time: opts.start ?? '',
      completion_time: '',
      condition: opts.condition ?? 'SUCCEEDED',
      observation: { metrics: Object.entries(opts.metrics ?? {}).map(([name, value]) => ({ name, value })) },
    },
  };
}

/**
 * The Experiment Katib's controller sends after `reply`: the settings a reply returned (`hpo_state`) override the
 * Experiment's of the same name or are appended.
 */
export function withReturnedSettings(
  exp: Record<string, unknown>,
  reply: { algorithm: { algorithm_settings: { name: string; value: string }[] } | null },
): Record<string, unknown> {
  const spec = exp.spec as Record<string, unknown>;
  const algorithm = spec.algorithm as { algorithm_name: string; algorithm_settings: { name: string; value: string }[] };
  const settings = [...algorithm.algorithm_settings];
  for (const s of reply.algorithm?.algorithm_settings ?? []) {
    const i = settings.findIndex((x) => x.name === s.name);
    if (i >= 0) settings[i] = s;
    else settings.push(s);
  }
  return { ...exp, spec: { ...spec, algorithm: { ...algorithm, algorithm_settings: settings } } };
}
