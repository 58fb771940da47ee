/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: Katib's ${trialSpec.x} references are data here. */
// Every pipeline we emit for the repository's examples and for Katib's own example Experiments is valid KFP IR,
// and round-trips through YAML; a template one KFP container cannot run is refused with the reason (exit 2).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { WorkbenchError } from '../../../src/common/errors.ts';
import { pipelineYaml, retrainPipeline, validatePipeline } from '../../../src/platform/kfp/index.ts';
import { applyDefaults } from '../../../src/spec/defaults.ts';
import { loadExperiments } from '../../../src/spec/load.ts';
import type { ExperimentManifest } from '../../../src/spec/types.ts';
import { examplesDir } from '../../spec/helpers.ts';
import { experiment, trial } from '../../store/fixtures-data.ts';
import { kfpProtoDir } from './fixtures.ts';

/** A winning trial for `m`: each parameter at its lower bound or first value, as a stored trial has them. */
function winnerOf(m: ExperimentManifest) {
  const params: Record<string, string | number> = {};
  for (const p of m.spec.parameters ?? []) {
    const fs = p.feasibleSpace ?? {};
    params[p.name] =
      fs.list?.[0] !== undefined ? (p.parameterType === 'discrete' ? Number(fs.list[0]) : fs.list[0]) : Number(fs.min);
  }
  // NAS trials get their architecture as text (from nasConfig, not spec.parameters).
  for (const tp of m.spec.trialTemplate?.trialParameters ?? []) {
    if (!tp.reference.startsWith('${') && !(tp.reference in params)) params[tp.reference] = '[[3, 1], [0, 1, 0]]';
  }
  return trial(m.metadata.name, 3, { params, state: 'Succeeded', objective: 0.97 });
}

async function exportOf(yamlText: string, file: string) {
  const m = applyDefaults(loadExperiments(yamlText, file)[0]!);
  const exp = experiment(m.metadata.name, { manifest: m, namespace: m.metadata.namespace ?? 'default' });
  const t = winnerOf(m);
  try {
    const { spec, warnings } = retrainPipeline(exp, t);
    const text = pipelineYaml(spec);
    expect(parse(text)).toEqual(spec);
    const v = await validatePipeline(text, { schema: kfpProtoDir });
    return { spec, warnings, issues: v.issues };
  } catch (e) {
    if (e instanceof WorkbenchError && e.code === 'UNSUPPORTED') return { refused: e.message };
    throw e;
  }
}

const ours = ['quickstart', 'svc-digits', 'pbt', 'pytorch-ddp'];

describe('pipelines of the repository examples', () => {
  it.each(ours)('examples/%s', async (name) => {
    const text = readFileSync(new URL(`../../../examples/${name}/experiment.yaml`, import.meta.url), 'utf8');
    const r = await exportOf(text, name);
    if (name === 'pytorch-ddp') {
      expect(r.refused).toMatch(/PyTorchJobs with 2 replicas \(Master: 1, Worker: 1\).*one process/);
      return;
    }
    expect(r.issues).toEqual([]);
    // Their scripts sit beside the YAML: the export says that $(HPO_EXPERIMENT_DIR) means nothing in a pod.
    expect(r.warnings?.join()).toMatch(/\$\(HPO_EXPERIMENT_DIR\)/);
  });
});

const katib = readdirSync(examplesDir).filter((f) => f.endsWith('.yaml') && !f.startsWith('manifests__'));

/** Katib examples one KFP container cannot retrain, with why. */
const refused: Record<string, RegExp> = {
  'argo__argo-workflow.yaml': /Workflow template runs as a workflow/,
  'tekton__pipeline-run.yaml': /PipelineRun template runs as a workflow/,
  'kubeflow-trainer__trainjob-pytorch.yaml': /TrainJobs with 2 replicas \(node: 2\)/,
  'kubeflow-training-operator__mpijob-horovod.yaml': /MPIJobs with 3 replicas/,
  'kubeflow-training-operator__pytorchjob-mnist.yaml': /PyTorchJobs with 2 replicas/,
  'kubeflow-training-operator__tfjob-mnist-with-summaries.yaml': /TFJobs with 2 replicas/,
  'kubeflow-training-operator__xgboostjob-lightgbm.yaml': /XGBoostJobs with 3 replicas/,
  'trial-template__trial-configmap-source.yaml':
    /ConfigMap kubeflow\/trial-templates, whose text the store does not keep/,
};

describe("pipelines of Katib's example Experiments", () => {
  it('covers every example', () => {
    expect(katib).toHaveLength(35);
  });

  it.each(katib)('%s', async (file) => {
    const r = await exportOf(readFileSync(new URL(file, examplesDir), 'utf8'), file);
    if (refused[file] !== undefined) {
      expect(r.refused).toMatch(refused[file]!);
      return;
    }
    expect(r.refused).toBeUndefined();
    expect(r.issues).toEqual([]);
  });
});
