import type { Issue } from '../common/issue.ts';
import { didYouMean } from './didYouMean.ts';
import { knownFields, unknownFields } from './fields.ts';
import { at, isRecord, isUnset, type Obj, show } from './read.ts';
import { checkDerivedMetrics, derivedMetricNames } from './validateExpressions.ts';
import { additionalObjectiveMetrics, checkAdditionalObjectives } from './validateObjectives.ts';
import type { ValidateOptions } from './validateOptions.ts';

const strategies = ['min', 'max', 'latest'];

/** The objective, every additional metric and every additional objective's metric name that is a usable string. */
export function metricNames(objective: unknown): string[] {
  if (!isRecord(objective)) return [];
  const extra = Array.isArray(objective.additionalMetricNames) ? objective.additionalMetricNames : [];
  const names = [objective.objectiveMetricName, ...extra, ...additionalObjectiveMetrics(objective)];
  return [...new Set(names.filter((n): n is string => typeof n === 'string' && n !== ''))];
}

/** Webhook rules 10–13, plus goal, metric-name and metricStrategies checks Katib leaves out. */
export function checkObjective(spec: Obj): Issue[] {
  const path = 'spec.objective';
  const obj = spec.objective;
  if (obj === undefined || obj === null) {
    return [
      {
        path,
        message: 'objective is required (Katib: Required value).',
        fix: 'Add spec.objective with type (minimize|maximize) and objectiveMetricName.',
      },
    ];
  }
  if (!isRecord(obj)) return [{ path, message: `objective must be a mapping, got ${show(obj)}.` }];
  const issues = unknownFields(obj, path, knownFields.objective);
  if (obj.type !== 'minimize' && obj.type !== 'maximize') {
    issues.push({
      path: at(path, 'type'),
      message: `objective type must be minimize or maximize, got ${show(obj.type)}.${typeof obj.type === 'string' ? didYouMean(obj.type, ['minimize', 'maximize']) : ''}`,
      fix: 'Set spec.objective.type to minimize or maximize.',
    });
  }
  const name = obj.objectiveMetricName;
  if (typeof name !== 'string' || name === '') {
    issues.push({
      path: at(path, 'objectiveMetricName'),
      message: 'objectiveMetricName is required (Katib: Required value).',
      fix: 'Name the metric your training prints, e.g. objectiveMetricName: loss.',
    });
  }
  if (obj.goal !== undefined && obj.goal !== null && (typeof obj.goal !== 'number' || !Number.isFinite(obj.goal))) {
    issues.push({
      path: at(path, 'goal'),
      message: `goal must be a finite number, got ${show(obj.goal)}.`,
      fix: 'Write the goal as a number (goal: 0.99) or remove it.',
    });
  }
  issues.push(...checkAdditional(obj, path, name));
  issues.push(...checkAdditionalObjectives(obj, path, name));
  // Derived metrics read only collected ones: the declared metrics that are not themselves derived.
  const derived = new Set(derivedMetricNames(obj));
  issues.push(
    ...checkDerivedMetrics(
      obj,
      path,
      metricNames(obj).filter((n) => !derived.has(n)),
    ),
  );
  issues.push(...checkStrategies(obj, path));
  return issues;
}

function checkAdditional(obj: Obj, path: string, objective: unknown): Issue[] {
  const extra = obj.additionalMetricNames;
  if (isUnset(extra)) return [];
  const p = at(path, 'additionalMetricNames');
  if (!Array.isArray(extra)) return [{ path: p, message: `additionalMetricNames must be a list, got ${show(extra)}.` }];
  const issues: Issue[] = [];
  const seen = new Set<unknown>();
  extra.forEach((n, i) => {
    if (typeof n !== 'string' || n === '') {
      issues.push({ path: at(p, i), message: `metric names must be non-empty strings, got ${show(n)}.` });
    } else if (n === objective) {
      issues.push({
        path: at(p, i),
        message: `additionalMetricNames should not contain spec.objective.objectiveMetricName (${show(n)}).`,
        fix: 'Remove it from additionalMetricNames; the objective metric is always collected.',
      });
    } else if (seen.has(n)) {
      issues.push({ path: at(p, i), message: `metric ${show(n)} is listed twice.`, fix: 'Remove the duplicate.' });
    }
    seen.add(n);
  });
  return issues;
}

