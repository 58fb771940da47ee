import type {
  EarlyStoppingAlgorithm,
  EarlyStoppingRequest,
  EarlyStoppingRule,
  ObjectiveSpec,
  StopDecision,
} from '../types.ts';
import { type CurvePoint, curveOf, isBetter } from './curve.ts';

/** What {@link evaluateRules} found: `rule` is the met rule that stops, or the first applicable one that is not met. */
export interface RuleVerdict {
  readonly stop: boolean;
  readonly rule?: EarlyStoppingRule;
  /** The metric value `rule` was compared with. */
  readonly observed?: number;
}

/**
 * The one place early-stopping rules are applied (the controller, for every built-in and user rule), with the
 * semantics of Katib's metrics collector: the trial stops when EVERY rule is met; a rule applies once the curve
 * has `startStep` finite reports and compares the best value so far (or the latest, `of: 'latest'`) with `value`.
 * One difference, on purpose: Katib checks a rule only at the `startStep`-th report, because its rules are fixed
 * when the trial is created; ours are recomputed at every report (EarlyStoppingAlgorithm.rules), so a rule applies
 * at every report from `startStep` on. A rule on a metric other than the objective is never met here (only the
 * objective's curve is followed), so it never stops a trial.
 */
export function evaluateRules(
  rules: readonly EarlyStoppingRule[],
  curve: readonly CurvePoint[],
  objective: ObjectiveSpec,
): RuleVerdict {
  if (rules.length === 0) return { stop: false };
  const points = curve.filter((p) => Number.isFinite(p.step) && Number.isFinite(p.value));
  let first: RuleVerdict | undefined;
  for (const rule of rules) {
    const observed = observe(rule, points, objective);
    if (observed === undefined) return first ?? { stop: false };
    if (!met(rule, observed)) return { stop: false, rule, observed };
    first ??= { stop: true, rule, observed };
  }
  return first ?? { stop: false };
}

/** The value `rule` compares, or undefined while it does not apply (too few reports, another metric). */
function observe(rule: EarlyStoppingRule, points: readonly CurvePoint[], objective: ObjectiveSpec): number | undefined {
  if (rule.name !== objective.metricName || points.length === 0 || points.length < (rule.startStep ?? 0)) {
    return undefined;
  }
  if (rule.of === 'latest') return points[points.length - 1]?.value;
  let best = points[0]?.value as number;
  for (const p of points) if (isBetter(objective.type, p.value, best)) best = p.value;
  return best;
}

const relation = { LESS: 'below', GREATER: 'above', EQUAL: 'equal to' } as const;

function met(rule: EarlyStoppingRule, observed: number): boolean {
  if (rule.comparison === 'LESS') return observed < rule.value;
  if (rule.comparison === 'GREATER') return observed > rule.value;
  return observed === rule.value;
}

/**
 * An early-stopping algorithm's verdict on `req.trial`: its current rules, evaluated on the trial's objective
 * curve by {@link evaluateRules}. The met rule's `reason` and `explain` are recorded on a stopped trial; a rule that
 * applied but is not met still gives its `explain` (what the trial was compared with).
 */
export function decideEarlyStop(algorithm: EarlyStoppingAlgorithm, req: EarlyStoppingRequest): StopDecision {
  const verdict = evaluateRules(algorithm.rules(req), curveOf(req.trial), req.objective);
  const rule = verdict.rule;
  if (rule === undefined) return { stop: false };
  const explain = rule.explain === undefined ? {} : { explain: rule.explain };
  if (!verdict.stop) return { stop: false, ...explain };
  const which = rule.of === 'latest' ? 'latest' : 'best';
  const reason =
    rule.reason ?? `${which} ${rule.name} ${verdict.observed} is ${relation[rule.comparison]} ${rule.value}`;
  return { stop: true, reason, ...explain };
}
