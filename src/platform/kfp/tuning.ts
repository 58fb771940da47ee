/**
 * The whole tuning as a Kubeflow Pipelines pipeline (`hpo export NAME --to kfp --with-tuning`): a first step `tune`
 * creates the Katib Experiment in the run's cluster, waits until Katib calls it Succeeded (or fails the step when
 * Katib calls it Failed), and outputs the best trial's value of every parameter (`status.currentOptimalTrial`) as
 * a STRING output parameter of that name; the `retrain` step then runs the trial template's primary container with
 * those values (KFP input placeholders in its command and args) and outputs the model and metrics as the retraining
 * pipeline does. The step runs `kubectl` (image `bitnami/kubectl`, or another with `sh` and `kubectl`), so the
 * pipeline's service account must be allowed to create and get `experiments.kubeflow.org` in the namespace.
 */
import { stringify } from 'yaml';
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import { bakeScheduling } from '../../spec/scheduling.ts';
import type { ExperimentRecord, ExperimentRef, Store } from '../../store/types.ts';
import { kubeletLiteral, retrainContainer } from './container.ts';
import { type RetrainPipeline, retrainPipelineSpec, storedExperiment } from './pipeline.ts';

/** The tuning step's component, executor and task names. */
export const tuningNames = { component: 'comp-tune', executor: 'exec-tune', task: 'tune' } as const;

/** The default image of the tuning step: any image with a POSIX `sh` and `kubectl` works. */
export const defaultTuningImage = 'docker.io/bitnami/kubectl:1.31';

/**
 * What the tuning step runs (`sh -c SCRIPT hpo-tune MANIFEST NAMESPACE NAME POLL [PARAM FILE]...`). The manifest,
 * names and output paths arrive as positional parameters, never as shell source. `kubectl apply` makes a re-run
 * find the Experiment it created before (Katib keeps it), so a retried step waits for the same tuning.
 */
export const tuningScript = `set -eu
manifest=$1 ns=$2 name=$3 poll=$4
shift 4
printf '%s\\n' "$manifest" | kubectl apply -n "$ns" -f -
field() { kubectl get experiments.kubeflow.org "$name" -n "$ns" -o "jsonpath=$1"; }
while :; do
  if [ "$(field '{.status.conditions[?(@.type=="Succeeded")].status}')" = True ]; then break; fi
  if [ "$(field '{.status.conditions[?(@.type=="Failed")].status}')" = True ]; then
    echo "Katib Experiment $ns/$name failed: $(field '{.status.conditions[?(@.type=="Failed")].message}')" >&2
    exit 1
  fi
  sleep "$poll"
done
while [ $# -ge 2 ]; do
  mkdir -p "$(dirname "$2")"
  field "{.status.currentOptimalTrial.parameterAssignments[?(@.name==\\"$1\\")].value}" > "$2"
  shift 2
done
`;

/** Options of {@link tuningPipeline}. */
export interface TuningPipelineOptions {
  /** `sdkVersion` of the IR (default `hpo-workbench`). */
  readonly sdkVersion?: string;
  /** The tuning step's image; default {@link defaultTuningImage}. */
  readonly image?: string;
  /** Seconds between the step's looks at the Experiment's status; default 30. */
  readonly pollSeconds?: number;
}

// A name that goes into a jsonpath filter and a KFP placeholder, both quoted: no quotes, no backslashes.
const safeName = /^[A-Za-z0-9_.-]+$/;

