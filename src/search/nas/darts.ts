import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import type { Issue } from '../../common/issue.ts';
import type {
  AlgorithmCapabilities,
  SearchAlgorithm,
  Settings,
  SuggestRequest,
  SuggestResult,
  ValidationContext,
} from '../types.ts';
import { checkDartsSettings, dartsAlgorithmSettings } from './dartsSettings.ts';
import { katibNasText } from './pythonJson.ts';
import { type NasSpace, operationPath } from './space.ts';

/** The operation DARTS takes without parameters (Katib's DARTS service names it as it is). */
const skipConnection = 'skip_connection';

/**
 * DARTS's `search-space` list: each operation once per entry of its **first** parameter's list, written
 * `<operationType>_<k>x<k>` (Katib reads that parameter as the filter size and ignores any other), and
 * `skip_connection` as it is.
 */
export function dartsSearchSpace(nas: NasSpace): string[] {
  return nas.operations.flatMap((op) =>
    op.operationType === skipConnection
      ? [op.operationType]
      : (op.parameters[0]?.feasibleSpace.list ?? []).map((k) => `${op.operationType}_${k}x${k}`),
  );
}

/**
 * The three parameters of a DARTS trial, byte for byte as Katib's DARTS service builds them: `algorithm-settings`
 * and `search-space` as Python JSON with `'` quotes, `num-layers` as the number's text (`0` when unset, as
 * Katib's proto reads it).
 */
export function dartsTrialParameters(nas: NasSpace, settings: Settings): Record<string, string> {
  return {
    'algorithm-settings': katibNasText(dartsAlgorithmSettings(settings)),
    'search-space': katibNasText(dartsSearchSpace(nas)),
    'num-layers': String(nas.numLayers ?? 0),
  };
}

/** What DARTS needs of the nasConfig beyond Katib's webhook rules (spec validation checked the structure). */
function checkDartsSpace(nas: NasSpace): Issue[] {
  const issues: Issue[] = [];
  if (nas.numLayers === undefined) {
    issues.push({
      path: 'spec.nasConfig.graphConfig.numLayers',
      message: 'darts needs graphConfig.numLayers: the trial builds that many cells (Katib would send "0").',
      fix: 'Set spec.nasConfig.graphConfig.numLayers, e.g. 3.',
    });
  }
  nas.operations.forEach((op, i) => {
    if (op.operationType === skipConnection) return;
    const first = op.parameters[0];
    if (first === undefined) {
      // Katib's own validation also rejects it (and, unlike here, a parameterless skip_connection too).
      issues.push({
        path: operationPath(i, '.parameters'),
        message: `darts needs a filter-size parameter for operation ${op.operationType}; only skip_connection may have none.`,
        fix: 'Add a categorical parameter such as {name: filter_size, parameterType: categorical, feasibleSpace: {list: ["3"]}}.',
      });
    } else if (first.feasibleSpace.list === undefined || first.feasibleSpace.list.length === 0) {
      issues.push({
        path: operationPath(i, '.parameters[0]'),
        message: `darts reads the first parameter of ${op.operationType} as a list of filter sizes; an ${first.parameterType} range gives it none, so Katib would silently drop the operation.`,
        fix: 'Make the first parameter categorical with a list of sizes, e.g. ["3", "5"].',
      });
    }
  });
  return issues;
}

/**
 * Katib's `darts`: a pass-through. The differentiable search (supernet, architecture weights, bilevel updates) runs
 * inside the trial; the suggestion only hands it the settings, the operation list and the layer count. Katib sends
 * the same three values for every requested trial; this makes the one trial and then reports the search finished,
 * since identical repeats would only redo the same search.
 */
export class DartsSearch implements SearchAlgorithm {
  readonly name: string = 'darts';
  // Katib's DARTS trial reports its genotype as the objective (`Best-Genotype`): text, the latest wins.
  readonly capabilities: AlgorithmCapabilities = { nas: true, textObjective: true };

  /** Katib's DARTS checks (settings, operations), plus what would make the trial fail or the space empty. */
  validate(settings: Settings, ctx: ValidationContext): Issue[] {
    const issues = checkDartsSettings(settings);
    if (ctx.nas === undefined) {
      issues.push({
        path: 'spec.nasConfig',
        message: 'darts searches a neural architecture and needs spec.nasConfig.',
        fix: 'Describe the operations in spec.nasConfig (see Katib’s darts example), or use a hyperparameter algorithm.',
      });
      return issues;
    }
    issues.push(...checkDartsSpace(ctx.nas));
    return issues;
  }

  /** One trial carrying `algorithm-settings`, `search-space` and `num-layers`; nothing once a trial exists. */
  suggest(req: SuggestRequest): SuggestResult {
    if (req.nas === undefined) throw new WorkbenchError(ErrorCode.invalidArgument, 'darts needs spec.nasConfig');
    if (req.trials.length > 0 || req.count < 1) return { suggestions: [], exhausted: true };
    return {
      suggestions: [{ params: dartsTrialParameters(req.nas, req.settings), explain: { algorithm: 'darts' } }],
      exhausted: true,
    };
  }
}
