import { AshaStopper } from '../asha/stopper.ts';
import type { EarlyStoppingAlgorithm } from '../types.ts';
import { MedianStopRule } from './medianStop.ts';

export { bestUpTo, type CurvePoint, curveOf, isBetter, lastStep, median } from './curve.ts';
export { MedianStopRule } from './medianStop.ts';
export { type MedianStopSettings, medianStopDefaults, parseMedianStopSettings } from './medianStopSettings.ts';
export { decideEarlyStop, evaluateRules, type RuleVerdict } from './rules.ts';
export { earlyStoppingSettingPath } from './settings.ts';

/** The built-in early-stopping algorithms by `earlyStopping.algorithmName`, each a factory for a fresh instance. */
export const builtinEarlyStopping: Record<string, () => EarlyStoppingAlgorithm> = {
  medianstop: () => new MedianStopRule(),
  asha: () => new AshaStopper(),
};
