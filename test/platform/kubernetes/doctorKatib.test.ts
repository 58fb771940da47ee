// `hpo doctor`'s checks of Katib's katib-config ConfigMap, through the real client against the fake API server:
// one scenario per failure (no ConfigMap, algorithm / early stopping / collector without an image, trial kind not
// watched, text that does not parse), the older JSON layout, a ConfigMap we may not read, and Katib elsewhere.
import { afterEach, describe, expect, it } from 'vitest';
import { runDoctor } from '../../../src/platform/kubernetes/doctor.ts';
import { parseKatibConfig, trialResourceName } from '../../../src/platform/kubernetes/doctorKatib.ts';
import type { FakeObject } from '../../fixtures/k8s/fakeStore.ts';
import { closeCluster, doctor, experiment, failures, healthy, katibConfigMap } from './doctorHarness.ts';

afterEach(closeCluster);

const katib = (checks: Awaited<ReturnType<typeof doctor>>) => checks.filter((c) => c.check === 'katib');

/** A healthy cluster whose katib-config YAML is edited by `edit`. */
async function withConfig(edit: (text: string) => string) {
  const s = await healthy();
  const cms = s.resource('v1', 'configmaps');
  s.store.remove(cms, 'kubeflow', 'katib-config');
  s.store.create(cms, 'kubeflow', katibConfigMap(edit));
  return s;
}

const dropLine = (pattern: RegExp) => (text: string) =>
  text
    .split('\n')
    .filter((l) => !pattern.test(l))
    .join('\n');

