/**
 * `hpo doctor`'s checks of Katib's own configuration, for `hpo submit`: the `katib-config` ConfigMap (in Katib's
 * namespace, `kubeflow` by default) must map the experiment's algorithm (and early-stopping algorithm) to a
 * suggestion image, list the trial's kind in `init.controller.trialResources`, and give its metrics collector kind
 * an image — otherwise Katib's webhook refuses the Experiment ("failed to find suggestion config for algorithm …",
 * "GetMetricsCollectorConfigData failed") or its controller never watches the trial jobs. Both layouts are read:
 * `katib-config.yaml` (KatibConfig, Katib ≥ 0.16) and the older JSON keys `suggestion`, `early-stopping` and
 * `metrics-collector-sidecar` (whose trial kinds were controller flags, so that check is skipped there).
 */
import { parse as parseYaml } from 'yaml';
import type { ExperimentManifest } from '../../spec/types.ts';
import { apiFailure } from './apiError.ts';
import type { DoctorCheck, DoctorContext } from './doctor.ts';
import { type SuggestionVolumeConfig, suggestionVolumeFindings, suggestionVolumeOf } from './doctorKatibVolume.ts';

/** Katib's configuration as far as doctor reads it. */
export interface KatibRuntimeConfig {
  /** algorithmName → image. */
  readonly suggestions: ReadonlyMap<string, string>;
  readonly earlyStoppings: ReadonlyMap<string, string>;
  /** collector kind → image. */
  readonly metricsCollectors: ReadonlyMap<string, string>;
  /** `Kind.version.group` entries; undefined in the older layout, where they were controller flags. */
  readonly trialResources: readonly string[] | undefined;
  /** algorithmName → its suggestion volume settings (`persistentVolumeClaimSpec`, `volumeMountPath`). */
  readonly suggestionVolumes?: ReadonlyMap<string, SuggestionVolumeConfig>;
}

const configMapName = 'katib-config';
/** Collector kinds Katib runs as a sidecar from the config's image (Push needs none, Custom brings its own). */
const sidecarKinds = new Set(['StdOut', 'File', 'TensorFlowEvent', 'PrometheusMetric']);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function listMap(list: unknown, key: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!Array.isArray(list)) return out;
  for (const e of list) {
    if (isObj(e) && typeof e[key] === 'string') out.set(e[key], typeof e.image === 'string' ? e.image : '');
  }
  return out;
}

function volumeMap(list: unknown): Map<string, SuggestionVolumeConfig> {
  const out = new Map<string, SuggestionVolumeConfig>();
  if (!Array.isArray(list)) return out;
  for (const e of list)
    if (isObj(e) && typeof e.algorithmName === 'string') out.set(e.algorithmName, suggestionVolumeOf(e));
  return out;
}

function jsonMap(text: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const parsed: unknown = text === undefined ? undefined : JSON.parse(text);
  if (!isObj(parsed)) return out;
  for (const [k, v] of Object.entries(parsed)) out.set(k, isObj(v) && typeof v.image === 'string' ? v.image : '');
  return out;
}

function jsonVolumes(text: string | undefined): Map<string, SuggestionVolumeConfig> {
  const parsed: unknown = text === undefined ? undefined : JSON.parse(text);
  const out = new Map<string, SuggestionVolumeConfig>();
  if (isObj(parsed)) for (const [k, v] of Object.entries(parsed)) out.set(k, suggestionVolumeOf(v));
  return out;
}

/** Reads the ConfigMap's data in either layout; throws (with the reason) on text that does not parse. */
export function parseKatibConfig(data: Readonly<Record<string, string>>): KatibRuntimeConfig {
  const text = data['katib-config.yaml'];
  if (text !== undefined) {
    const doc: unknown = parseYaml(text);
    const runtime = isObj(doc) && isObj(doc.runtime) ? doc.runtime : {};
    const init = isObj(doc) && isObj(doc.init) && isObj(doc.init.controller) ? doc.init.controller : {};
    const resources = Array.isArray(init.trialResources) ? init.trialResources.map(String) : [];
    return {
      suggestions: listMap(runtime.suggestions, 'algorithmName'),
      earlyStoppings: listMap(runtime.earlyStoppings, 'algorithmName'),
      metricsCollectors: listMap(runtime.metricsCollectors, 'kind'),
      suggestionVolumes: volumeMap(runtime.suggestions),
      // Katib's controller defaults to batch Jobs alone when the list is empty.
      trialResources: resources.length > 0 ? resources : ['Job.v1.batch'],
    };
  }
  return {
    suggestions: jsonMap(data.suggestion),
    earlyStoppings: jsonMap(data['early-stopping']),
    metricsCollectors: jsonMap(data['metrics-collector-sidecar']),
    trialResources: undefined,
    suggestionVolumes: jsonVolumes(data.suggestion),
  };
}

/** `Kind.version.group`, as `trialResources` names a kind (`Job.v1.batch`, `PyTorchJob.v1.kubeflow.org`). */
export function trialResourceName(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? `${kind}.${apiVersion}` : `${kind}.${apiVersion.slice(slash + 1)}.${apiVersion.slice(0, slash)}`;
}

