import type { Issue } from '../../common/issue.ts';
import { contains } from '../distributions.ts';
import { parseSettings, randomStateRule, type SettingRules, settingPath } from '../settings.ts';
import type { Settings, ValidationContext } from '../types.ts';

/** The parsed settings of ASHA, shared by the proposal side ({@link createAsha}) and the {@link AshaStopper}. */
export interface AshaSettings {
  /** Reduction factor: a trial continues past a rung when it is in the top 1/eta there (default 3). */
  readonly eta: number;
  /** r_min, the first rung, in reported steps (default 1); rungs sit at r_min·eta^k. */
  readonly minResource: number;
  /** R, the step at which a trial is complete; no rung at or beyond it. Unbounded when unset. */
  readonly maxResource?: number;
  /** A parameter that receives `maxResource`, so the trial knows how long to run. */
  readonly resourceName?: string;
  readonly randomState?: number;
}

const rules: SettingRules = {
  eta: { type: 'int', min: 2 },
  min_resource: { type: 'float', min: 0, minExclusive: true },
  grace_period: { type: 'float', min: 0, minExclusive: true },
  max_resource: { type: 'float', min: 0, minExclusive: true },
  random_state: randomStateRule,
};
const known: readonly string[] = [...Object.keys(rules), 'resource_name'];

/**
 * Validates ASHA's settings; paths point into `spec.algorithm.algorithmSettings` (the stopper rewrites them
 * when it is configured under `spec.earlyStopping`). `ctx` is needed only to check `resource_name`.
 */
export function parseAshaSettings(
  settings: Settings,
  ctx?: ValidationContext,
): { values: AshaSettings; issues: Issue[] } {
  const issues: Issue[] = [];
  for (const name of Object.keys(settings)) {
    if (known.includes(name)) continue;
    issues.push({
      path: settingPath(settings, name, 'name'),
      message: `unknown setting ${name} for algorithm asha`,
      fix: `Use one of: ${known.join(', ')}.`,
    });
  }
  const parsed = parseSettings('asha', settings, rules, { unknown: 'ignore' });
  issues.push(...parsed.issues);
  const v = parsed.values;
  if (v.min_resource !== undefined && v.grace_period !== undefined) {
    issues.push({
      path: settingPath(settings, 'grace_period', 'name'),
      message: 'grace_period is another name for min_resource; set only one of them',
    });
  }
  const minResource = num(v.min_resource) ?? num(v.grace_period) ?? 1;
  const maxResource = num(v.max_resource);
  if (maxResource !== undefined && maxResource < minResource) {
    issues.push({
      path: settingPath(settings, 'max_resource', 'value'),
      message: `max_resource must be greater or equal than min_resource (${minResource}), got ${maxResource}`,
    });
  }
  const resourceName = settings.resource_name;
  if (resourceName !== undefined) issues.push(...checkResource(settings, resourceName, maxResource, ctx));
  const values: AshaSettings = {
    eta: num(v.eta) ?? 3,
    minResource,
    ...(maxResource === undefined ? {} : { maxResource }),
    ...(resourceName === undefined ? {} : { resourceName }),
    ...(num(v.random_state) === undefined ? {} : { randomState: num(v.random_state) as number }),
  };
  return { values, issues };
}

function num(value: number | string | undefined): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/** `resource_name` must name a numeric parameter that can hold `max_resource`, which must then be set. */
function checkResource(
  settings: Settings,
  name: string,
  maxResource: number | undefined,
  ctx: ValidationContext | undefined,
): Issue[] {
  const path = settingPath(settings, 'resource_name', 'value');
  if (maxResource === undefined) {
    return [{ path, message: 'resource_name needs max_resource: it is the value written into that parameter' }];
  }
  if (ctx === undefined) return [];
  const param = ctx.space.find((p) => p.name === name);
  if (param === undefined) {
    return [
      {
        path,
        message: `resource_name ${JSON.stringify(name)} is not a parameter of the search space`,
        fix: `Use one of: ${ctx.space.map((p) => p.name).join(', ')}.`,
      },
    ];
  }
  if (!contains(param.domain, maxResource)) {
    return [{ path, message: `max_resource ${maxResource} is not a value parameter ${name} can take` }];
  }
  return [];
}
