import type { Issue } from '../../common/issue.ts';
import { parseSettings, type SettingRules } from '../settings.ts';
import type { Settings, ValidationContext } from '../types.ts';
import { enasOperationCount } from './enasEncoding.ts';
import { type NasSpace, operationPath } from './space.ts';

/** Katib's ENAS settings and their ranges (REFERENCE.md §2.1); any other name is rejected, as Katib does. */
export const enasSettingRules: SettingRules = {
  controller_hidden_size: { type: 'int', min: 1 },
  controller_temperature: { type: 'float', min: 0, minExclusive: true },
  controller_tanh_const: { type: 'float', min: 0, minExclusive: true },
  controller_entropy_weight: { type: 'float', min: 0, minExclusive: true },
  controller_baseline_decay: { type: 'float', min: 0, minExclusive: true, max: 1 },
  controller_learning_rate: { type: 'float', min: 0, minExclusive: true, max: 1 },
  controller_skip_target: { type: 'float', min: 0, minExclusive: true, max: 1 },
  controller_skip_weight: { type: 'float', min: 0, minExclusive: true },
  controller_train_steps: { type: 'int', min: 1 },
  controller_log_every_steps: { type: 'int', min: 1 },
};

/** The settings that may be `"None"` (the controller then skips that term), as in Katib. */
export const enasNoneSettings: ReadonlySet<string> = new Set([
  'controller_temperature',
  'controller_tanh_const',
  'controller_entropy_weight',
  'controller_skip_weight',
]);

/**
 * Operation ids the controller's softmax ranges over, at most. Katib sets no limit; beyond this the cartesian
 * product of the parameter lists is almost surely a mistake (a long int range) and would be slow to build.
 */
export const maxEnasOperations = 100_000;

/** Katib's ENAS settings check: unknown names rejected, values in range, `"None"` where Katib allows it. */
export function checkEnasSettings(settings: Settings): Issue[] {
  // parseSettings keeps the positions of the names it is given, so paths still point at the user's list.
  const checked: Record<string, string> = {};
  for (const [name, value] of Object.entries(settings)) {
    checked[name] = enasNoneSettings.has(name) && value === 'None' ? '1' : value;
  }
  return parseSettings('enas', checked, enasSettingRules).issues;
}

/** What ENAS needs of the nasConfig (Katib's ENAS validation, plus what would crash its service). */
export function checkEnasSpace(nas: NasSpace): Issue[] {
  const issues: Issue[] = [];
  const graph = 'spec.nasConfig.graphConfig';
  const needs: [string, boolean, string][] = [
    ['inputSizes', nas.inputSizes.length > 0, 'the input shape, e.g. [32, 32, 3]'],
    ['outputSizes', nas.outputSizes.length > 0, 'the output shape, e.g. [10]'],
    ['numLayers', nas.numLayers !== undefined && nas.numLayers > 0, 'the number of layers, e.g. 8'],
  ];
  for (const [field, ok, what] of needs) {
    if (!ok) {
      issues.push({
        path: `${graph}.${field}`,
        message: `enas needs graphConfig.${field}.`,
        fix: `Set spec.nasConfig.graphConfig.${field} to ${what}.`,
      });
    }
  }
  nas.operations.forEach((op, i) => {
    if (op.parameters.length === 0) {
      issues.push({
        path: operationPath(i, '.parameters'),
        message: `enas needs at least one parameter for operation ${op.operationType}: each combination of parameter values is one operation the controller chooses.`,
        fix: 'Add a categorical parameter, e.g. {name: filter_size, parameterType: categorical, feasibleSpace: {list: ["3"]}}.',
      });
    }
    op.parameters.forEach((p, j) => {
      // Katib's ENAS service builds values for categorical, int and double only, and then fails on the missing one.
      if (p.parameterType === 'discrete') {
        issues.push({
          path: operationPath(i, `.parameters[${j}].parameterType`),
          message: 'enas does not take discrete operation parameters (Katib’s ENAS service fails on them).',
          fix: 'Make it categorical with the same list.',
        });
      }
    });
  });
  const count = enasOperationCount(nas);
  if (count > maxEnasOperations) {
    issues.push({
      path: 'spec.nasConfig.operations',
      message: `the operations expand to ${count} operation ids (every combination of their parameter values); at most ${maxEnasOperations} are supported.`,
      fix: 'Use shorter lists or coarser steps.',
    });
  }
  return issues;
}

/** Everything `hpo validate` checks for an ENAS Experiment: the nasConfig it needs and Katib's settings rules. */
export function validateEnas(settings: Settings, ctx: ValidationContext): Issue[] {
  const issues = checkEnasSettings(settings);
  if (ctx.nas === undefined) {
    issues.push({
      path: 'spec.nasConfig',
      message: 'enas searches a neural architecture and needs spec.nasConfig.',
      fix: 'Describe the graph and operations in spec.nasConfig (see Katib’s enas examples).',
    });
    return issues;
  }
  issues.push(...checkEnasSpace(ctx.nas));
  return issues;
}
