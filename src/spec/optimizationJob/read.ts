/**
 * Reads a Trainer OptimizationJob as a Katib Experiment, so it goes through the same `parseExperiment` path
 * (defaults, webhook rules, the one engine) as any Experiment. Called by `loadExperiments` for every
 * `kind: OptimizationJob` document. Every field is checked against the CRD's shape here, with its path, because
 * the Experiment validator would report problems at Katib paths the user never wrote.
 */
import type { Issue } from '../../common/issue.ts';
import { at, isRecord, type Obj, show } from '../read.ts';
import type { ExperimentManifest, ParameterSpec, TrialParameterSpec } from '../types.ts';
import { optEnvName, optimizationJobApiVersion } from './types.ts';

/** The result of reading one OptimizationJob: the Experiment it means, or why it cannot be read. */
export type OptimizationJobReading = { ok: true; experiment: ExperimentManifest } | { ok: false; issues: Issue[] };

// The CRD's Double: a decimal or exponent number written as a string (no leading `+`, `.5` or `1.`).
const doubleText = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

function unknownKeys(v: Obj, allowed: readonly string[], path: string, issues: Issue[]): void {
  for (const k of Object.keys(v)) {
    if (allowed.includes(k)) continue;
    issues.push({
      path: at(path, k),
      message: `OptimizationJob has no field ${JSON.stringify(k)} here (the API server would prune it).`,
      fix: `Use one of: ${allowed.join(', ')}.`,
    });
  }
}

function need(v: unknown, path: string, issues: Issue[], what: string): Obj | undefined {
  if (isRecord(v)) return v;
  issues.push({ path, message: `${what} must be a mapping, got ${show(v)}.` });
  return undefined;
}

function doubleOf(v: unknown, path: string, issues: Issue[]): string | undefined {
  // YAML users write `min: 0.1` bare; the CRD wants a string, so accept a number and write it as one.
  const s = typeof v === 'number' && Number.isFinite(v) ? String(v) : v;
  if (typeof s === 'string' && doubleText.test(s)) return s;
  issues.push({ path, message: `must be a number written as a string (e.g. "0.01"), got ${show(v)}.` });
  return undefined;
}

function readRange(space: Obj, key: 'uniform' | 'logUniform', path: string, issues: Issue[]) {
  const r = need(space[key], at(path, key), issues, key);
  if (!r) return undefined;
  unknownKeys(r, ['min', 'max', 'type'], at(path, key), issues);
  const min = doubleOf(r.min, at(at(path, key), 'min'), issues);
  const max = doubleOf(r.max, at(at(path, key), 'max'), issues);
  const type = r.type ?? 'Float';
  if (type !== 'Int' && type !== 'Float')
    issues.push({ path: at(at(path, key), 'type'), message: `must be Int or Float, got ${show(r.type)}.` });
  if (min === undefined || max === undefined) return undefined;
  // The CRD's CEL rules (not checked by schema validators): min < max, and min > 0 for logUniform.
  if (Number(min) >= Number(max))
    issues.push({ path: at(at(path, key), 'min'), message: `min (${min}) must be strictly less than max (${max}).` });
  if (key === 'logUniform' && Number(min) <= 0)
    issues.push({ path: at(at(path, key), 'min'), message: `a logUniform min must be > 0, got ${min}.` });
  return { min, max, int: type === 'Int' };
}

function readParameter(p: unknown, path: string, grid: boolean, issues: Issue[]): ParameterSpec | undefined {
  const param = need(p, path, issues, 'a parameter');
  if (!param) return undefined;
  unknownKeys(param, ['name', 'searchSpace'], path, issues);
  const name = typeof param.name === 'string' && param.name !== '' && param.name.length <= 64 ? param.name : undefined;
  if (!name)
    issues.push({
      path: at(path, 'name'),
      message: `a parameter needs a name of 1–64 characters, got ${show(param.name)}.`,
    });
  const spacePath = at(path, 'searchSpace');
  const space = need(param.searchSpace, spacePath, issues, 'searchSpace');
  if (!space || !name) return undefined;
  unknownKeys(space, ['uniform', 'logUniform', 'categorical'], spacePath, issues);
  const kinds = ['uniform', 'logUniform', 'categorical'].filter((k) => space[k] !== undefined);
  if (kinds.length !== 1) {
    issues.push({
      path: spacePath,
      message: `must have exactly one of uniform, logUniform, categorical (found ${kinds.length === 0 ? 'none' : kinds.join(', ')}).`,
    });
    return undefined;
  }
  if (kinds[0] === 'categorical') {
    const c = need(space.categorical, at(spacePath, 'categorical'), issues, 'categorical');
    if (!c) return undefined;
    unknownKeys(c, ['choices'], at(spacePath, 'categorical'), issues);
    const choices = c.choices;
    if (!Array.isArray(choices) || choices.length === 0 || choices.some((x) => typeof x !== 'string')) {
      issues.push({
        path: at(at(spacePath, 'categorical'), 'choices'),
        message: `must be a non-empty list of strings (quote numbers: ["16", "32"]), got ${show(choices)}.`,
      });
      return undefined;
    }
    // The CRD's limits (a set of at most 100 strings of at most 64 characters), which `hpo run` must not exceed either.
    const list = choices as string[];
    if (list.length > 100 || list.some((c) => c.length > 64) || new Set(list).size !== list.length) {
      issues.push({
        path: at(at(spacePath, 'categorical'), 'choices'),
        message: 'must hold at most 100 different strings of at most 64 characters each.',
      });
      return undefined;
    }
    return { name, parameterType: 'categorical', feasibleSpace: { list } };
  }
  if (grid) {
    issues.push({
      path: spacePath,
      message: 'grid search requires every parameter to be categorical (the CRD rejects uniform and logUniform).',
      fix: 'List the grid values as categorical choices, or use searchAlgorithm: {random: {}}.',
    });
  }
  const key = kinds[0] as 'uniform' | 'logUniform';
  const r = readRange(space, key, spacePath, issues);
  if (!r) return undefined;
  return {
    name,
    parameterType: r.int ? 'int' : 'double',
    feasibleSpace: { min: r.min, max: r.max, distribution: key === 'logUniform' ? 'logUniform' : 'uniform' },
  };
}

