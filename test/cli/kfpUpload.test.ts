// `hpo export NAME --to kfp --upload URL` as a user runs it, against the in-process fake of KFP's v2beta1 REST API
// (test/platform/kfp/fakeKfp.ts): the uploaded file is the exported one, a run is started, a second export becomes a
// new version, and the failures a user meets are exit 2 with a message and no stack trace.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applyDefaults } from '../../src/spec/defaults.ts';
import { loadExperimentFile } from '../../src/spec/load.ts';
import { openStore } from '../../src/store/open.ts';
import { collect, hpo, hpoAsync } from '../cliRunner.ts';
import { tempDir } from '../helpers.ts';
import { type FakeKfp, startFakeKfp } from '../platform/kfp/fakeKfp.ts';
import { experiment, trial } from '../store/fixtures-data.ts';

const svcDigits = fileURLToPath(new URL('../../examples/svc-digits/experiment.yaml', import.meta.url));
let tmp: ReturnType<typeof tempDir>;
let store: string;
let fake: FakeKfp | undefined;

beforeAll(async () => {
  tmp = tempDir('hpo-kfp-upload-');
  store = join(tmp.dir, 'store');
  const s = openStore(store);
  try {
    await s.createExperiment(
      experiment('svc', { phase: 'Succeeded', manifest: applyDefaults(loadExperimentFile(svcDigits)[0]!) }),
    );
    await s.insertTrial(trial('svc', 0, { state: 'Succeeded', objective: 0.97, params: { C: 2.5, gamma: 0.01 } }));
  } finally {
    await s.close();
  }
});
afterAll(() => tmp.cleanup());
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const upload = (url: string, extra: string[] = [], env: Record<string, string> = {}) =>
  collect(hpoAsync(['export', 'svc', '--to', 'kfp', '--store', store, '--upload', url, ...extra], { env }), 60_000)
    .result;

describe('hpo export --to kfp --upload', () => {
  it('uploads the exported pipeline, starts a run, prints what KFP made as JSON; again as a new version', async () => {
    fake = await startFakeKfp();
    const out = join(tmp.dir, 'pipeline.yaml');
    const r = await upload(fake.url, ['--out', out], { HPO_KFP_TOKEN: 'tok' });
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ pipelineId: 'pipeline-0001', runId: 'run-0003', newVersion: false, state: 'PENDING' });
    expect(r.stderr).toContain(
      `uploaded pipeline pipeline-0001 and started run run-0003: ${fake.url}/#/runs/details/run-0003`,
    );
    const exported = hpo(['export', 'svc', '--to', 'kfp', '--store', store]).stdout;
    expect(fake.requests[0]!.file).toBe(exported);
    expect(readFileSync(out, 'utf8')).toBe(exported);
    expect(fake.requests[0]!.authorization).toBe('Bearer tok');
    expect((fake.requests[1]!.body as { description: string }).description).toMatch(/^Retrains trial svc-t0 /);
    const again = await upload(fake.url);
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ pipelineId: 'pipeline-0001', newVersion: true });
    expect(again.stderr).toContain('uploaded a new version of pipeline pipeline-0001');
  });

  it("KFP's refusal and an unreachable server are exit 2 with the reason, no stack trace", async () => {
    fake = await startFakeKfp();
    fake.failNext(
      'UploadPipeline',
      401,
      JSON.stringify({ code: 16, message: 'Unauthenticated: no token', details: [] }),
    );
    const refused = await upload(fake.url);
    expect(refused.status).toBe(2);
    // The export's own warnings (the example's $(HPO_EXPERIMENT_DIR)) come first; the error is the last line.
    expect(refused.stderr).toMatch(
      /\nerror: KFP refused the pipeline upload \(HTTP 401\): Unauthenticated: no token\n$/,
    );
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    const url = fake.url;
    await fake.close();
    fake = undefined;
    const down = await upload(url);
    expect(down.status).toBe(2);
    expect(down.stderr).toMatch(
      /\nerror: cannot reach the KFP API server at http:\/\/127\.0\.0\.1:\d+\/ \(ECONNREFUSED\)/,
    );
    expect(down.stderr).not.toMatch(/\n\s+at /);
    const wrong = hpo(['export', 'svc', '--to', 'kserve', '--store', store, '--upload', url]);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('--upload is for --to kfp, not --to kserve');
  });
});
