import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import type { Issue } from '../../common/issue.ts';
import { settingPath } from '../settings.ts';
import type { Settings } from '../types.ts';

/** The issue path of an early-stopping setting: `spec.earlyStopping.algorithmSettings[i].<field>`. */
export function earlyStoppingSettingPath(settings: Settings, name: string, field: 'name' | 'value'): string {
  return settingPath(settings, name, field).replace(/^spec\.algorithm\./, 'spec.earlyStopping.');
}

/** Throws the `invalidArgument` error `shouldStop` raises for settings that `validate` would have rejected. */
export function throwIfInvalid(algorithm: string, issues: readonly Issue[]): void {
  if (issues.length === 0) return;
  throw new WorkbenchError(ErrorCode.invalidArgument, `invalid settings for early stopping ${algorithm}`, { issues });
}