function readCount(v: unknown, path: string, issues: Issue[]): number | undefined {
  if (v === undefined) return 1; // the CRD's default for numTrials and parallelTrials
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 100) return v;
  issues.push({ path, message: `must be an integer from 1 to 100, got ${show(v)}.` });
  return undefined;
}

function readAlgorithm(v: unknown, path: string, issues: Issue[]): { grid: boolean; seed?: number } {
  if (v === undefined) return { grid: false }; // the CRD defaults to {random: {}}
  const alg = need(v, path, issues, 'searchAlgorithm');
  if (!alg) return { grid: false };
  unknownKeys(alg, ['random', 'grid'], path, issues);
  const set = ['random', 'grid'].filter((k) => alg[k] !== undefined);
  if (set.length !== 1) {
    issues.push({ path, message: `must have exactly one of random, grid (found ${set.join(', ') || 'none'}).` });
    return { grid: false };
  }
  if (set[0] === 'grid') {
    const g = need(alg.grid, at(path, 'grid'), issues, 'grid');
    if (g) unknownKeys(g, [], at(path, 'grid'), issues);
    return { grid: true };
  }
  const r = need(alg.random, at(path, 'random'), issues, 'random');
  if (!r) return { grid: false };
  unknownKeys(r, ['seed'], at(path, 'random'), issues);
  if (r.seed === undefined) return { grid: false };
  // Katib's random_state (our seed setting) must be an int ≥ 0; the CRD's int64 allows negatives we cannot honour.
  if (typeof r.seed !== 'number' || !Number.isSafeInteger(r.seed) || r.seed < 0) {
    issues.push({ path: at(at(path, 'random'), 'seed'), message: `must be an integer ≥ 0, got ${show(r.seed)}.` });
    return { grid: false };
  }
  return { grid: false, seed: r.seed };
}

/** Adds `KUBEFLOW_TRAINER_OPT_<NAME>` to the trainer's env, as Trainer's controller would for each trial. */
function withOptEnv(template: Obj, trialParameters: readonly TrialParameterSpec[]): Obj {
  const out = structuredClone(template);
  const spec = isRecord(out.spec) ? out.spec : {};
  const trainer = isRecord(spec.trainer) ? spec.trainer : {};
  const env = Array.isArray(trainer.env) ? trainer.env : [];
  trainer.env = [
    ...env,
    ...trialParameters.map((t) => ({ name: optEnvName(t.name), value: `\${trialParameters.${t.name}}` })),
  ];
  spec.trainer = trainer;
  out.spec = spec;
  return out;
}

/**
 * The Katib Experiment an OptimizationJob means: objectives → objective, searchAlgorithm → algorithm (seed →
 * `random_state`), parameters → parameters, numTrials/parallelTrials → maxTrialCount/parallelTrialCount, and
 * trainJobTemplate → a TrainJob trial template whose trainer gets `KUBEFLOW_TRAINER_OPT_<NAME>` variables.
 * `source` prefixes nothing; paths are the OptimizationJob's own (`spec.parameters[0].searchSpace`).
 */