/** The Katib Experiment the step creates: the stored one, with scheduling baked in as `hpo submit` sends it. */
function katibManifest(experiment: ExperimentRecord): Record<string, unknown> {
  const baked = bakeScheduling(experiment.manifest);
  if (baked.issues.length > 0) {
    throw new WorkbenchError(
      ErrorCode.unsupported,
      `experiment '${experiment.name}': ${baked.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    );
  }
  const m = baked.manifest;
  return {
    apiVersion: m.apiVersion,
    kind: m.kind,
    metadata: {
      name: experiment.name,
      namespace: experiment.namespace,
      ...(m.metadata.labels === undefined ? {} : { labels: m.metadata.labels }),
      ...(m.metadata.annotations === undefined ? {} : { annotations: m.metadata.annotations }),
    },
    spec: m.spec,
  };
}

/**
 * The pipeline that tunes `experiment` with Katib, then retrains its best configuration. Throws `unsupported`
 * (exit 2) for what one KFP step cannot run (see `retrainContainer`) and for parameter names that cannot be quoted.
 */
export function tuningPipeline(experiment: ExperimentRecord, options: TuningPipelineOptions = {}): RetrainPipeline {
  const names = (experiment.manifest.spec.parameters ?? []).map((p) => p.name);
  const bad = names.find((n) => !safeName.test(n));
  if (bad !== undefined) {
    throw new WorkbenchError(
      ErrorCode.unsupported,
      `parameter name ${JSON.stringify(bad)} cannot name a KFP parameter handed from the tuning step (letters, digits, '_', '.', '-' only); rename it, or export without --with-tuning`,
    );
  }
  const trial = {
    name: `${experiment.name}-retrain`,
    params: {},
  } as unknown as Parameters<typeof retrainContainer>[1];
  const { container, warnings } = retrainContainer(experiment, trial, { fromInputs: true });
  const parameters = Object.fromEntries(names.map((n) => [n, { parameterType: 'STRING' }]));
  const spec = retrainPipelineSpec(experiment, container, {
    description:
      `Tunes experiment ${experiment.namespace}/${experiment.name} with Katib, then retrains its best trial's configuration`.slice(
        0,
        1024,
      ),
    inputs: { parameters },
    taskInputs: {
      parameters: Object.fromEntries(
        names.map((n) => [n, { taskOutputParameter: { outputParameterKey: n, producerTask: tuningNames.task } }]),
      ),
    },
    ...(options.sdkVersion === undefined ? {} : { sdkVersion: options.sdkVersion }),
  });
  const { component, executor, task } = tuningNames;
  const s = spec as {
    components: Record<string, unknown>;
    deploymentSpec: { executors: Record<string, unknown> };
    root: { dag: { tasks: Record<string, unknown> } };
  };
  s.components[component] = { executorLabel: executor, outputDefinitions: { parameters } };
  const manifest = stringify(katibManifest(experiment), { lineWidth: 0 });
  // KFP's launcher would read `{{$` in the manifest as a placeholder of its own, and has no escape for it.
  if (manifest.includes('{{$')) {
    throw new WorkbenchError(
      ErrorCode.unsupported,
      `experiment '${experiment.name}' contains '{{$', which KFP's launcher would read as one of its placeholders in the tuning step's arguments; remove it, or export without --with-tuning`,
    );
  }
  s.deploymentSpec.executors[executor] = {
    container: {
      image: options.image ?? defaultTuningImage,
      // The kubelet expands `$(VAR)` and reduces `$$` in a container's command: every `$` of the script and of the
      // manifest is doubled so that the shell gets them as written (the trial template's `$(HPO_…)` included).
      command: [
        'sh',
        '-c',
        kubeletLiteral(tuningScript),
        'hpo-tune',
        kubeletLiteral(manifest),
        experiment.namespace,
        experiment.name,
        String(options.pollSeconds ?? 30),
        ...names.flatMap((n) => [n, `{{$.outputs.parameters['${n}'].output_file}}`]),
      ],
    },
  };
  // Caching off: a tuning asked for runs (or finds its Experiment), it does not reuse an earlier run's outputs.
  s.root.dag.tasks[task] = {
    cachingOptions: { enableCache: false },
    componentRef: { name: component },
    taskInfo: { name: task },
  };
  return { spec, warnings };
}

/** The tuning pipeline of a stored experiment (no trial needed: the tuning happens in the pipeline). */
export async function readTuningPipeline(
  store: Store,
  experiment: ExperimentRef,
  options: TuningPipelineOptions = {},
): Promise<RetrainPipeline> {
  return tuningPipeline(await storedExperiment(store, experiment), options);
}
