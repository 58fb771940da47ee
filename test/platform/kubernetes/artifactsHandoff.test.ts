/* biome-ignore-all lint/suspicious/noExplicitAny: tests read the posted job freely. */
// Artifacts of Kubernetes trials end to end: a whole experiment runs through the real client against the fake API
// server; each "trial" writes its model into the claim's folder its job mounts (a temporary folder plays the PVC,
// at the job's subPath), the inventory sidecar's script runs for real on it, and its log comes back through the pod
// log API. The controller records the artifacts with URIs and digests, and every hand-off reads them: the winner
// document (`hpo best -o json`), the KServe InferenceService's storageUri, and the MLMD lineage.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Experiment } from '../../../src/experiment/experiment.ts';
import { readWinner } from '../../../src/experiment/winner.ts';
import { inferenceService, servableModel, validateInferenceService } from '../../../src/platform/kserve/index.ts';
import { artifactInventoryName } from '../../../src/platform/kubernetes/artifactInventory.ts';
import { readLineageGraph, walkLineage } from '../../../src/platform/mlmd/index.ts';
import { openStore } from '../../../src/store/open.ts';
import type { FakeObject } from '../../fixtures/k8s/fakeStore.ts';
import { rejected, tempDir } from '../../helpers.ts';
import { type FakeCluster, fakeExecutor, pytorchExperiment, recordingContext, startCluster } from './harness.ts';
import { inventoryLines } from './inventoryRun.ts';

const kserveCrd = readFileSync(
  new URL('../../../../shared/kubeflow/crds/kserve-v0.20.0/serving.kserve.io_inferenceservices.yaml', import.meta.url),
  'utf8',
);

let cluster: FakeCluster | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
  for (const c of cleanups.splice(0)) c();
});

const sha = (bytes: string): string => createHash('sha256').update(bytes).digest('hex');

/** The trial's program: writes its model where the job mounts the claim, reports its loss; the sidecar lists it. */
function trialOnClaim(pvc: string) {
  return (job: FakeObject) => {
    const main = (job.spec as any).pytorchReplicaSpecs.Master.template.spec.containers[0];
    const mount = main.volumeMounts.find((m: any) => m.mountPath === '/hpo/artifacts');
    const dir = join(pvc, mount.subPath);
    mkdirSync(dir, { recursive: true });
    const lr = Number(/--lr=(\S+)/.exec(main.args.join(' '))![1]);
    writeFileSync(join(dir, 'model.joblib'), `model trained with lr=${lr}`);
    return { lines: [`loss=${Math.abs(lr - 0.05)}`], containerLines: { [artifactInventoryName]: inventoryLines(dir) } };
  };
}

describe('artifacts of Kubernetes trials', { timeout: 60_000 }, () => {
  it('are recorded with URIs and digests, and hpo best, KServe and the lineage use them', async () => {
    const t = tempDir('hpo-k8s-artifacts-');
    cleanups.push(t.cleanup);
    const pvc = join(t.dir, 'pvc');
    cluster = await startCluster({ operator: { script: trialOnClaim(pvc) } });
    const manifest = pytorchExperiment({ name: 'torch' });
    manifest.metadata.annotations = { 'hpo-workbench.io/artifacts': 'pvc://models/hpo' };
    const store = openStore(join(t.dir, 'store'));
    cleanups.push(() => void store.close());
    const executor = fakeExecutor(cluster, manifest);
    const result = await Experiment.fromManifest(manifest, { store }).run({ executor });
    expect(result.trials.filter((x) => x.state === 'Succeeded')).toHaveLength(4);

    const winner = (await readWinner(store, { namespace: 'team-a', name: 'torch' }))!;
    const lr = winner.parameters.lr as number;
    const bytes = `model trained with lr=${lr}`;
    expect(winner.artifacts).toEqual([
      {
        name: 'model.joblib',
        path: '/hpo/artifacts/model.joblib',
        uri: `pvc://models/hpo/torch/${winner.name}/model.joblib`,
        kind: 'model',
        sha256: sha(bytes),
        size: bytes.length,
      },
    ]);
    // The digest is of the bytes on the claim, where the trial wrote them.
    expect(sha(readFileSync(join(pvc, 'hpo', 'torch', winner.name, 'model.joblib'), 'utf8'))).toBe(sha(bytes));

    // KServe: the model is already where the cluster reads it, so no --storage-uri is needed.
    const { manifest: isvc } = inferenceService(winner);
    expect((isvc.spec as any).predictor.model).toMatchObject({
      modelFormat: { name: 'sklearn' },
      storageUri: `pvc://models/hpo/torch/${winner.name}/`,
    });
    expect(validateInferenceService(isvc, kserveCrd)).toEqual([]);
    // `hpo serve` loads local files: it says where the model is instead of failing on a missing path.
    expect((await rejected(servableModel(winner))).message).toContain(`at pvc://models/hpo/torch/${winner.name}/`);

    // MLMD: the model artifact's uri is the claim's.
    const { graph } = await readLineageGraph(store, { namespace: 'team-a', name: 'torch' });
    const walk = walkLineage(graph, { trial: winner.name });
    expect(walk.model).toMatchObject({
      type: 'system.Model',
      uri: `pvc://models/hpo/torch/${winner.name}/model.joblib`,
      properties: { sha256: sha(bytes) },
    });
  });

  it('gives an object store its URI, and a trial whose inventory did not finish records no artifacts and says why', async () => {
    const manifest = pytorchExperiment({ name: 'torch' });
    manifest.metadata.annotations = { 'hpo-workbench.io/artifacts': 's3://bucket/hpo' };
    const rec = recordingContext({ experiment: 'torch', trial: 'torch-1', params: { lr: 0.02 } });
    cleanups.push(rec.cleanup);
    let pod: any;
    cluster = await startCluster({
      operator: {
        script: (job) => {
          pod = (job.spec as any).pytorchReplicaSpecs.Master.template.spec;
          return { lines: ['loss=0.1'], containerLines: { [artifactInventoryName]: ['sh: sha256sum: not found'] } };
        },
      },
    });
    const result = await fakeExecutor(cluster, manifest).run(rec.ctx);
    expect(pod.volumes).toEqual([{ name: 'hpo-artifacts', emptyDir: {} }]);
    expect(pod.containers[0].env[1]).toEqual({ name: 'HPO_ARTIFACTS_URI', value: 's3://bucket/hpo/torch/torch-1/' });
    expect(result).toEqual({ outcome: 'completed' });
    expect(rec.warnings).toEqual([
      'artifacts: the artifact inventory sidecar printed: sh: sha256sum: not found',
      expect.stringContaining('artifacts: the artifact inventory did not finish'),
    ]);
  });
});
