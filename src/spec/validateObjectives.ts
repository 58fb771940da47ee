/**
 * Checks of `spec.objective.additionalObjectives`, the hpo-workbench extension that adds objectives after Katib's
 * one. Katib prunes the field, so every rule here is ours; `checkObjective` calls it with the primary metric's name.
 */
import type { Issue } from '../common/issue.ts';
import { didYouMean } from './didYouMean.ts';
import { knownFields, unknownFields } from './fields.ts';
import { at, isRecord, isUnset, type Obj, show } from './read.ts';

const types = ['minimize', 'maximize'];

/** The metric names of `additionalObjectives` that are usable strings, in order (for strategies and collection). */
export function additionalObjectiveMetrics(objective: Obj): string[] {
  const list = Array.isArray(objective.additionalObjectives) ? objective.additionalObjectives : [];
  return list
    .map((o) => (isRecord(o) ? o.objectiveMetricName : undefined))
    .filter((n): n is string => typeof n === 'string' && n !== '');
}

/**
 * Each additional objective is a mapping of `type` (minimize|maximize), `objectiveMetricName` and an optional finite
 * `goal`; its metric is neither the primary objective's nor another objective's. Naming it in
 * `additionalMetricNames` too is allowed (a manifest written for Katib collects it there); it is collected either way.
 */
export function checkAdditionalObjectives(obj: Obj, path: string, primary: unknown): Issue[] {
  const list = obj.additionalObjectives;
  if (isUnset(list)) return [];
  const p = at(path, 'additionalObjectives');
  if (!Array.isArray(list)) {
    return [
      {
        path: p,
        message: `additionalObjectives must be a list, got ${show(list)}.`,
        fix: 'Write it as a list: additionalObjectives: [{type: minimize, objectiveMetricName: latency_ms}].',
      },
    ];
  }
  const issues: Issue[] = [];
  const seen = new Set<string>();
  list.forEach((o, i) => {
    const op = at(p, i);
    if (!isRecord(o)) {
      issues.push({
        path: op,
        message: `an additional objective must be a mapping {type, objectiveMetricName, goal?}, got ${show(o)}.`,
        fix: 'Write it as - {type: minimize, objectiveMetricName: latency_ms}.',
      });
      return;
    }
    issues.push(...unknownFields(o, op, knownFields.additionalObjective));
    if (o.type !== 'minimize' && o.type !== 'maximize') {
      issues.push({
        path: at(op, 'type'),
        message: `objective type must be minimize or maximize, got ${show(o.type)}.${typeof o.type === 'string' ? didYouMean(o.type, types) : ''}`,
        fix: `Set ${at(op, 'type')} to minimize or maximize.`,
      });
    }
    issues.push(...checkName(o.objectiveMetricName, at(op, 'objectiveMetricName'), primary, seen));
    if (!isUnset(o.goal) && (typeof o.goal !== 'number' || !Number.isFinite(o.goal))) {
      issues.push({
        path: at(op, 'goal'),
        message: `goal must be a finite number, got ${show(o.goal)}.`,
        fix: 'Write the goal as a number (goal: 20) or remove it.',
      });
    }
  });
  return issues;
}

/** The metric name of one additional objective: present, not the primary's, not repeated (`seen` collects them). */
function checkName(name: unknown, path: string, primary: unknown, seen: Set<string>): Issue[] {
  if (typeof name !== 'string' || name === '') {
    return [
      {
        path,
        message: `objectiveMetricName is required, got ${show(name)}.`,
        fix: 'Name the metric your training prints for this objective, e.g. objectiveMetricName: latency_ms.',
      },
    ];
  }
  if (name === primary) {
    return [
      {
        path,
        message: `metric ${show(name)} is already the primary objective (spec.objective.objectiveMetricName).`,
        fix: 'Each objective needs its own metric: remove this entry or name another metric.',
      },
    ];
  }
  if (seen.has(name)) {
    return [
      {
        path,
        message: `metric ${show(name)} is an objective twice.`,
        fix: 'Keep one entry per metric; an objective has one direction.',
      },
    ];
  }
  seen.add(name);
  return [];
}
