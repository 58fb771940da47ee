// uploadPipeline against the in-process fake of KFP's v2beta1 REST API (built from KFP's swagger, strict about
// unknown fields, checking the uploaded IR with KFP's real protos): upload then run, a second upload as a new version,
// a gateway path prefix, a bearer token, and the errors a user meets (unreachable, 4xx with a body, not KFP).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { pipelineYaml, retrainPipeline, uploadPipeline } from '../../../src/platform/kfp/index.ts';
import { applyDefaults } from '../../../src/spec/defaults.ts';
import { loadExperimentFile } from '../../../src/spec/load.ts';
import { rejected } from '../../helpers.ts';
import { experiment, trial } from '../../store/fixtures-data.ts';
import { type FakeKfp, schemaIssues, startFakeKfp } from './fakeKfp.ts';

const quickstart = new URL('../../../examples/quickstart/experiment.yaml', import.meta.url).pathname;
const yaml = pipelineYaml(
  retrainPipeline(
    experiment('quickstart', { manifest: applyDefaults(loadExperimentFile(quickstart)[0]!) }),
    trial('quickstart', 0, { state: 'Succeeded', objective: 0.1, params: { lr: 0.1, l2: 0.01, batch_size: 32 } }),
  ).spec,
);
const options = { name: 'quickstart', description: 'retrain', versionName: 'quickstart-v2' };

let fake: FakeKfp | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('uploadPipeline', () => {
  it('uploads the IR as multipart, then starts a run of it', async () => {
    fake = await startFakeKfp();
    const r = await uploadPipeline(yaml, { ...options, url: fake.url });
    expect(r).toMatchObject({ pipelineId: 'pipeline-0001', runId: 'run-0003', state: 'PENDING', newVersion: false });
    expect(r.runUrl).toBe(`${fake.url}/#/runs/details/run-0003`);
    expect(fake.requests.map((q) => q.operation)).toEqual(['UploadPipeline', 'RunService_CreateRun']);
    expect(fake.requests[0]!.file).toBe(yaml);
    expect(fake.requests[0]!.query).toEqual({ name: 'quickstart', display_name: 'quickstart', description: 'retrain' });
    expect(fake.requests[1]!.body).toEqual({
      display_name: 'quickstart',
      description: 'retrain',
      pipeline_version_reference: { pipeline_id: 'pipeline-0001' },
      runtime_config: { parameters: {} },
    });
  });

  it('a pipeline of that name already there gets a new version, and the run uses it', async () => {
    fake = await startFakeKfp('/pipeline');
    await uploadPipeline(yaml, { ...options, url: fake.url });
    const again = await uploadPipeline(yaml, { ...options, url: `${fake.url}/`, token: 'sa-token' });
    expect(again).toMatchObject({ pipelineId: 'pipeline-0001', newVersion: true, pipelineVersionId: 'version-0004' });
    // The second upload is refused (409: names are unique), so the version goes under the existing pipeline.
    const ops = fake.requests.slice(2);
    expect(ops.map((q) => q.operation)).toEqual([
      'UploadPipeline',
      'PipelineService_GetPipelineByName',
      'UploadPipelineVersion',
      'RunService_CreateRun',
    ]);
    expect(ops[2]!.query).toMatchObject({ pipelineid: 'pipeline-0001', name: 'quickstart-v2' });
    expect((ops[3]!.body as { pipeline_version_reference: unknown }).pipeline_version_reference).toEqual({
      pipeline_id: 'pipeline-0001',
      pipeline_version_id: 'version-0004',
    });
    expect(ops.every((q) => q.authorization === 'Bearer sa-token')).toBe(true);
  });

  it("KFP's 4xx is bad input with its status and message", async () => {
    fake = await startFakeKfp();
    fake.failNext('UploadPipeline', 403, JSON.stringify({ code: 7, message: 'user is not authorized', details: [] }));
    const e = await rejected(uploadPipeline(yaml, { ...options, url: fake.url }));
    expect(e.message).toBe('KFP refused the pipeline upload (HTTP 403): user is not authorized');
    expect(e.isBadInput).toBe(true);
    // An invalid pipeline is refused by the fake as by KFP (the real proto check), with the reason.
    const bad = await rejected(uploadPipeline('pipelineInfo: {name: x}\nbogus: 1\n', { ...options, url: fake.url }));
    expect(bad.message).toMatch(/^KFP refused the pipeline upload \(HTTP 400\): invalid pipeline spec: .*bogus/);
    fake.failNext('RunService_CreateRun', 502, '<html><body>Bad gateway</body></html>');
    const gw = await rejected(uploadPipeline(yaml, { ...options, name: 'other', url: fake.url }));
    expect(gw).toMatchObject({ retryable: true });
    expect(gw.message).toBe('KFP refused the run (HTTP 502): <html><body>Bad gateway</body></html>');
  });

  it('an unreachable server, a bad URL, or a server that is not KFP is said plainly', async () => {
    // A port nothing listens on any more.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const down = await rejected(uploadPipeline(yaml, { ...options, url: `http://127.0.0.1:${port}` }));
    expect(down.message).toMatch(
      new RegExp(
        `^cannot reach the KFP API server at http://127\\.0\\.0\\.1:${port}/ \\(ECONNREFUSED\\); check --upload`,
      ),
    );
    expect(down.retryable).toBe(true);
    expect((await rejected(uploadPipeline(yaml, { ...options, url: 'localhost:8080' }))).message).toMatch(
      /wants an http:\/\/ or https:\/\/ URL/,
    );
    const other = createServer((_, res) => res.end('{"hello": "world"}'));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
      expect((await rejected(uploadPipeline(yaml, { ...options, url }))).message).toMatch(
        /has no pipeline_id: is --upload a KFP v2 API server\?/,
      );
    } finally {
      other.close();
    }
  });
});

describe('the fake KFP API', () => {
  it('rejects unknown fields and query parameters, as a strict reading of the swagger', async () => {
    fake = await startFakeKfp();
    const up = await fetch(`${fake.url}/apis/v2beta1/pipelines/upload?name=x&colour=red`, { method: 'POST' });
    expect(up.status).toBe(400);
    expect(await up.json()).toMatchObject({ message: 'unknown query parameter colour' });
    const run = await fetch(`${fake.url}/apis/v2beta1/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ display_name: 'r', pipeline_version_reference: { pipeline_id: 'p', version: 'v' } }),
    });
    expect(run.status).toBe(400);
    expect(((await run.json()) as { message: string }).message).toBe(
      '$.pipeline_version_reference.version: unknown field',
    );
  });

  it('checks types and enums from the swagger definitions', () => {
    const defs = {
      S: { type: 'string', enum: ['A'] },
      O: { type: 'object', properties: { s: { $ref: '#/definitions/S' } } },
    };
    expect(schemaIssues({ s: 'B' }, { $ref: '#/definitions/O' }, defs)).toEqual(["$.s: 'B' is not one of A"]);
    expect(schemaIssues({ s: 1 }, { $ref: '#/definitions/O' }, defs)).toEqual(['$.s: not a string']);
  });
});
