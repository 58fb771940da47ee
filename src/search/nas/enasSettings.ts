import { parseSettingsOrThrow } from '../settings.ts';
import type { Settings } from '../types.ts';
import { enasNoneSettings, enasSettingRules } from './enasValidation.ts';

/** Katib's ENAS settings as the controller reads them; an optional term is undefined when set to `"None"`. */
export interface EnasSettings {
  readonly hiddenSize: number;
  readonly temperature?: number;
  readonly tanhConst?: number;
  readonly entropyWeight?: number;
  readonly baselineDecay: number;
  readonly learningRate: number;
  readonly skipTarget: number;
  readonly skipWeight?: number;
  readonly trainSteps: number;
}

/** Katib's defaults (REFERENCE.md §2.1). `controller_log_every_steps` only paces Katib's log lines; no effect here. */
const defaults = {
  controller_hidden_size: 64,
  controller_temperature: 5.0,
  controller_tanh_const: 2.25,
  controller_entropy_weight: 1e-5,
  controller_baseline_decay: 0.999,
  controller_learning_rate: 5e-5,
  controller_skip_target: 0.4,
  controller_skip_weight: 0.8,
  controller_train_steps: 50,
} as const;

/**
 * Reads the user's ENAS settings over Katib's defaults; throws WorkbenchError(invalidArgument) with the issues when
 * one is unknown or out of range (validation reports the same before a run starts).
 */
export function enasSettings(settings: Settings): EnasSettings {
  const given: Record<string, string> = {};
  const none = new Set<string>();
  for (const [name, value] of Object.entries(settings)) {
    if (enasNoneSettings.has(name) && value === 'None') none.add(name);
    else given[name] = value;
  }
  const parsed = parseSettingsOrThrow('enas', given, enasSettingRules);
  const num = (name: keyof typeof defaults): number =>
    typeof parsed[name] === 'number' ? (parsed[name] as number) : defaults[name];
  const optional = (name: keyof typeof defaults): number | undefined => (none.has(name) ? undefined : num(name));
  const out: { -readonly [K in keyof EnasSettings]: EnasSettings[K] } = {
    hiddenSize: num('controller_hidden_size'),
    baselineDecay: num('controller_baseline_decay'),
    learningRate: num('controller_learning_rate'),
    skipTarget: num('controller_skip_target'),
    trainSteps: num('controller_train_steps'),
  };
  const t = optional('controller_temperature');
  if (t !== undefined) out.temperature = t;
  const c = optional('controller_tanh_const');
  if (c !== undefined) out.tanhConst = c;
  const e = optional('controller_entropy_weight');
  if (e !== undefined) out.entropyWeight = e;
  const s = optional('controller_skip_weight');
  if (s !== undefined) out.skipWeight = s;
  return out;
}
