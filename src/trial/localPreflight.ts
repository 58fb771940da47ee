/**
 * Before trials run on this machine: templates that cannot run here at all (Argo Workflows, Tekton
 * PipelineRuns) and commands whose absolute paths come from the container image, which is not pulled. Found
 * once, before the first trial, instead of failing every trial with the interpreter's "can't open file".
 */
import { existsSync } from 'node:fs';
import { basename, isAbsolute } from 'node:path';
import type { Issue } from '../common/issue.ts';
import { findContainers } from '../spec/containers.ts';
import type { ExperimentManifest } from '../spec/types.ts';

/** Workflow engines whose trial templates only a cluster can run. */
const clusterOnly: Readonly<Record<string, string>> = {
  'argoproj.io/Workflow': 'an Argo Workflow',
  'tekton.dev/PipelineRun': 'a Tekton PipelineRun',
};

/** Programs whose first operand is a script file to run. */
const interpreter = /^(python[\d.]*|pypy[\d.]*|node|nodejs|bash|sh|dash|zsh|ksh|ruby|perl|Rscript|julia|torchrun)$/;

/** The script an interpreter command runs (`python3 /opt/x.py --lr 1` → `/opt/x.py`), if it names one. */
function scriptOperand(argv: readonly string[]): { value: string; index: number } | undefined {
  const program = argv[0];
  if (program === undefined || !interpreter.test(basename(program))) return undefined;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    // `-c`/`-e`/`-m` run inline code or a module: no script file.
    if (/^-[a-zA-Z]*[cem]$/.test(a) || a === '--eval' || a === '--module') return undefined;
    if (a.startsWith('-')) continue;
    return { value: a, index: i };
  }
  return undefined;
}

/** An absolute path that is literal (no `$(VAR)` or `${trialParameters.…}` left to substitute) and missing here. */
function missingLiteralPath(p: string): boolean {
  return isAbsolute(p) && !p.includes('$(') && !p.includes('${') && !existsSync(p);
}

/**
 * Problems that keep every trial of `manifest` from running as local processes; empty when it can run here.
 * Paths are those of `spec.trialTemplate.trialSpec`.
 */
export function localRunProblems(manifest: ExperimentManifest): Issue[] {
  const tt = manifest.spec.trialTemplate;
  const trialSpec = tt?.trialSpec;
  if (!trialSpec) return [];
  const base = 'spec.trialTemplate.trialSpec';
  const engine = clusterOnly[`${String(trialSpec.apiVersion ?? '').split('/')[0]}/${String(trialSpec.kind ?? '')}`];
  if (engine !== undefined) {
    return [
      {
        path: `${base}.kind`,
        message: `${engine} runs only in a cluster with that engine installed, not as local processes`,
        fix: 'submit the Experiment to Katib with `hpo submit FILE`, or write the trial as a batch Job or a Kubeflow training job to run it here',
      },
    ];
  }
  const issues: Issue[] = [];
  for (const { path, container } of findContainers(trialSpec)) {
    const command = Array.isArray(container.command) ? container.command.map(String) : [];
    const args = Array.isArray(container.args) ? container.args.map(String) : [];
    const argv = [...command, ...args];
    const image = typeof container.image === 'string' ? ` from the image '${container.image}'` : '';
    const where = (i: number): string =>
      i < command.length ? `${base}.${path}.command[${i}]` : `${base}.${path}.args[${i - command.length}]`;
    const fix =
      'run it in a cluster (`hpo run FILE --backend kubernetes`), or point the command at a program on this machine (a script next to the YAML is `$(HPO_EXPERIMENT_DIR)/train.py`)';
    if (argv[0] !== undefined && missingLiteralPath(argv[0])) {
      issues.push({
        path: where(0),
        message: `'${argv[0]}' does not exist on this machine; it comes${image || ' from the image'}, which is not pulled when trials run locally`,
        fix,
      });
      continue;
    }
    const script = scriptOperand(argv);
    if (script !== undefined && missingLiteralPath(script.value)) {
      issues.push({
        path: where(script.index),
        message: `the script '${script.value}' does not exist on this machine; it comes${image || ' from the image'}, which is not pulled when trials run locally`,
        fix,
      });
    }
  }
  return issues;
}