function checkStrategies(obj: Obj, path: string): Issue[] {
  const list = obj.metricStrategies;
  if (isUnset(list)) return [];
  const p = at(path, 'metricStrategies');
  if (!Array.isArray(list)) return [{ path: p, message: `metricStrategies must be a list, got ${show(list)}.` }];
  const known = metricNames(obj);
  const issues: Issue[] = [];
  const seen = new Set<unknown>();
  list.forEach((s, i) => {
    const sp = at(p, i);
    if (!isRecord(s)) {
      issues.push({ path: sp, message: `a metric strategy must be {name, value}, got ${show(s)}.` });
      return;
    }
    issues.push(...unknownFields(s, sp, knownFields.metricStrategy));
    if (typeof s.name !== 'string' || !known.includes(s.name)) {
      issues.push({
        path: at(sp, 'name'),
        message: `metric strategy for ${show(s.name)}, which is neither the objective nor an additional metric.${typeof s.name === 'string' ? didYouMean(s.name, known) : ''}`,
        fix: `Use one of: ${known.join(', ') || '(no metrics declared)'}, or add the metric to additionalMetricNames.`,
      });
    } else if (seen.has(s.name)) {
      issues.push({ path: at(sp, 'name'), message: `metric ${show(s.name)} has two strategies.`, fix: 'Keep one.' });
    }
    seen.add(s.name);
    if (typeof s.value !== 'string' || !strategies.includes(s.value)) {
      issues.push({
        path: at(sp, 'value'),
        message: `metric strategy must be min, max or latest, got ${show(s.value)}.`,
        fix: 'min/max use the best value of the metric history, latest the last one reported.',
      });
    }
  });
  return issues;
}

/** Webhook rules 14–15 (algorithm and early-stopping names exist), plus setting-list shape. */
export function checkAlgorithms(spec: Obj, opts: ValidateOptions): Issue[] {
  const issues = checkAlgorithm(
    spec.algorithm,
    'spec.algorithm',
    opts.algorithms,
    'Suggestion',
    opts.knownAlgorithmHint,
  );
  if (spec.earlyStopping !== undefined && spec.earlyStopping !== null) {
    issues.push(...checkAlgorithm(spec.earlyStopping, 'spec.earlyStopping', opts.earlyStopping, 'EarlyStopping'));
  }
  return issues;
}

function checkAlgorithm(
  alg: unknown,
  path: string,
  known: ReadonlySet<string>,
  what: 'Suggestion' | 'EarlyStopping',
  hint?: string,
): Issue[] {
  if (alg === undefined || alg === null) {
    return [
      {
        path,
        message: 'algorithm is required (Katib: Required value).',
        fix: 'Add algorithm: {algorithmName: random}.',
      },
    ];
  }
  if (!isRecord(alg)) return [{ path, message: `must be a mapping, got ${show(alg)}.` }];
  const issues = unknownFields(alg, path, knownFields.algorithm);
  const name = alg.algorithmName;
  const list = [...known].sort().join(', ');
  if (typeof name !== 'string' || name === '') {
    issues.push({
      path: at(path, 'algorithmName'),
      message: 'algorithmName is required (Katib: Required value).',
      fix: `Use one of: ${list}.`,
    });
  } else if (!known.has(name)) {
    issues.push({
      path: at(path, 'algorithmName'),
      message: `unable to get ${what} config data for algorithm ${name}: no ${what === 'Suggestion' ? 'suggestion' : 'early-stopping'} algorithm named ${show(name)} is available.${didYouMean(name, known)}`,
      fix: `Use one of: ${list}.${hint ? ` ${hint}` : ''}`,
    });
  }
  const settings = alg.algorithmSettings;
  if (isUnset(settings)) return issues;
  const sp = at(path, 'algorithmSettings');
  if (!Array.isArray(settings))
    return [...issues, { path: sp, message: `must be a list of {name, value}, got ${show(settings)}.` }];
  const seen = new Set<string>();
  settings.forEach((s, i) => {
    if (!isRecord(s) || typeof s.name !== 'string' || s.name === '' || typeof s.value !== 'string') {
      issues.push({
        path: at(sp, i),
        message: `a setting must be {name: string, value: string}, got ${show(s)}.`,
        fix: 'Write each setting as - name: <setting>\n  value: "<value>".',
      });
      return;
    }
    issues.push(...unknownFields(s, at(sp, i), knownFields.setting));
    if (seen.has(s.name)) {
      issues.push({ path: at(at(sp, i), 'name'), message: `setting ${show(s.name)} is set twice.`, fix: 'Keep one.' });
    }
    seen.add(s.name);
  });
  return issues;
}
