import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { WorkbenchError } from '../src/common/errors.ts';
import type { BuildManifestOptions } from '../src/spec/create.ts';
import { search } from '../src/spec/create.ts';
import { openStore } from '../src/store/open.ts';
import type { Store } from '../src/store/types.ts';

/** A fresh temporary folder; `cleanup` removes it. */
export function tempDir(prefix = 'hpo-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Gives every test of the file a fresh SQLite store in its own temporary folder (`use` receives it), closed and removed after the test. */
export function freshStorePerTest(use: (store: Store) => void, prefix?: string): void {
  let tmp: ReturnType<typeof tempDir> | undefined;
  let store: Store | undefined;
  beforeEach(() => {
    tmp = tempDir(prefix);
    store = openStore(tmp.dir);
    use(store);
  });
  afterEach(async () => {
    await store?.close();
    tmp?.cleanup();
  });
}

/** URL of the test-only `sequence` algorithm module (x = 0, 1, 2, ...). */
export const sequenceModule: string = new URL('./fixtures/algorithms/sequence.ts', import.meta.url).href;

/** Options for a small in-process experiment over one int parameter `x`, driven by the sequence algorithm. */
export function sequenceExperiment(
  name: string,
  over: Partial<BuildManifestOptions> & { limit?: number } = {},
): BuildManifestOptions {
  const { limit, ...rest } = over;
  return {
    name,
    objective: { type: 'minimize', objectiveMetricName: 'loss' },
    algorithm: {
      algorithmName: 'sequence',
      algorithmSettings: { module: sequenceModule, ...(limit === undefined ? {} : { limit: String(limit) }) },
    },
    parameters: [search.int('x', 0, 1000)],
    maxTrialCount: 5,
    parallelTrialCount: 2,
    ...rest,
  };
}

/** What {@link jobExperimentYaml} varies; everything else is a one-container batch Job over one parameter `x`. */
export interface JobExperimentOptions {
  readonly name: string;
  /** The container's command; `${trialParameters.x}` is the parameter's placeholder. */
  readonly command: readonly string[];
  readonly algorithm?: string;
  /** Algorithm settings as written in YAML flow style; default `random_state: "1"`. */
  readonly settings?: Readonly<Record<string, string>>;
  /** The parameter `x` as a YAML flow mapping; default a double in [0, 1]. */
  readonly parameter?: string;
  readonly maxTrialCount: number;
  readonly parallelTrialCount?: number;
  readonly maxFailedTrialCount?: number;
  /** Extra `spec` fields as YAML, indented by two spaces (e.g. a metricsCollectorSpec). */
  readonly extraSpec?: string;
}

/** A Katib Experiment whose trials run `command` as local processes, as YAML text for the CLI tests. */
export function jobExperimentYaml(o: JobExperimentOptions): string {
  const settings = Object.entries(o.settings ?? { random_state: '1' })
    .map(([name, value]) => `{name: ${name}, value: ${JSON.stringify(value)}}`)
    .join(', ');
  return `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: {name: ${o.name}}
spec:
  objective: {type: minimize, objectiveMetricName: loss}
  algorithm: {algorithmName: ${o.algorithm ?? 'random'}, algorithmSettings: [${settings}]}
  maxTrialCount: ${o.maxTrialCount}
  parallelTrialCount: ${o.parallelTrialCount ?? 1}
${o.maxFailedTrialCount === undefined ? '' : `  maxFailedTrialCount: ${o.maxFailedTrialCount}\n`}${o.extraSpec ?? ''}  parameters:
    - ${o.parameter ?? '{name: x, parameterType: double, feasibleSpace: {min: "0", max: "1"}}'}
  trialTemplate:
    primaryContainerName: main
    trialParameters: [{name: x, reference: x}]
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        template:
          spec:
            containers:
              - {name: main, image: local, command: ${JSON.stringify(o.command)}}
            restartPolicy: Never
`;
}

/** True while `pid` exists and is not a zombie (read from /proc, so a reaped or exited process is gone). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Waits up to `ms` for `pid` to be gone; true when it is. */
export async function waitUntilGone(pid: number, ms = 5000): Promise<boolean> {
  for (let waited = 0; waited < ms && isAlive(pid); waited += 20) await new Promise((r) => setTimeout(r, 20));
  return !isAlive(pid);
}

/** The WorkbenchError `fn` throws; fails the test when it throws nothing, and rethrows any other error. */
export function caught(fn: () => unknown): WorkbenchError {
  try {
    fn();
  } catch (e) {
    if (e instanceof WorkbenchError) return e;
    throw e;
  }
  throw new Error('expected a WorkbenchError');
}

/** The WorkbenchError `promise` rejects with (any other rejection, or none, fails the test). */
export async function rejected(promise: Promise<unknown>): Promise<WorkbenchError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof WorkbenchError) return e;
    throw e;
  }
  throw new Error('expected a WorkbenchError');
}
