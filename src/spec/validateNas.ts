import type { Issue } from '../common/issue.ts';
import { knownFields, unknownFields } from './fields.ts';
import { at, isRecord, isUnset, type Obj, show } from './read.ts';
import { checkParameterList } from './validateParameters.ts';

/** Katib's proto carries the graph sizes as int32. */
const maxInt32 = 2 ** 31 - 1;

function isWhole(v: unknown, min: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= maxInt32;
}

function checkGraph(graph: unknown, path: string): Issue[] {
  if (isUnset(graph)) return [];
  if (!isRecord(graph)) return [{ path, message: `graphConfig must be a mapping, got ${show(graph)}.` }];
  const issues = unknownFields(graph, path, knownFields.graphConfig);
  if (!isUnset(graph.numLayers) && !isWhole(graph.numLayers, 1)) {
    issues.push({
      path: at(path, 'numLayers'),
      message: `numLayers must be a whole number of at least 1, got ${show(graph.numLayers)}.`,
      fix: 'Write the number of layers, e.g. numLayers: 8.',
    });
  }
  for (const key of ['inputSizes', 'outputSizes'] as const) {
    const sizes = graph[key];
    if (isUnset(sizes)) continue;
    if (!Array.isArray(sizes)) {
      issues.push({
        path: at(path, key),
        message: `${key} must be a list of sizes, got ${show(sizes)}.`,
        fix: key === 'inputSizes' ? 'Write the input shape as a list, e.g. [32, 32, 3].' : 'Write a list, e.g. [10].',
      });
      continue;
    }
    sizes.forEach((s, i) => {
      if (!isWhole(s, 1)) {
        issues.push({
          path: at(at(path, key), i),
          message: `each of ${key} must be a whole number of at least 1, got ${show(s)}.`,
          fix: key === 'inputSizes' ? 'Write the input shape, e.g. [32, 32, 3].' : 'Write the output shape, e.g. [10].',
        });
      }
    });
  }
  return issues;
}

/**
 * An int/double range in an operation needs a step: the NAS services enumerate every value of it (ENAS's operation
 * ids are the cartesian product of the parameter values); Katib checks only double's and crashes on an int without.
 */
function checkSteps(params: readonly unknown[], path: string): Issue[] {
  const issues: Issue[] = [];
  params.forEach((p, i) => {
    if (!isRecord(p) || (p.parameterType !== 'int' && p.parameterType !== 'double')) return;
    const fs = isRecord(p.feasibleSpace) ? p.feasibleSpace : {};
    if (isUnset(fs.list) && isUnset(fs.step) && !isUnset(fs.min) && !isUnset(fs.max)) {
      issues.push({
        path: at(at(at(path, i), 'feasibleSpace'), 'step'),
        message: `an ${String(p.parameterType)} range of a NAS operation needs a step: every value in it becomes part of an operation.`,
        fix: `Add a step, e.g. step: "${p.parameterType === 'int' ? '1' : '0.1'}".`,
      });
    }
  });
  return issues;
}

/**
 * Katib's `spec.nasConfig` (the search space of ENAS and DARTS): its fields, the graph's sizes as whole numbers, at
 * least one operation, each with an `operationType` and valid parameters (rules 35–40, as on `spec.parameters`),
 * ranges with a step. What one algorithm needs beyond this (ENAS's sizes, DARTS's filter sizes) its `validate` says.
 */
export function checkNas(nas: unknown): Issue[] {
  const path = 'spec.nasConfig';
  if (!isRecord(nas)) return [{ path, message: `nasConfig must be a mapping, got ${show(nas)}.` }];
  const issues = unknownFields(nas, path, knownFields.nasConfig);
  issues.push(...checkGraph(nas.graphConfig, at(path, 'graphConfig')));
  const ops = nas.operations;
  if (!Array.isArray(ops) || ops.length === 0) {
    return [
      ...issues,
      {
        path: at(path, 'operations'),
        message: 'nasConfig needs at least one operation.',
        fix: 'List the operations to search over, e.g. [{operationType: max_pooling, parameters: [...]}].',
      },
    ];
  }
  ops.forEach((op, i) => {
    const p = at(at(path, 'operations'), i);
    if (!isRecord(op)) {
      issues.push({ path: p, message: `an operation must be {operationType, parameters}, got ${show(op)}.` });
      return;
    }
    issues.push(...unknownFields(op, p, knownFields.operation));
    if (typeof op.operationType !== 'string' || op.operationType === '') {
      issues.push({
        path: at(p, 'operationType'),
        message: 'operationType is required.',
        fix: 'Name the operation, e.g. convolution, max_pooling or skip_connection.',
      });
    }
    // Parameterless operations (DARTS's skip_connection) are fine here; ENAS checks its own needs.
    if (isUnset(op.parameters)) return;
    const params = at(p, 'parameters');
    issues.push(...checkParameterList(op.parameters, params));
    if (Array.isArray(op.parameters)) issues.push(...checkSteps(op.parameters, params));
  });
  return issues;
}

/** Rules 33–40 on `spec.parameters`, and the ENAS/DARTS operation search space of `spec.nasConfig`. */
export function checkSearchSpace(spec: Obj): Issue[] {
  const hasParams = !isUnset(spec.parameters) && !(Array.isArray(spec.parameters) && spec.parameters.length === 0);
  const hasNas = !isUnset(spec.nasConfig);
  if (!hasParams && !hasNas) {
    return [
      {
        path: 'spec.parameters',
        message: 'spec.parameters or spec.nasConfig must be specified.',
        fix: 'Add at least one parameter to search over, or spec.nasConfig for a neural architecture search (enas, darts).',
      },
    ];
  }
  if (hasParams && hasNas) {
    return [
      {
        path: 'spec.nasConfig',
        message: 'only one of spec.parameters and spec.nasConfig can be specified.',
        fix: 'Keep spec.nasConfig for a NAS algorithm (enas, darts), or spec.parameters for a hyperparameter search.',
      },
    ];
  }
  if (hasParams) return checkParameterList(spec.parameters, 'spec.parameters');
  return checkNas(spec.nasConfig);
}
