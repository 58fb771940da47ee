// `hpo export --to kserve --apply` as a user runs it: a child process whose KUBECONFIG points at the in-process fake
// API server, with the stand-in KServe controller. Exit 0 once Ready (or the canary is), 1 on a failed rollout or a
// timeout (with KServe's reason), 2 on bad input.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateInferenceService } from '../../src/platform/kserve/document.ts';
import { openStore } from '../../src/store/open.ts';
import { type Finished, hpoFinished } from '../cliRunner.ts';
import { FakeApiServer } from '../fixtures/k8s/fakeApiServer.ts';
import { admitInferenceServices, FakeKServe, isvcCrd } from '../fixtures/k8s/fakeKServe.ts';
import { tempDir } from '../helpers.ts';
import { experiment, trial } from '../store/fixtures-data.ts';

let tmp: ReturnType<typeof tempDir>;
let server: FakeApiServer;
let kserve: FakeKServe;
let env: Record<string, string>;
let store: string;

beforeAll(async () => {
  // Compiling the 600 KB CRD blocks this process for seconds on a busy machine: once here, not while a child waits.
  validateInferenceService({ apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService' }, isvcCrd);
  tmp = tempDir();
  server = await FakeApiServer.start({ admit: admitInferenceServices });
  kserve = new FakeKServe(server, 10).start();
  const kubeconfig = join(tmp.dir, 'kubeconfig');
  writeFileSync(kubeconfig, server.kubeConfig().exportConfig());
  env = { KUBECONFIG: kubeconfig };
  store = join(tmp.dir, 'store');
  const s = openStore(store);
  try {
    await s.createExperiment(experiment('digits', { phase: 'Succeeded' }));
    await s.insertTrial(trial('digits', 0, { state: 'Succeeded', objective: 0.97, params: { C: 2.5 } }));
  } finally {
    await s.close();
  }
}, 60_000);
afterAll(async () => {
  kserve.stop();
  await server.close();
  tmp.cleanup();
});

const run = (uri: string, ...more: string[]): Promise<Finished> =>
  hpoFinished(
    ['export', 'digits', '--to', 'kserve', '--format', 'sklearn', '--storage-uri', uri, '--store', store, ...more],
    { env },
    100_000,
  );

// Each case is a child process (tsx start-up): slow on a busy machine.
describe('hpo export --to kserve --apply', { timeout: 110_000 }, () => {
  it('creates the service, follows it to Ready on stderr and prints the outcome as JSON', async () => {
    const r = await run('s3://m/v1/', '--apply');
    expect(r.stderr).toMatch(/created InferenceService default\/digits/);
    expect(r.stderr).toMatch(/InferenceService default\/digits is Ready at http:\/\/digits\.default\.example\.com/);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'ready', action: 'created', name: 'digits' });
  });

  it('replaces it with a canary, reports the split and says how to promote', async () => {
    const out = join(tmp.dir, 'isvc.yaml');
    const r = await run('s3://m/v2/', '--apply', '--canary', '30', '--out', out);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      outcome: 'ready',
      action: 'replaced',
      canaryTrafficPercent: 30,
      traffic: [
        { revision: 'digits-predictor-00002', percent: 30, latest: true },
        { revision: 'digits-predictor-00001', percent: 70, latest: false },
      ],
    });
    expect(r.stderr).toMatch(/canary is ready with 30% of the traffic \(digits-predictor-00001 keeps the rest\)/);
    expect(r.stderr).toMatch(/To promote it, run the same command without --canary/);
  });

  it("a failed rollout is exit 1 with KServe's reason and message", async () => {
    kserve.outcome = { reason: 'RevisionFailed', message: 'container kserve-container: OOMKilled' };
    try {
      const r = await run('s3://m/v3/', '--apply', '--canary', '10');
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(
        /error: the rollout of InferenceService default\/digits failed: Ready is False, reason RevisionFailed: container kserve-container: OOMKilled/,
      );
      expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'failed', reason: 'RevisionFailed' });
    } finally {
      kserve.outcome = 'ready';
    }
  });

  it('no report from the controller within --timeout is exit 1 and says KServe may be missing', async () => {
    kserve.outcome = 'silent';
    try {
      const r = await run('s3://m/v4/', '--apply', '--timeout', '300ms');
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/was not Ready within the --timeout: KServe's controller never reported/);
      // The previous rollout's failure is not this one's reason.
      expect(JSON.parse(r.stdout)).toEqual(expect.not.objectContaining({ reason: expect.anything() }));
      expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'timeout' });
    } finally {
      kserve.outcome = 'ready';
    }
  });

  it.each([
    [['--timeout', '5s'], /--context and --timeout are for --apply/],
    [['--apply', '--timeout', 'soon'], /--timeout must be a duration/],
    [['--apply', '--context', 'nope'], /no context 'nope'/],
  ])('bad input %j is exit 2', async (more, message) => {
    const r = await run('s3://m/v1/', ...more);
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(2);
  });
});