describe("hpo doctor: Katib's config", { timeout: 20_000 }, () => {
  it("passes the shipped config for the experiment's algorithm, collector and trial kind; reads katib-config in kubeflow", async () => {
    const s = await healthy();
    const checks = katib(await doctor(s, experiment(), 'submit'));
    expect(checks.map((c) => [c.status, c.message])).toEqual([
      ['pass', 'kubeflow/katib-config maps algorithm random to ghcr.io/kubeflow/katib/suggestion-hyperopt:latest'],
      [
        'pass',
        'kubeflow/katib-config maps metrics collector StdOut to ghcr.io/kubeflow/katib/file-metrics-collector:latest',
      ],
      ['pass', 'kubeflow/katib-config lets the controller watch PyTorchJob.v1.kubeflow.org trials'],
    ]);
    expect(s.requestsTo('/api/v1/namespaces/kubeflow/configmaps/katib-config', 'GET')).toHaveLength(1);
  });

  it('is not run for the kubernetes backend alone', async () => {
    const s = await withConfig(() => 'not: [valid');
    expect(katib(await doctor(s, experiment(), 'run'))).toEqual([]);
  });

  it('no katib-config: Katib is not installed there', async () => {
    const s = await healthy();
    s.store.remove(s.resource('v1', 'configmaps'), 'kubeflow', 'katib-config');
    const [c] = katib(await doctor(s, experiment(), 'submit'));
    expect(c).toMatchObject({
      status: 'fail',
      message: 'no ConfigMap kubeflow/katib-config: Katib is not installed there',
    });
    expect(c?.fix).toContain('--katib-namespace');
  });

  it('an algorithm with no suggestion image', async () => {
    const s = await withConfig((t) => t.replace('algorithmName: random', 'algorithmName: hyperopt-random'));
    const c = failures(await doctor(s, experiment(), 'submit'));
    expect(c).toHaveLength(1);
    expect(c[0]!.message).toMatch(
      /^kubeflow\/katib-config has no image for algorithm random \(it has: hyperopt-random, tpe, grid,/,
    );
    expect(c[0]!.fix).toContain("add '- {algorithmName: random, image: IMAGE}' under runtime.suggestions");
    expect(c[0]!.fix).toContain('kubectl rollout restart deployment/katib-controller -n kubeflow');
  });

  it('an early-stopping algorithm with no image', async () => {
    const s = await withConfig(dropLine(/medianstop/));
    const m = experiment();
    m.spec.earlyStopping = { algorithmName: 'medianstop' };
    const [c] = failures(await doctor(s, m, 'submit'));
    expect(c?.message).toContain('has no image for early-stopping algorithm medianstop (it has: none)');
    expect(c?.fix).toContain('under runtime.earlyStoppings');
  });

  it('a metrics collector kind with an empty image', async () => {
    const s = await withConfig((t) => t.replace(/(- kind: File\n\s+image:) \S+/, '$1 ""'));
    const m = experiment();
    m.spec.metricsCollectorSpec = { collector: { kind: 'File' } };
    const [c] = failures(await doctor(s, m, 'submit'));
    expect(c?.message).toContain('has an empty image for metrics collector File');
    expect(c?.fix).toContain("add '- {kind: File, image: IMAGE}' under runtime.metricsCollectors");
  });

  it("a trial kind Katib's controller does not watch", async () => {
    const s = await withConfig(dropLine(/PyTorchJob\.v1\.kubeflow\.org/));
    const [c] = failures(await doctor(s, experiment(), 'submit'));
    expect(c?.message).toContain('does not list PyTorchJob.v1.kubeflow.org in init.controller.trialResources');
    expect(c?.fix).toContain("add '- PyTorchJob.v1.kubeflow.org' under init.controller.trialResources");
  });

  it('a config that does not parse', async () => {
    const s = await withConfig(() => 'runtime: [unclosed');
    const [c] = failures(await doctor(s, experiment(), 'submit'));
    expect(c?.message).toMatch(/^kubeflow\/katib-config does not parse: /);
    expect(c?.fix).toBe('kubectl edit configmap katib-config -n kubeflow');
  });

  it('the older JSON layout (Katib < 0.16): images checked, trial kinds were controller flags', async () => {
    const s = await healthy();
    const cms = s.resource('v1', 'configmaps');
    s.store.remove(cms, 'kubeflow', 'katib-config');
    s.store.create(cms, 'kubeflow', {
      metadata: { name: 'katib-config', namespace: 'kubeflow' },
      data: {
        suggestion: JSON.stringify({ random: { image: 'docker.io/kubeflowkatib/suggestion-hyperopt:v0.15.0' } }),
        'metrics-collector-sidecar': JSON.stringify({ File: { image: 'x' } }),
      },
    } as FakeObject);
    const checks = katib(await doctor(s, experiment(), 'submit'));
    expect(checks.map((c) => c.status)).toEqual(['pass', 'fail']);
    expect(checks[1]!.message).toContain('no image for metrics collector StdOut (it has: File)');
  });

  it('a ConfigMap we may not read is skipped, and --katib-namespace looks elsewhere', async () => {
    const s = await healthy();
    s.faults.deny({ verb: 'get', group: '', resource: 'configmaps', namespace: 'kubeflow' });
    const [c] = katib(await doctor(s, experiment(), 'submit'));
    expect(c).toMatchObject({ status: 'skip' });
    expect(c?.message).toContain('cannot read kubeflow/katib-config (403');
    s.store.create(s.resource('v1', 'configmaps'), 'katib', {
      ...katibConfigMap(),
      metadata: { name: 'katib-config', namespace: 'katib' },
    });
    const elsewhere = await runDoctor(s.kubeConfig('team-a'), experiment(), {
      purpose: 'submit',
      katibNamespace: 'katib',
    });
    expect(katib(elsewhere).map((x) => x.status)).toEqual(['pass', 'pass', 'pass']);
  });
});

describe('parseKatibConfig and trialResourceName', () => {
  it.each([
    ['batch/v1', 'Job', 'Job.v1.batch'],
    ['kubeflow.org/v1', 'PyTorchJob', 'PyTorchJob.v1.kubeflow.org'],
    ['trainer.kubeflow.org/v1alpha1', 'TrainJob', 'TrainJob.v1alpha1.trainer.kubeflow.org'],
    ['argoproj.io/v1alpha1', 'Workflow', 'Workflow.v1alpha1.argoproj.io'],
  ])('%s %s is %s', (apiVersion, kind, name) => {
    expect(trialResourceName(apiVersion, kind)).toBe(name);
  });

  it("an empty trialResources list is Katib's default, batch Jobs only", () => {
    const c = parseKatibConfig({ 'katib-config.yaml': 'init: {controller: {}}\nruntime: {}' });
    expect(c.trialResources).toEqual(['Job.v1.batch']);
    expect(c.suggestions.size).toBe(0);
  });
});

describe('hpo doctor: the File/TensorFlowEvent collector sidecar needs Kubernetes ≥ 1.29', { timeout: 20_000 }, () => {
  const fileExperiment = () => {
    const m = experiment();
    m.spec.metricsCollectorSpec = { collector: { kind: 'TensorFlowEvent' } };
    return m;
  };
  const sidecar = (checks: Awaited<ReturnType<typeof doctor>>) => checks.filter((c) => c.check === 'sidecar');

  it('passes on 1.29 and later (a managed cluster\'s "30+" minor too), and is not run for StdOut or submit', async () => {
    const s = await healthy();
    s.version = { major: '1', minor: '30+', gitVersion: 'v1.30.4-eks-a737599' };
    expect(sidecar(await doctor(s, fileExperiment(), 'run'))).toMatchObject([{ status: 'pass' }]);
    expect(sidecar(await doctor(s, experiment(), 'run'))).toEqual([]);
    expect(sidecar(await doctor(s, fileExperiment(), 'submit'))).toEqual([]);
  });

  it('fails on 1.27, where the API server drops the sidecar and the pod stays in Init', async () => {
    const s = await healthy();
    s.version = { major: '1', minor: '27', gitVersion: 'v1.27.9' };
    const [c] = sidecar(await doctor(s, fileExperiment(), 'run'));
    expect(c).toMatchObject({ status: 'fail' });
    expect(c?.message).toContain('Kubernetes v1.27.9 predates native sidecars');
    expect(c?.fix).toContain('metricsCollectorSpec StdOut');
  });
});

describe("hpo doctor: Katib's suggestion volume for PBT", { timeout: 20_000 }, () => {
  const pvc = (checks: Awaited<ReturnType<typeof doctor>>) => checks.filter((c) => c.check === 'pvc');
  /** The shipped katib-config's pbt entry with its persistentVolumeClaimSpec block replaced by `block`. */
  const pbtVolume = (block: string) => (t: string) =>
    t.replace(/(image: \S+suggestion-pbt:\S+\n)\s+persistentVolumeClaimSpec:[\s\S]*?storage: 5Gi\n/, `$1${block}`);

  it('passes the shipped config (ReadWriteMany) with resumePolicy FromVolume, mounted where hpo suggestion-server looks', async () => {
    const s = await healthy();
    const checks = pvc(await doctor(s, experiment({ pbt: true }), 'submit'));
    expect(checks.map((c) => [c.status, c.message])).toEqual([
      [
        'pass',
        "kubeflow/katib-config gives pbt's suggestion volume [ReadWriteMany], mounted at /opt/katib/data in the suggestion pod",
      ],
      ['skip', "the backend's claim torch-pbt is not used under Katib"],
    ]);
  });

  it('fails without resumePolicy FromVolume, even when katib-config cannot be read', async () => {
    const s = await healthy();
    const m = experiment({ pbt: true });
    m.spec.resumePolicy = 'LongRunning';
    const [c] = failures(await doctor(s, m, 'submit'));
    expect(c?.check).toBe('pvc');
    expect(c?.message).toContain('only with resumePolicy FromVolume (this experiment: LongRunning)');
    expect(c?.fix).toBe('set spec.resumePolicy: FromVolume');
    s.faults.deny({ verb: 'get', group: '', resource: 'configmaps', namespace: 'kubeflow' });
    expect(failures(await doctor(s, m, 'submit')).map((x) => x.check)).toEqual(['pvc']);
  });

  it.each([
    ['no persistentVolumeClaimSpec (Katib then makes ReadWriteOnce)', '', "[ReadWriteOnce] (Katib's default"],
    ['ReadWriteOnce', '      persistentVolumeClaimSpec:\n        accessModes: [ReadWriteOnce]\n', '[ReadWriteOnce];'],
  ])('fails parallel trials on a volume with %s', async (_, block, says) => {
    const s = await withConfig(pbtVolume(block));
    const [c] = failures(await doctor(s, experiment({ pbt: true }), 'submit'));
    expect(c?.message).toContain(`kubeflow/katib-config gives pbt's suggestion volume access modes ${says}`);
    expect(c?.fix).toContain('persistentVolumeClaimSpec: {accessModes: [ReadWriteMany]');
    // One trial at a time shares a node with the suggestion pod as the scheduler places it.
    expect(failures(await doctor(s, experiment({ pbt: true, parallel: 1 }), 'submit'))).toEqual([]);
  });

  it('names the --data-dir an hpo suggestion-server image needs when katib-config mounts the volume elsewhere', async () => {
    const s = await withConfig((t) =>
      t.replace('persistentVolumeClaimSpec:', 'volumeMountPath: /data\n      persistentVolumeClaimSpec:'),
    );
    const [c] = pvc(await doctor(s, experiment({ pbt: true }), 'submit'));
    expect(c?.status).toBe('pass');
    expect(c?.message).toContain(
      'mounted at /data in the suggestion pod (an image running hpo suggestion-server needs --data-dir /data',
    );
  });

  it('checks nothing for an experiment without suggestion_trial_dir', async () => {
    const s = await healthy();
    expect(pvc(await doctor(s, experiment(), 'submit')).map((c) => c.status)).toEqual(['skip']);
  });
});
