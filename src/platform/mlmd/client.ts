/**
 * Sends an experiment's MLMD graph to an ML Metadata server (`hpo export --to mlmd --mlmd host:port`) over gRPC
 * (`@grpc/grpc-js`, an optional peer, with our `mlmd-api.proto`). Idempotent: a second export of the same experiment
 * updates the nodes the first one stored (found by context name and `external_id`) and adds only missing events,
 * so re-running it after more trials ended fills the graph in instead of duplicating it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type Client,
  credentials,
  type GrpcObject,
  loadPackageDefinition,
  Metadata,
  type ServiceClientConstructor,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import type { MlmdGraph, MlmdProperties } from './types.ts';

/** Where `mlmd-api.proto` is: beside this module (src/ and dist/), else in the source tree. */
export function mlmdProtoPath(): string {
  const candidates = [
    new URL('./mlmd-api.proto', import.meta.url),
    new URL('../../../src/platform/mlmd/mlmd-api.proto', import.meta.url),
  ].map((u) => fileURLToPath(u));
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) {
    throw new WorkbenchError(ErrorCode.internal, `mlmd-api.proto is missing; looked in ${candidates.join(', ')}`);
  }
  return found;
}

let service: ServiceClientConstructor | undefined;

function metadataStoreService(): ServiceClientConstructor {
  if (service === undefined) {
    const def = loadSync(mlmdProtoPath(), { keepCase: true, longs: String, enums: String, oneofs: true, arrays: true });
    const pkg = loadPackageDefinition(def).ml_metadata as GrpcObject;
    service = pkg.MetadataStoreService as ServiceClientConstructor;
  }
  return service;
}

/** Options of {@link pushLineageGraph}. */
export interface PushLineageOptions {
  /** `host:port` of the MLMD gRPC server (KFP deploys it as `metadata-grpc-service:8080`). */
  readonly address: string;
  /** Per call; default 15 s. */
  readonly deadlineMs?: number;
}

/** What was stored: MLMD's ids of the experiment's context, and how many nodes were new or updated. */
export interface PushLineageResult {
  readonly contextIds: readonly string[];
  readonly executions: { readonly created: number; readonly updated: number };
  readonly artifacts: { readonly created: number; readonly updated: number };
  readonly events: { readonly added: number; readonly existing: number };
}

/** A batch bound per call: grpc-js refuses replies over 4 MiB by default, and an experiment may have thousands of files. */
const batch = 200;

function chunks<T>(xs: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += batch) out.push(xs.slice(i, i + batch));
  return out;
}

/**
 * A struct as `google.protobuf.Struct` in proto-loader's object form. protobufjs defines the well-known types itself,
 * with camelCase field names whatever `keepCase` says, and silently drops a key it does not know: hence `numberValue`.
 */
function structValue(v: unknown): unknown {
  if (v === null || v === undefined) return { nullValue: 'NULL_VALUE' };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(structValue) } };
  return { structValue: struct(v as Record<string, unknown>) };
}

function struct(o: Readonly<Record<string, unknown>>): unknown {
  return { fields: Object.fromEntries(Object.entries(o).map(([k, v]) => [k, structValue(v)])) };
}

function wireProperties(props: MlmdProperties): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(props).map(([k, v]) => [k, 'struct_value' in v ? { struct_value: struct(v.struct_value) } : v]),
  );
}

type Call = (method: string, request: unknown) => Promise<Record<string, unknown>>;

function caller(client: Client, address: string, deadlineMs: number): Call {
  return (method, request) =>
    new Promise((resolve, reject) => {
      const fn = (client as unknown as Record<string, (...args: unknown[]) => void>)[method]!.bind(client);
      fn(request, new Metadata(), { deadline: Date.now() + deadlineMs }, (e: ServiceError | null, reply: unknown) => {
        if (e === null) resolve(reply as Record<string, unknown>);
        else reject(grpcError(e, method, address));
      });
    });
}

function grpcError(e: ServiceError, method: string, address: string): WorkbenchError {
  const unreachable = e.code === status.UNAVAILABLE || e.code === status.DEADLINE_EXCEEDED;
  const message = unreachable
    ? `cannot reach the ML Metadata server at ${address} (${e.details || status[e.code]}); check --mlmd host:port (KFP serves it as metadata-grpc-service:8080; kubectl port-forward svc/metadata-grpc-service 8080 -n kubeflow)`
    : `the ML Metadata server at ${address} refused ${method}: ${status[e.code]}: ${e.details}`;
  return new WorkbenchError(ErrorCode.invalidArgument, message, { cause: e, retryable: unreachable });
}

/** Stores `graph` in the MLMD server at `opts.address`, reusing what an earlier export of it stored. */
export async function pushLineageGraph(graph: MlmdGraph, opts: PushLineageOptions): Promise<PushLineageResult> {
  if (!/^[^\s/]+:\d{1,5}$/.test(opts.address)) {
    throw new WorkbenchError(ErrorCode.invalidArgument, `--mlmd wants host:port, not '${opts.address}'`);
  }
  const Service = metadataStoreService();
  const client = new Service(opts.address, credentials.createInsecure());
  try {
    return await push(graph, caller(client, opts.address, opts.deadlineMs ?? 15_000));
  } finally {
    client.close();
  }
}

