import type { AnalysisInput } from '../../src/analysis/types.ts';
import type { Parameter } from '../../src/search/space.ts';
import type { ObservationRow, TrialRecord } from '../../src/store/types.ts';

/** A stored trial record for analysis tests: only what the plots read matters. */
export function trial(seq: number, params: TrialRecord['params'], over: Partial<TrialRecord> = {}): TrialRecord {
  return {
    experiment: 'exp',
    name: `exp-${seq}`,
    seq,
    params,
    state: 'Succeeded',
    reason: '',
    message: '',
    metrics: [],
    labels: {},
    createdAt: '2026-01-01T00:00:00Z',
    ...over,
  };
}

/** An analysis input over `space` with `trials` (and observations of `loss`). */
export function input(
  space: readonly Parameter[],
  trials: readonly TrialRecord[],
  over: Partial<AnalysisInput> = {},
): AnalysisInput {
  return { name: 'exp', objective: { type: 'minimize', metricName: 'loss' }, space, trials, ...over };
}

/** A double parameter on [min, max]. */
export function double(name: string, min = 0, max = 1, scale: 'uniform' | 'logUniform' = 'uniform'): Parameter {
  return { name, domain: { kind: 'double', min, max, scale } };
}

/** A categorical parameter. */
export function categorical(name: string, values: readonly string[]): Parameter {
  return { name, domain: { kind: 'categorical', values } };
}

/** Observation rows of `loss` for a trial, one per value, steps 1, 2, ... */
export function curve(trialName: string, values: readonly number[]): ObservationRow[] {
  return values.map((v, i) => ({ trial: trialName, metric: 'loss', value: String(v), step: i + 1 }));
}

/** Counts the items of the vega mark named `name` (a layer's `name`) in an SVG that vega rendered. */
export function markItems(svg: string, name: string): number {
  let count = 0;
  const open = new RegExp(`<g class="mark-[a-z]+ role-mark ${name}_marks"[^>]*>`, 'g');
  for (const m of svg.matchAll(open)) {
    // A mark group holds its items as siblings, with no nested group: count them up to its closing tag.
    const body = svg.slice(m.index + m[0].length, svg.indexOf('</g>', m.index + m[0].length));
    count += (body.match(/<(path|text|line|rect|circle)\b/g) ?? []).length;
  }
  return count;
}

/** Counts the vega mark groups named `name` (a line mark draws one group per line). */
export function markGroups(svg: string, name: string): number {
  return (svg.match(new RegExp(`<g class="mark-[a-z]+ role-mark ${name}_marks"`, 'g')) ?? []).length;
}
