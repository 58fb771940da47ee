import type { Issue } from '../../common/issue.ts';
import { parseFloatText, parseSettings, randomStateRule, type SettingRules, settingPath } from '../settings.ts';
import type { Parameter, SearchSpace } from '../space.ts';
import type { Settings } from '../types.ts';
import { writtenBudget } from './budget.ts';
import { brackets, maxBracket, type ScheduleParams } from './schedule.ts';

/**
 * Settings of `hyperband` (Katib's names: `r_l`, `resource_name`, `eta`) and of the algorithms built on its
 * schedule (BOHB). Ours on top: `r_min` (smallest budget, default 1), `loops` (how many times the whole
 * schedule runs, default 1) and `random_state`. Katib's messages are kept where Katib has one
 * (pkg/suggestion/v1beta1/hyperband/service.py, ValidateAlgorithmSettings).
 */

/** The schedule and where the budget goes, with defaults applied. */
export interface HyperbandConfig {
  readonly schedule: ScheduleParams;
  /** The parameter the budget is written into (Katib's `resource_name`). */
  readonly resource: string;
  readonly loops: number;
  /** `random_state` when set. */
  readonly randomState?: number;
  /** The parsed values of the extra rules the caller passed (BOHB's settings). */
  readonly extra: Readonly<Record<string, number | string>>;
}

/** A parse: the config when the settings are usable, and every problem found (warnings included). */
export interface HyperbandParse {
  readonly config?: HyperbandConfig;
  readonly issues: Issue[];
}

const numericRules: SettingRules = {
  r_min: { type: 'float', min: 0, minExclusive: true },
  loops: { type: 'int', min: 1 },
  random_state: randomStateRule,
};

/** Parsed by hand below: `r_l` and `eta` have Katib's own parsing and messages, `resource_name` is free text. */
const katibNames = ['r_l', 'resource_name', 'eta'];

/**
 * Katib's hyperband service writes its progress (s_max, current_s, …) back into the Suggestion's settings and
 * ignores every name it does not know; an Experiment copied from a running Katib may carry these, so they are
 * accepted and ignored. Any other unknown name is reported (a typo in r_min or loops would otherwise go unseen).
 */
const katibInternal = new Set(['s_max', 'b_l', 'r', 'n', 'current_s', 'current_i', 'evaluating_trials']);

function issueAt(settings: Settings, name: string, message: string, fix?: string): Issue {
  const path = settingPath(settings, name, 'value');
  return fix === undefined ? { path, message } : { path, message, fix };
}

function parseRl(settings: Settings, issues: Issue[]): number | undefined {
  if (!Object.hasOwn(settings, 'r_l')) return undefined;
  const rl = parseFloatText(String(settings.r_l));
  // Katib rejects negatives with this message; 0 crashes its math.log(0), which also fails validation.
  if (rl === undefined || rl <= 0) {
    issues.push(issueAt(settings, 'r_l', 'r_l must be a positive float number.', 'Set r_l to the largest budget.'));
    return undefined;
  }
  return rl;
}

function parseEta(settings: Settings, issues: Issue[]): number | undefined {
  if (!Object.hasOwn(settings, 'eta')) return 3;
  const raw = parseFloatText(String(settings.eta));
  // Katib reads int(float(eta)) and silently replaces eta ≤ 0 by 3; η = 1 never halves and loops forever.
  const eta = raw === undefined ? undefined : Math.trunc(raw);
  if (eta === undefined || eta < 2) {
    issues.push(
      issueAt(
        settings,
        'eta',
        `eta must be a number whose integer part is at least 2, got ${JSON.stringify(settings.eta)}`,
        'Use 3 (the default, and what Katib substitutes for eta <= 0) or another integer >= 2.',
      ),
    );
    return undefined;
  }
  return eta;
}

function checkResource(settings: Settings, param: Parameter | undefined, issues: Issue[], require: boolean): void {
  if (param === undefined) {
    if (require)
      issues.push(issueAt(settings, 'resource_name', 'value of resource_name setting must be in parameters.'));
    return;
  }
  if (param.domain.kind === 'categorical') {
    issues.push(
      issueAt(
        settings,
        'resource_name',
        `resource parameter ${param.name} is categorical, but the budget written into it is a number`,
        'Name an int or double parameter (e.g. the number of epochs).',
      ),
    );
  }
}

