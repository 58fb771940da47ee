import { AshaSearch } from './search.ts';

export { rungsCrossed } from './rungs.ts';
export { AshaSearch } from './search.ts';
export { type AshaSettings, parseAshaSettings } from './settings.ts';
export { AshaStopper, type AshaStopperOptions } from './stopper.ts';

/** A fresh ASHA proposal algorithm (`algorithmName: asha`); pair it with an {@link AshaStopper} for the rungs. */
export function createAsha(): AshaSearch {
  return new AshaSearch();
}
