/* biome-ignore-all lint/suspicious/noExplicitAny: tests walk manifests freely. */
// `hpo run --backend kubernetes --dry-run`: the printed manifests parse as YAML documents, one per trial,
// rendered exactly as the executor would create them.

import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { dryRunManifests, renderDryRun } from '../../../src/platform/kubernetes/dryRun.ts';
import { trialName } from '../../../src/trial/naming.ts';
import { pytorchExperiment } from './harness.ts';

describe('renderDryRun', () => {
  const assignments = [{ lr: 0.01 }, { lr: 0.025 }, { lr: 0.07 }];

  it('prints one YAML document per trial with labels, namespace and substituted parameters', () => {
    const text = renderDryRun(pytorchExperiment(), assignments, { seed: 7 });
    const docs = parseAllDocuments(text);
    expect(docs.map((d) => d.errors)).toEqual([[], [], []]);
    type Job = {
      apiVersion: string;
      kind: string;
      metadata: { name: string; namespace: string; labels: Record<string, string> };
      spec: { pytorchReplicaSpecs: { Master: { template: { spec: { containers: { args: string[] }[] } } } } };
    };
    const jobs = docs.map((d) => d.toJS() as Job);
    expect(jobs.map((j) => j.metadata.name)).toEqual([0, 1, 2].map((i) => trialName('torch', 7, i)));
    for (const [i, j] of jobs.entries()) {
      expect(j).toMatchObject({ apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob' });
      expect(j.metadata.namespace).toBe('team-a');
      expect(j.metadata.labels).toEqual({
        'katib.kubeflow.org/experiment': 'torch',
        'katib.kubeflow.org/trial': trialName('torch', 7, i),
      });
      const master = j.spec.pytorchReplicaSpecs.Master.template.spec.containers[0]!;
      expect(master.args).toEqual([`--lr=${assignments[i]!.lr}`]);
    }
    expect(text).toContain(`# trial ${trialName('torch', 7, 1)}: lr=0.025\n`);
  });

  it('keeps a value with line breaks inside its comment line', () => {
    const text = renderDryRun(pytorchExperiment(), [{ lr: 'x\nkind: Secret\n# ' }], { seed: 7 });
    expect(text).toContain(`: lr="x\\nkind: Secret\\n# "\n`);
    expect(parseAllDocuments(text).map((d) => (d.toJS() as { kind: string }).kind)).toEqual(['PyTorchJob']);
  });

  it('uses given names and namespace, and prints nothing for no trials', () => {
    const jobs = dryRunManifests(pytorchExperiment(), [{ lr: 0.05 }], { names: ['mine-1'], namespace: 'other' });
    expect(jobs[0]?.metadata).toMatchObject({ name: 'mine-1', namespace: 'other' });
    expect(renderDryRun(pytorchExperiment(), [])).toBe('');
  });

  it('shows the File/TensorFlowEvent collector sidecar the executor adds, with the image asked for', () => {
    const m = pytorchExperiment();
    m.spec.metricsCollectorSpec = {
      collector: { kind: 'TensorFlowEvent' },
      source: { fileSystemPath: { path: '/tb', kind: 'Directory' } },
    };
    const [job] = dryRunManifests(m, [{ lr: 0.05 }], { collectorImage: 'mirror.local/busybox:1.36' });
    const master = (job!.spec as Record<string, any>).pytorchReplicaSpecs.Master.template.spec;
    expect(master.initContainers).toMatchObject([
      { name: 'hpo-metrics-collector', image: 'mirror.local/busybox:1.36', args: ['dir', '/tb', '2'] },
    ]);
    const plain = dryRunManifests(pytorchExperiment(), [{ lr: 0.05 }])[0]?.spec as Record<string, any>;
    expect(plain.pytorchReplicaSpecs.Master.template.spec.initContainers).toBeUndefined();
  });

  it('needs the template text for a ConfigMap-sourced template', () => {
    const m = pytorchExperiment();
    const spec = m.spec.trialTemplate!.trialSpec!;
    m.spec.trialTemplate = { ...m.spec.trialTemplate!, configMap: { configMapName: 'c', templatePath: 't' } };
    delete m.spec.trialTemplate.trialSpec;
    expect(() => dryRunManifests(m, [{ lr: 0.05 }])).toThrow(/a dry run does not read the cluster/);
    const jobs = dryRunManifests(m, [{ lr: 0.05 }], { templateText: JSON.stringify(spec) });
    expect(jobs[0]?.kind).toBe('PyTorchJob');
  });
});
