/**
 * The retraining container of a KFP pipeline: the winner's primary container (image, command, args, env,
 * resources) rendered with the winning values, in KFP's `PipelineContainerSpec` shape. Every refusal is an
 * `unsupported` error (exit 2) that says why the template cannot run as one KFP step and what to do instead.
 */
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import type { Assignment } from '../../search/space.ts';
import { findPrimaryContainer, trialKindInfo } from '../../spec/containers.ts';
import { isRecord } from '../../spec/read.ts';
import { renderTrialSpec } from '../../spec/template.ts';
import type { ExperimentRecord, TrialRecord } from '../../store/types.ts';
import { containerGpuRequests } from '../../training/local/gpu.ts';

/** KFP's `PipelineContainerSpec.ResourceSpec` with the fields we fill (all strings, as KFP 2.x wants them). */
export interface KfpResources {
  resourceCpuLimit?: string;
  resourceCpuRequest?: string;
  resourceMemoryLimit?: string;
  resourceMemoryRequest?: string;
  accelerator?: { resourceType: string; resourceCount: string };
}

/** KFP's `PipelineContainerSpec` as we emit it. */
export interface KfpContainer {
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value: string }[];
  resources?: KfpResources;
}

/** The winner's container and what the export could not carry over (printed on stderr by the CLI). */
export interface RetrainContainer {
  readonly container: KfpContainer;
  readonly warnings: readonly string[];
}

function refuse(message: string): never {
  throw new WorkbenchError(ErrorCode.unsupported, message);
}

/**
 * A marker for a categorical value while the template is rendered: it lets us find where values landed, to
 * escape them for the kubelet afterwards. Numbers are rendered as they are (their text holds no `$` or `{{`).
 */
function marker(i: number): string {
  return `hpoKfpValue${i}x7f3a`;
}

/** The kubelet expands `$(VAR)` in command, args and env values; `$$` is its escape for a literal `$`. */
export function kubeletLiteral(value: string): string {
  // A function replacement: in a replacement string `$$` itself means one `$`.
  return value.replaceAll('$', () => '$$');
}

function checkValue(name: string, value: string): void {
  // KFP's launcher replaces `{{$…}}` placeholders in command and args, and has no escape for them.
  if (value.includes('{{$')) {
    refuse(
      `the winning value of parameter '${name}' contains '{{$', which KFP's launcher would read as one of its placeholders (KFP has no escape for it); the value cannot be handed to a KFP step as data`,
    );
  }
}

/**
 * Renders the template with markers for text values (for every parameter with `fromInputs`); returns the rendered
 * job and marker → what replaces it: the value escaped for the kubelet, or the KFP input placeholder.
 */
function renderMarked(
  experiment: ExperimentRecord,
  trial: TrialRecord,
  fromInputs: boolean,
): { job: Record<string, unknown>; values: Map<string, string> } {
  const tt = experiment.manifest.spec.trialTemplate!;
  const values = new Map<string, string>();
  const assignment: Record<string, string | number> = {};
  let i = 0;
  const params = fromInputs
    ? Object.fromEntries((experiment.manifest.spec.parameters ?? []).map((p) => [p.name, kfpInputPlaceholder(p.name)]))
    : (trial.params as Assignment);
  for (const [name, v] of Object.entries(params)) {
    if (typeof v === 'number') {
      assignment[name] = v;
      continue;
    }
    if (!fromInputs) checkValue(name, v);
    const m = marker(i++);
    values.set(m, fromInputs ? v : kubeletLiteral(v));
    assignment[name] = m;
  }
  const job = renderTrialSpec({
    template: tt.trialSpec!,
    trialParameters: tt.trialParameters ?? [],
    assignment,
    trialName: trial.name,
    namespace: experiment.namespace,
  });
  return { job, values };
}

function unmark(text: string, values: ReadonlyMap<string, string>): string {
  let out = text;
  for (const [m, v] of values) out = out.replaceAll(m, () => v);
  return out;
}