export function readOptimizationJob(doc: Obj): OptimizationJobReading {
  const issues: Issue[] = [];
  unknownKeys(doc, ['apiVersion', 'kind', 'metadata', 'spec', 'status'], '', issues);
  if (doc.apiVersion !== optimizationJobApiVersion) {
    issues.push({
      path: 'apiVersion',
      message: `an OptimizationJob is ${optimizationJobApiVersion}, got ${show(doc.apiVersion)}.`,
      fix: `Write apiVersion: ${optimizationJobApiVersion}.`,
    });
  }
  const meta = need(doc.metadata, 'metadata', issues, 'metadata');
  const spec = need(doc.spec, 'spec', issues, 'spec');
  if (!meta || !spec) return { ok: false, issues };
  unknownKeys(
    spec,
    ['objectives', 'searchAlgorithm', 'parameters', 'numTrials', 'parallelTrials', 'trainJobTemplate'],
    'spec',
    issues,
  );
  const objectives = spec.objectives;
  let objective: ExperimentManifest['spec']['objective'];
  if (!Array.isArray(objectives) || objectives.length !== 1) {
    issues.push({
      path: 'spec.objectives',
      message: `must list exactly one objective (the CRD allows one), got ${Array.isArray(objectives) ? objectives.length : show(objectives)}.`,
      fix: 'Write objectives: [{metric: loss, direction: Minimize}].',
    });
  } else {
    const o = need(objectives[0], 'spec.objectives[0]', issues, 'an objective');
    if (o) {
      unknownKeys(o, ['metric', 'direction'], 'spec.objectives[0]', issues);
      const direction = o.direction ?? 'Minimize';
      if (direction !== 'Minimize' && direction !== 'Maximize') {
        issues.push({
          path: 'spec.objectives[0].direction',
          message: `must be Minimize or Maximize (capitalised, as the CRD's enum), got ${show(o.direction)}.`,
        });
      }
      if (typeof o.metric !== 'string' || o.metric === '' || o.metric.length > 64)
        issues.push({
          path: 'spec.objectives[0].metric',
          message: `must be a metric name of 1–64 characters, got ${show(o.metric)}.`,
        });
      else objective = { type: direction === 'Maximize' ? 'maximize' : 'minimize', objectiveMetricName: o.metric };
    }
  }
  const alg = readAlgorithm(spec.searchAlgorithm, 'spec.searchAlgorithm', issues);
  const parameters: ParameterSpec[] = [];
  if (!Array.isArray(spec.parameters) || spec.parameters.length === 0) {
    issues.push({ path: 'spec.parameters', message: `must list 1 to 100 parameters, got ${show(spec.parameters)}.` });
  } else {
    const envNames = new Map<string, string>();
    spec.parameters.forEach((p, i) => {
      const read = readParameter(p, `spec.parameters[${i}]`, alg.grid, issues);
      if (!read) return;
      // Trials tell parameters apart only by their variable: `a-b` and `a_b` would both be KUBEFLOW_TRAINER_OPT_A_B.
      const env = optEnvName(read.name);
      const other = envNames.get(env);
      if (other !== undefined) {
        issues.push({
          path: `spec.parameters[${i}].name`,
          message: `${show(read.name)} reaches the trial as ${env}, as ${show(other)} does${other === read.name ? ' (a parameter is listed twice)' : ''}.`,
          fix: 'Rename one of them.',
        });
        return;
      }
      envNames.set(env, read.name);
      parameters.push(read);
    });
  }
  const numTrials = readCount(spec.numTrials, 'spec.numTrials', issues);
  const parallelTrials = readCount(spec.parallelTrials, 'spec.parallelTrials', issues);
  if (numTrials !== undefined && parallelTrials !== undefined && parallelTrials > numTrials) {
    issues.push({
      path: 'spec.parallelTrials',
      message: `parallelTrials (${parallelTrials}) cannot exceed numTrials (${numTrials}).`,
    });
  }
  const tpl = need(spec.trainJobTemplate, 'spec.trainJobTemplate', issues, 'trainJobTemplate');
  if (tpl) {
    unknownKeys(tpl, ['metadata', 'spec'], 'spec.trainJobTemplate', issues);
    need(tpl.spec, 'spec.trainJobTemplate.spec', issues, 'trainJobTemplate.spec');
    if (isRecord(tpl.metadata) && (tpl.metadata.name !== undefined || tpl.metadata.namespace !== undefined)) {
      issues.push({
        path: 'spec.trainJobTemplate.metadata',
        message: 'name and namespace cannot be set in a template (each trial gets its own).',
      });
    }
  }
  if (issues.length > 0 || !objective || !tpl) return { ok: false, issues };
  const trialParameters = parameters.map((p) => ({ name: p.name, reference: p.name }));
  const trialSpec = withOptEnv(
    {
      apiVersion: optimizationJobApiVersion,
      kind: 'TrainJob',
      ...(tpl.metadata ? { metadata: tpl.metadata } : {}),
      spec: tpl.spec,
    },
    trialParameters,
  );
  const experiment: ExperimentManifest = {
    apiVersion: 'kubeflow.org/v1beta1',
    kind: 'Experiment',
    metadata: structuredClone(meta) as ExperimentManifest['metadata'],
    spec: {
      objective,
      algorithm: {
        algorithmName: alg.grid ? 'grid' : 'random',
        ...(alg.seed !== undefined ? { algorithmSettings: [{ name: 'random_state', value: String(alg.seed) }] } : {}),
      },
      parameters,
      maxTrialCount: numTrials as number,
      parallelTrialCount: parallelTrials as number,
      // Trainer's controller counts every trial toward numTrials, failed or not, and has no failure budget.
      trialTemplate: { primaryContainerName: 'node', trialParameters, trialSpec },
    },
  };
  return { ok: true, experiment };
}