/** Warns about budgets outside the resource parameter's feasible space (Katib writes them regardless; its own example does). */
function checkBudgets(settings: Settings, param: Parameter, schedule: ScheduleParams, issues: Issue[]): void {
  const domain = param.domain;
  if (domain.kind === 'categorical') return;
  const values = [...new Set(brackets(schedule).flatMap((b) => b.rungs.map((r) => writtenBudget(domain, r.budget))))];
  const smallest = Math.min(...values);
  if (domain.kind === 'int' && smallest < 1) {
    issues.push(
      issueAt(
        settings,
        Object.hasOwn(settings, 'r_min') ? 'r_min' : 'r_l',
        `the smallest budget rounds to ${smallest} for int parameter ${param.name}`,
        'Set r_min (and r_l) to at least 1.',
      ),
    );
    return;
  }
  const outside =
    domain.kind === 'discrete'
      ? values.filter((v) => !domain.values.includes(v))
      : values.filter((v) => v < domain.min || v > domain.max);
  if (outside.length === 0) return;
  issues.push({
    ...issueAt(
      settings,
      'resource_name',
      `budgets ${outside.join(', ')} are outside the feasible space of parameter ${param.name}; they are written into it anyway, as Katib does`,
      'Widen the parameter to cover r_min..r_l, or ignore this if the trial accepts any budget.',
    ),
    severity: 'warning',
  });
}

/**
 * Parses Hyperband's settings plus `extra` rules. `requireResource` reports a `resource_name` that names no
 * parameter (validation); `suggest` leaves it out and only carries the budget on `Suggestion.budget` then.
 */
export function parseHyperband(
  algorithm: string,
  settings: Settings,
  space: SearchSpace,
  options: { readonly extra?: SettingRules; readonly requireResource: boolean },
): HyperbandParse {
  const rules: SettingRules = { ...numericRules, ...(options.extra ?? {}) };
  const { values, issues } = parseSettings(algorithm, settings, rules, { unknown: 'ignore' });
  for (const name of Object.keys(settings)) {
    if (Object.hasOwn(rules, name) || katibNames.includes(name) || katibInternal.has(name)) continue;
    issues.push({
      path: settingPath(settings, name, 'name'),
      message: `unknown setting ${name} for algorithm ${algorithm}`,
      fix: `Use one of: ${[...katibNames, ...Object.keys(rules)].join(', ')}.`,
    });
  }
  const missing = ['r_l', 'resource_name'].filter((n) => !Object.hasOwn(settings, n));
  if (missing.length > 0) {
    issues.push({
      path: 'spec.algorithm.algorithmSettings',
      message: 'r_l and resource_name must be set.',
      fix: `Add ${missing.join(' and ')}: r_l is the largest budget (e.g. 81 epochs), resource_name the parameter that receives it.`,
    });
  }
  const rl = parseRl(settings, issues);
  const eta = parseEta(settings, issues);
  const resource = settings.resource_name;
  const param = space.find((p) => p.name === resource);
  if (resource !== undefined) checkResource(settings, param, issues, options.requireResource);
  if (rl === undefined || eta === undefined || resource === undefined) return { issues };
  // A fractional r_l (a share of the data, say) still gets one bracket when r_min is left at its default.
  const minBudget = typeof values.r_min === 'number' ? values.r_min : Math.min(1, rl);
  const schedule: ScheduleParams = { maxBudget: rl, minBudget, eta };
  if (maxBracket(schedule) < 0) {
    issues.push(issueAt(settings, 'r_min', `r_min (${minBudget}) must not exceed r_l (${rl})`));
    return { issues };
  }
  if (param !== undefined) checkBudgets(settings, param, schedule, issues);
  const loops = typeof values.loops === 'number' ? values.loops : 1;
  const base = { schedule, resource, loops, extra: values };
  const config = typeof values.random_state === 'number' ? { ...base, randomState: values.random_state } : base;
  return { config, issues };
}