/** The checks of a parsed config against the experiment (pure: the tests drive it with tables too). */
export function katibConfigFindings(
  config: KatibRuntimeConfig,
  experiment: {
    readonly algorithm: string;
    readonly earlyStopping?: string;
    readonly collector: string;
    readonly trial?: { readonly apiVersion: string; readonly kind: string };
  },
  katibNamespace: string,
): DoctorCheck[] {
  const where = `${katibNamespace}/${configMapName}`;
  const restart = `then restart Katib's controller (kubectl rollout restart deployment/katib-controller -n ${katibNamespace})`;
  const imageCheck = (
    what: string,
    field: string,
    key: string,
    name: string,
    map: ReadonlyMap<string, string>,
  ): DoctorCheck => {
    const image = map.get(name);
    if (image !== undefined && image !== '') {
      return { check: 'katib', status: 'pass', message: `${where} maps ${what} ${name} to ${image}` };
    }
    const known = [...map.keys()].join(', ') || 'none';
    return {
      check: 'katib',
      status: 'fail',
      message: `${where} has ${image === undefined ? 'no' : 'an empty'} image for ${what} ${name} (it has: ${known}); Katib refuses the Experiment`,
      fix: `add '- {${key}: ${name}, image: IMAGE}' under ${field} in ${where} (for an algorithm only hpo-workbench has, the image running 'hpo suggestion-server'), ${restart}`,
    };
  };
  const out = [
    imageCheck('algorithm', 'runtime.suggestions', 'algorithmName', experiment.algorithm, config.suggestions),
  ];
  if (experiment.earlyStopping !== undefined) {
    out.push(
      imageCheck(
        'early-stopping algorithm',
        'runtime.earlyStoppings',
        'algorithmName',
        experiment.earlyStopping,
        config.earlyStoppings,
      ),
    );
  }
  if (sidecarKinds.has(experiment.collector)) {
    out.push(
      imageCheck(
        'metrics collector',
        'runtime.metricsCollectors',
        'kind',
        experiment.collector,
        config.metricsCollectors,
      ),
    );
  }
  const trial = experiment.trial;
  if (trial !== undefined && config.trialResources !== undefined) {
    const name = trialResourceName(trial.apiVersion, trial.kind);
    out.push(
      config.trialResources.includes(name)
        ? { check: 'katib', status: 'pass', message: `${where} lets the controller watch ${name} trials` }
        : {
            check: 'katib',
            status: 'fail',
            message: `${where} does not list ${name} in init.controller.trialResources (${config.trialResources.join(', ')}): Katib's controller would not watch the trial jobs`,
            fix: `add '- ${name}' under init.controller.trialResources in ${where}, ${restart}`,
          },
    );
  }
  return out;
}

/**
 * Reads `katib-config` and checks it against the experiment, then the suggestion volume PBT's
 * `suggestion_trial_dir` needs (doctorKatibVolume.ts: its resumePolicy is checked even when the config cannot be
 * read); for `hpo submit` only.
 */
export async function katibConfigChecks(ctx: DoctorContext, katibNamespace: string): Promise<DoctorCheck[]> {
  const m = ctx.manifest;
  if (ctx.purpose === 'run' || m === undefined) return [];
  const { checks, config } = await readAndCheck(ctx, m, katibNamespace);
  const volume = config?.suggestionVolumes?.get(m.spec.algorithm?.algorithmName ?? '');
  return [...checks, ...suggestionVolumeFindings(m, volume, `${katibNamespace}/${configMapName}`)];
}

/** The config checks proper, and the parsed config when there is one. */
async function readAndCheck(
  ctx: DoctorContext,
  m: ExperimentManifest,
  katibNamespace: string,
): Promise<{ checks: DoctorCheck[]; config?: KatibRuntimeConfig }> {
  const where = `${katibNamespace}/${configMapName}`;
  let data: Record<string, string>;
  try {
    const cm = await ctx.clients.core.readNamespacedConfigMap({ name: configMapName, namespace: katibNamespace });
    data = cm.data ?? {};
  } catch (err) {
    const f = apiFailure(err);
    if (f.status === 404) {
      return {
        checks: [
          {
            check: 'katib',
            status: 'fail',
            message: `no ConfigMap ${where}: Katib is not installed there`,
            fix: `install Katib (its manifests create ${where}), or pass --katib-namespace where it runs`,
          },
        ],
      };
    }
    return {
      checks: [
        {
          check: 'katib',
          status: 'skip',
          message: `cannot read ${where} (${f.status ?? 'network error'}: ${f.message})`.slice(0, 300),
        },
      ],
    };
  }
  let config: KatibRuntimeConfig;
  try {
    config = parseKatibConfig(data);
  } catch (err) {
    return {
      checks: [
        {
          check: 'katib',
          status: 'fail',
          message: `${where} does not parse: ${(err as Error).message}`.slice(0, 300),
          fix: `kubectl edit configmap ${configMapName} -n ${katibNamespace}`,
        },
      ],
    };
  }
  const trial = m.spec.trialTemplate?.trialSpec;
  const checks = katibConfigFindings(
    config,
    {
      algorithm: m.spec.algorithm?.algorithmName ?? '',
      ...(m.spec.earlyStopping?.algorithmName === undefined
        ? {}
        : { earlyStopping: m.spec.earlyStopping.algorithmName }),
      collector: m.spec.metricsCollectorSpec?.collector?.kind ?? 'StdOut',
      ...(trial === undefined
        ? {}
        : { trial: { apiVersion: String(trial.apiVersion ?? ''), kind: String(trial.kind ?? '') } }),
    },
    katibNamespace,
  );
  return { checks, config };
}