/** The KFP placeholder of an input parameter, which KFP's launcher replaces in command and args at run time. */
export function kfpInputPlaceholder(name: string): string {
  return `{{$.inputs.parameters['${name}']}}`;
}

function strings(v: unknown, path: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) refuse(`${path} is not a list of strings`);
  return v as string[];
}

function quantity(v: unknown): string | undefined {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

/** cpu and memory to KFP's string fields, GPUs to its accelerator; anything else is a warning. */
function resources(container: Record<string, unknown>, warnings: string[]): KfpResources | undefined {
  const r = (container.resources ?? container.resourcesPerNode) as { limits?: unknown; requests?: unknown } | undefined;
  if (!isRecord(r)) return undefined;
  const out: KfpResources = {};
  const limits = isRecord(r.limits) ? r.limits : {};
  const requests = isRecord(r.requests) ? r.requests : {};
  const set = (key: keyof Omit<KfpResources, 'accelerator'>, v: unknown): void => {
    const q = quantity(v);
    if (q !== undefined) out[key] = q;
  };
  set('resourceCpuLimit', limits.cpu);
  set('resourceMemoryLimit', limits.memory);
  set('resourceCpuRequest', requests.cpu);
  set('resourceMemoryRequest', requests.memory);
  const gpus = containerGpuRequests(container);
  if (gpus.length > 1) {
    refuse(
      `the primary container requests ${gpus.map((g) => `${g.count} ${g.resource}`).join(' and ')}; a KFP container takes one accelerator type`,
    );
  }
  const [gpu] = gpus;
  // KFP on Kubernetes uses resourceType verbatim as the resource name (kubeflow REFERENCE §4).
  if (gpu !== undefined) out.accelerator = { resourceType: gpu.resource, resourceCount: String(gpu.count) };
  const handled = new Set(['cpu', 'memory', ...(gpu ? [gpu.resource] : [])]);
  for (const name of new Set([...Object.keys(limits), ...Object.keys(requests)])) {
    if (!handled.has(name)) warnings.push(`resource '${name}' has no field in KFP's container spec and was left out`);
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

function environment(container: Record<string, unknown>, values: ReadonlyMap<string, string>): KfpContainer['env'] {
  if (container.env === undefined) return undefined;
  if (!Array.isArray(container.env)) refuse('the primary container env is not a list');
  return container.env.map((e, i) => {
    if (!isRecord(e) || typeof e.name !== 'string') refuse(`env[${i}] of the primary container has no name`);
    if (e.valueFrom !== undefined) {
      refuse(
        `env '${e.name}' of the primary container takes its value from ${Object.keys(isRecord(e.valueFrom) ? e.valueFrom : {}).join(', ') || 'valueFrom'}, which KFP's container spec cannot hold; set a plain value in the trial template`,
      );
    }
    const raw = typeof e.value === 'string' ? e.value : String(e.value ?? '');
    const value = unmark(raw, values);
    // KFP replaces its placeholders in command and args only: a tuned value in env would reach the step as written.
    if (value.includes('{{$.inputs.')) {
      refuse(
        e.name.startsWith('HPO_PARAM_')
          ? `the primary container's sh -c script takes parameter ${e.name.slice('HPO_PARAM_'.length)} through its env (${e.name}), which KFP cannot fill in at run time (its placeholders work in command and args only); pass the parameter as an argument of the program instead of inside the script, or export without --with-tuning`
          : `env '${e.name}' of the primary container holds a parameter, which KFP cannot fill in at run time (its placeholders work in command and args only); pass the parameter as an argument, or export without --with-tuning`,
      );
    }
    return { name: e.name, value };
  });
}

/** `$(NAME)` references in command/args that no env entry of the container defines (left as written in a pod). */
function undefinedVariables(words: readonly string[], env: KfpContainer['env']): string[] {
  const defined = new Set((env ?? []).map((e) => e.name));
  const refs = new Set<string>();
  for (const w of words) {
    for (const m of w.matchAll(/(?<!\$)\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) if (!defined.has(m[1]!)) refs.add(m[1]!);
  }
  return [...refs];
}

/**
 * The KFP container that runs the winner's primary container again: its image, command and args rendered with the
 * winning values (each value escaped so the kubelet's `$(VAR)` expansion leaves it as written), its env and
 * resources (`nvidia.com/gpu` or a MIG profile becomes KFP's accelerator). With `fromInputs` every parameter is
 * instead the KFP placeholder of the step's input of that name (`--with-tuning`: the values come from the tuning
 * step). Refuses what one KFP container cannot run: no stored template, a ConfigMap template, several replicas, no
 * command, `valueFrom` env (and, with `fromInputs`, a parameter in env).
 */
export function retrainContainer(
  experiment: ExperimentRecord,
  trial: TrialRecord,
  options: { readonly fromInputs?: boolean } = {},
): RetrainContainer {
  const where = `experiment '${experiment.name}'`;
  const tt = experiment.manifest.spec.trialTemplate;
  if (tt === undefined || (tt.trialSpec === undefined && tt.configMap === undefined)) {
    refuse(
      `${where} has no trial template: its trials were calls in the tuning process (optimize(), ask/tell), so there is no container to retrain outside it`,
    );
  }
  if (tt.trialSpec === undefined) {
    refuse(
      `${where} reads its trial template from ConfigMap ${tt.configMap?.configMapNamespace ?? ''}/${tt.configMap?.configMapName ?? ''}, whose text the store does not keep; inline it as spec.trialTemplate.trialSpec`,
    );
  }
  const info = trialKindInfo(tt.trialSpec);
  if (info.kind === 'Workflow' || info.kind === 'PipelineRun') {
    refuse(
      `${where}: its ${info.kind} template runs as a workflow of several steps, not as one container a KFP step could run`,
    );
  }
  const replicas = Object.values(info.replicas).reduce((a, b) => a + b, 0);
  if (replicas > 1) {
    refuse(
      `${where}: its trials are ${info.kind}s with ${replicas} replicas (${Object.entries(info.replicas)
        .map(([r, n]) => `${r}: ${n}`)
        .join(
          ', ',
        )}), and a KFP container step runs one process; run the job itself (hpo run --backend kubernetes, or the job in a pipeline step of your own)`,
    );
  }
  const { job, values } = renderMarked(experiment, trial, options.fromInputs === true);
  const found = findPrimaryContainer(job, tt.primaryContainerName ?? '');
  if (found === undefined) {
    refuse(
      `${where}: the ${info.kind || 'trial'} template has no container named '${tt.primaryContainerName ?? ''}' (primaryContainerName) that one KFP step could run`,
    );
  }
  const c = found.container;
  if (typeof c.image !== 'string' || c.image === '') refuse(`${where}: the primary container has no image`);
  const command = strings(c.command, `${found.path}.command`)?.map((s) => unmark(s, values));
  const args = strings(c.args, `${found.path}.args`)?.map((s) => unmark(s, values));
  if (command === undefined || command.length === 0) {
    refuse(
      `${where}: the primary container has no command, so the image's entrypoint would run; the pipeline step wraps the command to hand it the model and metrics paths: set command in the trial template`,
    );
  }
  const warnings: string[] = [];
  const env = environment(c, values);
  const res = resources(c, warnings);
  for (const name of undefinedVariables([...command, ...(args ?? [])], env)) {
    warnings.push(
      `the command refers to $(${name}), which no env entry of the container defines: in a KFP pod it stays as written; define it in the template's env or use a path inside the image`,
    );
  }
  const container: KfpContainer = {
    image: c.image,
    command,
    ...(args === undefined ? {} : { args }),
    ...(env === undefined ? {} : { env }),
    ...(res === undefined ? {} : { resources: res }),
  };
  return { container, warnings };
}
