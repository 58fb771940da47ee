// An in-process ML Metadata server built from ML Metadata's own protos (shared/kubeflow/protos), not from ours: what
// our client sends is decoded with the real messages. It keeps nodes in memory with the rules of MLMD's store that
// our export leans on: a node's type must exist, names are unique per type, external ids are unique, events name
// existing nodes and a duplicate is AlreadyExists, attributions/associations are set-like. It answers the Get* calls
// tests use to read the graph back.
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type GrpcObject,
  type handleUnaryCall,
  loadPackageDefinition,
  Server,
  ServerCredentials,
  type ServiceClientConstructor,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { tempDir } from '../../helpers.ts';

const shared = (p: string): string =>
  fileURLToPath(new URL(`../../../../shared/kubeflow/protos/${p}`, import.meta.url));

/** MLMD's protos: 1.16.0 (upstream's last tag) and the 1.14.0 copy KFP 2.17 builds against. */
export const mlmdProtoDirs = {
  '1.16.0': shared('ml-metadata-v1.16.0/'),
  '1.14.0': shared('kfp-2.17.0/third_party_ml-metadata/'),
} as const;

const roots = new Map<string, string>();

/** A folder laid out as MLMD's import paths want (`ml_metadata/proto/*.proto`), from the flat shared copy. */
function includeDir(version: keyof typeof mlmdProtoDirs): string {
  let dir = roots.get(version);
  if (dir === undefined) {
    dir = tempDir('hpo-mlmd-protos-').dir;
    mkdirSync(join(dir, 'ml_metadata', 'proto'), { recursive: true });
    for (const f of ['metadata_store.proto', 'metadata_store_service.proto']) {
      cpSync(join(mlmdProtoDirs[version], f), join(dir, 'ml_metadata', 'proto', f));
    }
    roots.set(version, dir);
  }
  return dir;
}

/** MLMD's real service definition, decoded as our client decodes (snake_case, enum names, int64 as strings). */
export function loadRealMlmd(version: keyof typeof mlmdProtoDirs = '1.16.0'): PackageDefinition {
  return loadSync('ml_metadata/proto/metadata_store_service.proto', {
    includeDirs: [includeDir(version)],
    keepCase: true,
    longs: String,
    enums: String,
    oneofs: true,
    arrays: true,
  });
}

/** The real `MetadataStoreService` client constructor, for tests that read the server back. */
export function realMlmdClient(version: keyof typeof mlmdProtoDirs = '1.16.0'): ServiceClientConstructor {
  return (loadPackageDefinition(loadRealMlmd(version)).ml_metadata as GrpcObject)
    .MetadataStoreService as ServiceClientConstructor;
}

type Node = Record<string, unknown> & { id: string; type_id: string; name?: string; external_id?: string };

/** What the fake holds; tests read it directly too. */
export interface FakeMlmdState {
  types: { artifact: Map<string, string>; execution: Map<string, string>; context: Map<string, string> };
  artifacts: Map<string, Node>;
  executions: Map<string, Node>;
  contexts: Map<string, Node>;
  events: Record<string, unknown>[];
  attributions: Set<string>;
  associations: Set<string>;
  /** Every call's method name, in order. */
  calls: string[];
}

/** A running fake: its `host:port`, its state, and `close()`. */
export interface FakeMlmd {
  readonly address: string;
  readonly state: FakeMlmdState;
  close(): Promise<void>;
}

class Refused extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
}

