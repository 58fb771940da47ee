import type { Issue } from '../../common/issue.ts';
import { parseFloatText, parseIntText, settingPath } from '../settings.ts';
import type { Settings } from '../types.ts';
import { type PyDict, type PyValue, pyFloat, pyInt } from './pythonJson.ts';

/**
 * DARTS's settings as Katib's DARTS service handles them (REFERENCE.md §2.1): the defaults below, each user value
 * merged in as text (`"None"` as None), names it does not know passed through to the trial unchecked.
 */

/** Katib's defaults, in its order and with its Python types (`5.0` is a float, `50` an int). */
const defaults: readonly (readonly [string, PyValue])[] = [
  ['num_epochs', pyInt(50)],
  ['w_lr', pyFloat(0.025)],
  ['w_lr_min', pyFloat(0.001)],
  ['w_momentum', pyFloat(0.9)],
  ['w_weight_decay', pyFloat(3e-4)],
  ['w_grad_clip', pyFloat(5)],
  ['alpha_lr', pyFloat(3e-4)],
  ['alpha_weight_decay', pyFloat(1e-3)],
  ['batch_size', pyInt(128)],
  ['num_workers', pyInt(4)],
  ['init_channels', pyInt(16)],
  ['print_step', pyInt(50)],
  ['num_nodes', pyInt(4)],
  ['stem_multiplier', pyInt(3)],
];

/** The names DARTS knows; any other setting is handed to the trial as it is (Katib does not reject it). */
export const dartsSettingNames: readonly string[] = defaults.map(([name]) => name);

/** The `algorithm-settings` dict of a DARTS trial: Katib's defaults with the user's settings merged in as text. */
export function dartsAlgorithmSettings(settings: Settings): PyDict {
  const out = new Map<string, PyValue>(defaults);
  // Katib keeps the user's values as strings (only "None" becomes None); the trial converts them.
  for (const [name, value] of Object.entries(settings)) out.set(name, value === 'None' ? null : value);
  return out;
}

type Check = {
  readonly kind: 'int' | 'float';
  readonly min: number;
  readonly strict?: boolean;
  readonly none?: boolean;
};

/** Katib's value checks (the DARTS service's validate_algorithm_settings). */
const checks: Readonly<Record<string, Check>> = {
  num_epochs: { kind: 'int', min: 0, strict: true },
  w_lr: { kind: 'float', min: 0 },
  w_lr_min: { kind: 'float', min: 0 },
  alpha_lr: { kind: 'float', min: 0 },
  w_weight_decay: { kind: 'float', min: 0 },
  alpha_weight_decay: { kind: 'float', min: 0 },
  w_momentum: { kind: 'float', min: 0 },
  w_grad_clip: { kind: 'float', min: 0 },
  batch_size: { kind: 'int', min: 1, none: true },
  num_workers: { kind: 'int', min: 0 },
  init_channels: { kind: 'int', min: 1 },
  print_step: { kind: 'int', min: 1 },
  num_nodes: { kind: 'int', min: 1 },
  stem_multiplier: { kind: 'int', min: 1 },
};

/** Checks the DARTS settings Katib checks; unknown names are fine (they reach the trial). */
export function checkDartsSettings(settings: Settings): Issue[] {
  const issues: Issue[] = [];
  for (const [name, text] of Object.entries(settings)) {
    const check = Object.hasOwn(checks, name) ? checks[name] : undefined;
    if (check === undefined || (check.none === true && text === 'None')) continue;
    const n = check.kind === 'int' ? parseIntText(text) : parseFloatText(text);
    const ok = n !== undefined && (check.strict === true ? n > check.min : n >= check.min);
    if (ok) continue;
    const bound = `${check.strict === true ? 'greater than' : 'at least'} ${check.min}`;
    issues.push({
      path: settingPath(settings, name, 'value'),
      message: `setting ${name} of algorithm darts must be ${check.kind === 'int' ? 'an integer' : 'a number'} ${bound}${check.none === true ? ' or "None"' : ''}, got ${JSON.stringify(text)}.`,
      fix: `Set ${name} to a value ${bound}, or remove it for Katib's default.`,
    });
  }
  return issues;
}
