// pushLineageGraph against an in-process MLMD server built from ML Metadata's real protos (1.16.0, and the 1.14.0
// copy KFP deploys): the graph is stored node for node, read back with MLMD's own Get* calls, and a second export
// updates instead of duplicating.
import { credentials } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { lineageGraph, type MlmdGraph, pushLineageGraph } from '../../../src/platform/mlmd/index.ts';
import { rejected } from '../../helpers.ts';
import { experiment, fullTrial, trial } from '../../store/fixtures-data.ts';
import { type FakeMlmd, realMlmdClient, startFakeMlmd } from './fakeMlmd.ts';

let fake: FakeMlmd | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function graph(trials = 2): MlmdGraph {
  return lineageGraph({
    experiment: experiment('exp'),
    trials: Array.from({ length: trials }, (_, i) => ({
      trial: i === 0 ? fullTrial('exp', 0) : trial('exp', i, { state: 'Running' }),
      artifacts:
        i === 0
          ? [
              {
                name: 'model.joblib',
                path: '/s/model.joblib',
                kind: 'model' as const,
                sha256: 'ab'.repeat(32),
                size: 3,
              },
            ]
          : [],
    })),
  });
}

/** Calls one method of MLMD's real client. */
function read(address: string, method: string, request: unknown): Promise<Record<string, unknown>> {
  const Client = realMlmdClient();
  const c = new Client(address, credentials.createInsecure());
  return new Promise((resolve, reject) => {
    (c as unknown as Record<string, (r: unknown, cb: (e: Error | null, v: unknown) => void) => void>)[method]!(
      request,
      (e, v) => {
        c.close();
        if (e) reject(e);
        else resolve(v as Record<string, unknown>);
      },
    );
  });
}

describe.each(['1.16.0', '1.14.0'] as const)('pushLineageGraph to MLMD %s', (version) => {
  it('stores types, nodes, events, attributions and associations, readable with MLMD calls', async () => {
    fake = await startFakeMlmd(version);
    const g = graph();
    const r = await pushLineageGraph(g, { address: fake.address });
    expect(r.executions).toEqual({ created: 2, updated: 0 });
    expect(r.artifacts).toEqual({ created: g.artifacts.length, updated: 0 });
    expect(r.events).toEqual({ added: g.events.length, existing: 0 });
    expect([...fake.state.types.context.keys()]).toEqual(['system.PipelineRun']);
    expect([...fake.state.types.execution.keys()]).toEqual(['system.ContainerExecution']);
    const { context } = await read(fake.address, 'GetContextByTypeAndName', {
      type_name: 'system.PipelineRun',
      context_name: 'default/exp',
    });
    const ctx = context as { id: string; custom_properties: Record<string, { string_value?: string }> };
    expect(ctx.custom_properties.display_name?.string_value).toBe('exp');
    const arts = (await read(fake.address, 'GetArtifactsByContext', { context_id: ctx.id })).artifacts as {
      name: string;
      uri: string;
      state: string;
      custom_properties: Record<string, { string_value?: string }>;
    }[];
    const model = arts.find((a) => a.name.endsWith('model.joblib'))!;
    expect(model).toMatchObject({ uri: 'file:///s/model.joblib', state: 'LIVE' });
    expect(model.custom_properties.sha256?.string_value).toBe('ab'.repeat(32));
    const execs = (await read(fake.address, 'GetExecutionsByContext', { context_id: ctx.id })).executions as {
      id: string;
      name: string;
      last_known_state: string;
      custom_properties: Record<string, { struct_value?: { fields: Record<string, unknown> } }>;
    }[];
    expect(execs.map((e) => [e.name, e.last_known_state])).toEqual([
      ['default/exp/exp-t0', 'COMPLETE'],
      ['default/exp/exp-t1', 'RUNNING'],
    ]);
    // Parameters travel as a google.protobuf.Struct, as KFP writes a task's inputs.
    expect(execs[0]!.custom_properties.inputs?.struct_value?.fields).toEqual({
      lr: { numberValue: 0.01, kind: 'numberValue' },
      optimizer: { stringValue: 'sgd', kind: 'stringValue' },
    });
    const events = (await read(fake.address, 'GetEventsByExecutionIDs', { execution_ids: [execs[0]!.id] })).events as {
      type: string;
      path: { steps: { key: string }[] };
    }[];
    expect(events.map((e) => [e.type, e.path.steps[0]?.key]).sort()).toEqual([
      ['OUTPUT', 'metrics'],
      ['OUTPUT', 'model.joblib'],
    ]);
  });

  it('a second export updates what the first stored and adds only the new events', async () => {
    fake = await startFakeMlmd(version);
    await pushLineageGraph(graph(1), { address: fake.address });
    const before = { a: fake.state.artifacts.size, e: fake.state.executions.size, c: fake.state.contexts.size };
    const r = await pushLineageGraph(graph(2), { address: fake.address });
    expect(r.executions).toEqual({ created: 1, updated: 1 });
    expect(r.artifacts.updated).toBe(before.a);
    expect(r.events.existing).toBe(graph(1).events.length);
    expect(fake.state.contexts.size).toBe(before.c);
    expect(fake.state.executions.size).toBe(before.e + 1);
    const again = await pushLineageGraph(graph(2), { address: fake.address });
    expect(again.events.added).toBe(0);
    expect(fake.state.events.length).toBe(graph(2).events.length);
  });
});

describe('pushLineageGraph errors', () => {
  it('an unreachable server is bad input naming the address and how to reach KFP’s', async () => {
    const err = await rejected(pushLineageGraph(graph(), { address: '127.0.0.1:1', deadlineMs: 3000 }));
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', retryable: true });
    expect(err.message).toMatch(/cannot reach the ML Metadata server at 127\.0\.0\.1:1.*metadata-grpc-service/);
  });

  it('refuses an address that is not host:port before connecting', async () => {
    const err = await rejected(pushLineageGraph(graph(), { address: 'http://x:1/' }));
    expect(err.message).toBe("--mlmd wants host:port, not 'http://x:1/'");
  });

  it('reuses a type another tool stored with properties of its own (KFP may have made system.Model first)', async () => {
    fake = await startFakeMlmd();
    await read(fake.address, 'PutArtifactType', {
      artifact_type: { name: 'system.Model', properties: { framework: 'STRING' } },
    });
    const r = await pushLineageGraph(graph(1), { address: fake.address });
    expect(r.artifacts.created).toBe(graph(1).artifacts.length);
  });

  it("reports the server's refusal with its status and details", async () => {
    fake = await startFakeMlmd();
    // Another tool's artifact already holds one of our names under the same type: MLMD refuses the insert.
    await pushLineageGraph(graph(1), { address: fake.address });
    for (const a of fake.state.artifacts.values()) a.external_id = `other:${a.external_id}`;
    const err = await rejected(pushLineageGraph(graph(1), { address: fake.address }));
    expect(err.message).toMatch(/refused PutArtifacts: ALREADY_EXISTS: artifact name .* exists/);
  });
});