/** Starts the fake on 127.0.0.1 (a free port) from MLMD `version`'s protos. */
export async function startFakeMlmd(version: keyof typeof mlmdProtoDirs = '1.16.0'): Promise<FakeMlmd> {
  const state: FakeMlmdState = {
    types: { artifact: new Map(), execution: new Map(), context: new Map() },
    artifacts: new Map(),
    executions: new Map(),
    contexts: new Map(),
    events: [],
    attributions: new Set(),
    associations: new Set(),
    calls: [],
  };
  let next = 1;
  const newId = (): string => String(next++);
  const typeNameOf = (kind: keyof FakeMlmdState['types'], id: string): string | undefined =>
    [...state.types[kind]].find(([, v]) => v === id)?.[0];

  const typeProperties = new Map<string, string[]>();
  const putType = (kind: keyof FakeMlmdState['types']) => (req: Record<string, unknown>) => {
    const type = req[`${kind}_type`] as { name?: string; properties?: Record<string, unknown> } | undefined;
    const name = type?.name;
    if (!name) throw new Refused(status.INVALID_ARGUMENT, 'type name is empty');
    const props = Object.keys(type?.properties ?? {});
    let id = state.types[kind].get(name);
    if (id === undefined) {
      id = newId();
      state.types[kind].set(name, id);
      typeProperties.set(`${kind}/${name}`, props);
    } else {
      // MLMD's rule: reusing a stored type whose properties the request leaves out needs can_omit_fields.
      const omitted = (typeProperties.get(`${kind}/${name}`) ?? []).filter((p) => !props.includes(p));
      if (omitted.length > 0 && req.can_omit_fields !== true) {
        throw new Refused(status.ALREADY_EXISTS, `type ${name} has properties ${omitted.join(', ')} the request omits`);
      }
    }
    return { type_id: id };
  };
  const putNodes =
    (kind: 'artifact' | 'execution' | 'context', table: Map<string, Node>, field: string) =>
    (req: Record<string, Node[]>) => {
      const ids: string[] = [];
      for (const n of req[field] ?? []) {
        if (n.id !== undefined && n.id !== null && n.id !== '') {
          const old = table.get(n.id);
          if (old === undefined) throw new Refused(status.NOT_FOUND, `no ${kind} ${n.id}`);
          if (n.type_id !== undefined && n.type_id !== old.type_id)
            throw new Refused(status.INVALID_ARGUMENT, 'type changed');
          table.set(n.id, { ...old, ...n, type: old.type });
          ids.push(n.id);
          continue;
        }
        const type = typeNameOf(kind, n.type_id);
        if (type === undefined) throw new Refused(status.INVALID_ARGUMENT, `no ${kind} type ${n.type_id}`);
        for (const o of table.values()) {
          if (n.name && o.type_id === n.type_id && o.name === n.name)
            throw new Refused(status.ALREADY_EXISTS, `${kind} name ${n.name} exists for type ${type}`);
          if (n.external_id && o.external_id === n.external_id)
            throw new Refused(status.ALREADY_EXISTS, `${kind} external_id ${n.external_id} exists`);
        }
        const id = newId();
        table.set(id, { ...n, id, type });
        ids.push(id);
      }
      return { [`${kind}_ids`]: ids };
    };
  const byExternal = (table: Map<string, Node>, field: string) => (req: { external_ids: string[] }) => ({
    [field]: [...table.values()].filter((n) => n.external_id !== undefined && req.external_ids.includes(n.external_id)),
  });
  const handlers: Record<string, (req: never) => unknown> = {
    PutArtifactType: putType('artifact'),
    PutExecutionType: putType('execution'),
    PutContextType: putType('context'),
    PutArtifacts: putNodes('artifact', state.artifacts, 'artifacts'),
    PutExecutions: putNodes('execution', state.executions, 'executions'),
    PutContexts: putNodes('context', state.contexts, 'contexts'),
    PutEvents: (req: { events: Record<string, string>[] }) => {
      for (const e of req.events) {
        if (!state.artifacts.has(e.artifact_id!) || !state.executions.has(e.execution_id!))
          throw new Refused(status.INVALID_ARGUMENT, `event names a missing node: ${JSON.stringify(e)}`);
        if (
          state.events.some(
            (o) => o.artifact_id === e.artifact_id && o.execution_id === e.execution_id && o.type === e.type,
          )
        )
          throw new Refused(status.ALREADY_EXISTS, `duplicate event ${JSON.stringify(e)}`);
        state.events.push(e);
      }
      return {};
    },
    PutAttributionsAndAssociations: (req: {
      attributions: Record<string, string>[];
      associations: Record<string, string>[];
    }) => {
      for (const a of req.attributions) {
        if (!state.artifacts.has(a.artifact_id!) || !state.contexts.has(a.context_id!))
          throw new Refused(status.INVALID_ARGUMENT, 'attribution names a missing node');
        state.attributions.add(`${a.artifact_id}/${a.context_id}`);
      }
      for (const a of req.associations) {
        if (!state.executions.has(a.execution_id!) || !state.contexts.has(a.context_id!))
          throw new Refused(status.INVALID_ARGUMENT, 'association names a missing node');
        state.associations.add(`${a.execution_id}/${a.context_id}`);
      }
      return {};
    },
    GetContextByTypeAndName: (req: { type_name: string; context_name: string }) => {
      const typeId = state.types.context.get(req.type_name);
      const c = [...state.contexts.values()].find((n) => n.type_id === typeId && n.name === req.context_name);
      return c === undefined ? {} : { context: c };
    },
    GetArtifactsByExternalIds: byExternal(state.artifacts, 'artifacts'),
    GetExecutionsByExternalIds: byExternal(state.executions, 'executions'),
    GetEventsByExecutionIDs: (req: { execution_ids: string[] }) => ({
      events: state.events.filter((e) => req.execution_ids.includes(e.execution_id as string)),
    }),
    GetArtifactsByContext: (req: { context_id: string }) => ({
      artifacts: [...state.attributions]
        .filter((k) => k.endsWith(`/${req.context_id}`))
        .map((k) => state.artifacts.get(k.split('/')[0]!)),
    }),
    GetExecutionsByContext: (req: { context_id: string }) => ({
      executions: [...state.associations]
        .filter((k) => k.endsWith(`/${req.context_id}`))
        .map((k) => state.executions.get(k.split('/')[0]!)),
    }),
  };

  const def = loadRealMlmd(version);
  const Service = (loadPackageDefinition(def).ml_metadata as GrpcObject)
    .MetadataStoreService as ServiceClientConstructor;
  const impl: Record<string, handleUnaryCall<unknown, unknown>> = {};
  for (const [method, handle] of Object.entries(handlers)) {
    impl[method] = (call, callback) => {
      state.calls.push(method);
      try {
        callback(null, handle(call.request as never));
      } catch (e) {
        const r = e as Refused;
        callback({ code: r.code ?? status.INTERNAL, details: r.message } as Partial<ServiceError> as ServiceError);
      }
    };
  }
  const server = new Server();
  server.addService(Service.service, impl);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return {
    address: `127.0.0.1:${port}`,
    state,
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}
