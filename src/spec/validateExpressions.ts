/**
 * Checks of the two expression extensions: `spec.parameterConstraints` (true/false conditions on the parameters)
 * and `spec.objective.derivedMetrics` (numbers computed from collected metrics). Katib prunes both fields, so every
 * rule is ours. mathjs is loaded (synchronously, once) only when an experiment has an expression.
 */
import { createRequire } from 'node:module';
import type { Issue } from '../common/issue.ts';
import { compileExpression, type ParseFunction, provideParser, type ValueType } from '../search/expression.ts';
import { knownFields, unknownFields } from './fields.ts';
import { at, isRecord, isUnset, type Obj, show } from './read.ts';

let parse: ParseFunction | undefined;

/** mathjs's parser, loaded on first use and handed to the search side so algorithms in this process reuse it. */
function parser(): ParseFunction {
  if (parse === undefined) {
    parse = (createRequire(import.meta.url)('mathjs') as { parse: ParseFunction }).parse;
    provideParser(parse);
  }
  return parse;
}

/** Metric names usable as a derived metric's name: like a parameter name, so expressions can read them. */
const metricNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The derived metrics' names that are usable strings (for the objective and strategy checks). */
export function derivedMetricNames(objective: Obj): string[] {
  const list = Array.isArray(objective.derivedMetrics) ? objective.derivedMetrics : [];
  return list
    .map((d) => (isRecord(d) ? d.name : undefined))
    .filter((n): n is string => typeof n === 'string' && n !== '');
}

function listOrIssue(value: unknown, path: string, example: string): Issue | undefined {
  if (Array.isArray(value)) return undefined;
  return { path, message: `must be a list, got ${show(value)}.`, fix: `Write it as a list: ${example}.` };
}

/**
 * `spec.parameterConstraints`: a list of `{expression}`, each a true/false condition over parameter names (a
 * categorical parameter only in == / != against a value). `parameters` maps each declared parameter to its type.
 */
export function checkParameterConstraints(
  spec: Obj,
  parameters: ReadonlyMap<string, ValueType>,
  categories: ReadonlyMap<string, readonly string[]> = new Map(),
): Issue[] {
  const list = spec.parameterConstraints;
  if (isUnset(list)) return [];
  const p = 'spec.parameterConstraints';
  const bad = listOrIssue(list, p, 'parameterConstraints: [{expression: "x0 + x1 <= 1"}]');
  if (bad) return [bad];
  const issues: Issue[] = [];
  (list as unknown[]).forEach((c, i) => {
    const cp = at(p, i);
    if (!isRecord(c)) {
      issues.push({
        path: cp,
        message: `a constraint must be a mapping {expression}, got ${show(c)}.`,
        fix: 'Write it as - expression: "x0 + x1 <= 1".',
      });
      return;
    }
    issues.push(...unknownFields(c, cp, knownFields.parameterConstraint));
    const ep = at(cp, 'expression');
    if (typeof c.expression !== 'string') {
      issues.push({
        path: ep,
        message: `expression must be a string, got ${show(c.expression)}.`,
        fix: 'Quote it: expression: "x0 + x1 <= 1".',
      });
      return;
    }
    const r = compileExpression(parser(), c.expression, parameters, categories);
    if ('problem' in r) {
      issues.push({
        path: ep,
        message: `${r.problem.message} (in ${show(c.expression)})`,
        fix: r.problem.fix.replace(/^Use one of:/, 'Use a parameter name:'),
      });
    } else if (r.expression.type !== 'boolean') {
      issues.push({
        path: ep,
        message: `a constraint must be true or false, but ${show(c.expression)} is a ${r.expression.type}.`,
        fix: 'Compare it with something, e.g. x0 + x1 <= 1.',
      });
    } else if (r.expression.names.length === 0) {
      issues.push({
        path: ep,
        message: `the constraint ${show(c.expression)} reads no parameter, so it is always or never true.`,
        fix: 'Name at least one parameter of spec.parameters in it, or remove it.',
      });
    }
  });
  return issues;
}

/**
 * `spec.objective.derivedMetrics`: a list of `{name, expression}`; the name is not repeated, the expression a number
 * computed from collected metrics (`collected`: the objective, additional metrics
 * and additional objectives' metrics that are not themselves derived).
 */
export function checkDerivedMetrics(objective: Obj, path: string, collected: readonly string[]): Issue[] {
  const list = objective.derivedMetrics;
  if (isUnset(list)) return [];
  const p = at(path, 'derivedMetrics');
  const bad = listOrIssue(list, p, 'derivedMetrics: [{name: score, expression: "accuracy - 0.01 * latency_ms"}]');
  if (bad) return [bad];
  const inputs = new Map<string, ValueType>(collected.map((n) => [n, 'number']));
  const issues: Issue[] = [];
  const seen = new Set<string>();
  (list as unknown[]).forEach((d, i) => {
    const dp = at(p, i);
    if (!isRecord(d)) {
      issues.push({
        path: dp,
        message: `a derived metric must be a mapping {name, expression}, got ${show(d)}.`,
        fix: 'Write it as - {name: score, expression: "accuracy - 0.01 * latency_ms"}.',
      });
      return;
    }
    issues.push(...unknownFields(d, dp, knownFields.derivedMetric));
    const name = d.name;
    if (typeof name !== 'string' || !metricNamePattern.test(name)) {
      issues.push({
        path: at(dp, 'name'),
        message: `name must be a metric name (letters, digits, _), got ${show(name)}.`,
        fix: 'Name it, e.g. name: score.',
      });
    } else if (seen.has(name)) {
      issues.push({
        path: at(dp, 'name'),
        message: `derived metric ${show(name)} is defined twice.`,
        fix: 'Keep one definition per name.',
      });
    }
    if (typeof name === 'string') seen.add(name);
    const ep = at(dp, 'expression');
    if (typeof d.expression !== 'string') {
      issues.push({
        path: ep,
        message: `expression must be a string, got ${show(d.expression)}.`,
        fix: 'Quote it: expression: "accuracy - 0.01 * latency_ms".',
      });
      return;
    }
    const r = compileExpression(parser(), d.expression, inputs);
    if ('problem' in r) {
      issues.push({
        path: ep,
        message: `${r.problem.message} (in ${show(d.expression)})`,
        fix: r.problem.fix.replace(
          /^Use one of:/,
          'Use a collected metric (objectiveMetricName, additionalMetricNames, additionalObjectives) such as:',
        ),
      });
    } else if (r.expression.type !== 'number') {
      issues.push({
        path: ep,
        message: `a derived metric must be a number, but ${show(d.expression)} is a ${r.expression.type}.`,
        fix: 'Write arithmetic, e.g. accuracy - 0.01 * latency_ms (use a ? b : c to choose between numbers).',
      });
    }
  });
  return issues;
}