async function push(graph: MlmdGraph, call: Call): Promise<PushLineageResult> {
  const typeIds = async (kind: 'artifact' | 'execution' | 'context', types: MlmdGraph['artifact_types']) => {
    const ids = new Map<number, string>();
    const method = `Put${kind[0]!.toUpperCase()}${kind.slice(1)}Type`;
    for (const t of types) {
      // A type KFP (or another tool) stored first may declare properties ours omits: reuse it as it is.
      const r = await call(method, { [`${kind}_type`]: { name: t.name }, can_add_fields: true, can_omit_fields: true });
      ids.set(t.id, String(r.type_id));
    }
    return ids;
  };
  const artifactTypes = await typeIds('artifact', graph.artifact_types);
  const executionTypes = await typeIds('execution', graph.execution_types);
  const contextTypes = await typeIds('context', graph.context_types);

  // Contexts are unique by (type, name): reuse the one an earlier export made.
  const contextIds = new Map<number, string>();
  for (const c of graph.contexts) {
    const found = await call('GetContextByTypeAndName', { type_name: c.type, context_name: c.name });
    const existing = (found.context as { id?: string } | null | undefined)?.id;
    const r = await call('PutContexts', {
      contexts: [
        {
          ...(existing === undefined ? {} : { id: existing }),
          name: c.name,
          type_id: contextTypes.get(c.type_id),
          external_id: c.external_id,
          custom_properties: wireProperties(c.custom_properties),
        },
      ],
    });
    contextIds.set(c.id, String((r.context_ids as string[])[0]));
  }

  const upsert = async <N extends { id: number; external_id: string; type_id: number }>(
    kind: 'Artifacts' | 'Executions',
    nodes: readonly N[],
    types: Map<number, string>,
    wire: (n: N) => Record<string, unknown>,
  ) => {
    const ids = new Map<number, string>();
    let created = 0;
    for (const part of chunks(nodes)) {
      const found = await call(`Get${kind}ByExternalIds`, { external_ids: part.map((n) => n.external_id) });
      const known = new Map(
        ((found[kind.toLowerCase()] as { id: string; external_id?: string }[]) ?? []).map((n) => [n.external_id, n.id]),
      );
      const r = await call(`Put${kind}`, {
        [kind.toLowerCase()]: part.map((n) => {
          const id = known.get(n.external_id);
          if (id === undefined) created++;
          return {
            ...(id === undefined ? {} : { id }),
            type_id: types.get(n.type_id),
            external_id: n.external_id,
            ...wire(n),
          };
        }),
      });
      const got = r[`${kind === 'Artifacts' ? 'artifact' : 'execution'}_ids`] as string[];
      for (const [i, n] of part.entries()) ids.set(n.id, String(got[i]));
    }
    return { ids, created, updated: nodes.length - created };
  };
  const executions = await upsert('Executions', graph.executions, executionTypes, (e) => ({
    name: e.name,
    last_known_state: e.last_known_state,
    custom_properties: wireProperties(e.custom_properties),
  }));
  const artifacts = await upsert('Artifacts', graph.artifacts, artifactTypes, (a) => ({
    name: a.name,
    ...(a.uri === undefined ? {} : { uri: a.uri }),
    state: a.state,
    custom_properties: wireProperties(a.custom_properties),
  }));

  // Events cannot be updated and a duplicate is AlreadyExists: send only those the server does not have.
  const have = new Set<string>();
  for (const part of chunks([...executions.ids.values()])) {
    const r = await call('GetEventsByExecutionIDs', { execution_ids: part });
    for (const e of (r.events as { artifact_id: string; execution_id: string; type: string }[]) ?? []) {
      have.add(`${e.artifact_id}/${e.execution_id}/${e.type}`);
    }
  }
  const events = graph.events
    .map((e) => ({
      artifact_id: artifacts.ids.get(e.artifact_id)!,
      execution_id: executions.ids.get(e.execution_id)!,
      type: e.type,
      path: { steps: e.path.steps.map((s) => ({ key: s.key })) },
    }))
    .filter((e) => !have.has(`${e.artifact_id}/${e.execution_id}/${e.type}`));
  for (const part of chunks(events)) await call('PutEvents', { events: part });

  // MLMD ignores an attribution or association it already has, so these are sent whole.
  const attributions = graph.attributions.map((a) => ({
    artifact_id: artifacts.ids.get(a.artifact_id),
    context_id: contextIds.get(a.context_id),
  }));
  const associations = graph.associations.map((a) => ({
    execution_id: executions.ids.get(a.execution_id),
    context_id: contextIds.get(a.context_id),
  }));
  for (const part of chunks(attributions)) await call('PutAttributionsAndAssociations', { attributions: part });
  for (const part of chunks(associations)) await call('PutAttributionsAndAssociations', { associations: part });

  return {
    contextIds: [...contextIds.values()],
    executions: { created: executions.created, updated: executions.updated },
    artifacts: { created: artifacts.created, updated: artifacts.updated },
    events: { added: events.length, existing: graph.events.length - events.length },
  };
}
