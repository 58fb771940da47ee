import { describe, expect, it } from 'vitest';
import { contains } from '../../../src/search/distributions.ts';
import { generationLabel, parentLabel, perturbNumber } from '../../../src/search/pbt/index.ts';
import type { Suggestion, TrialView } from '../../../src/search/types.ts';
import { pbtSettings, Sim, space } from './sim.ts';

/** The slot of a trial named `<exp>-g<gen>-<slot>[-r<n>]`. */
function slotOf(name: string): number {
  const match = /-g\d+-(\d+)(?:-r\d+)?$/.exec(name);
  if (!match) throw new Error(`not a pbt name: ${name}`);
  return Number(match[1]);
}

/** Objective = slot number: slot 0 is best when minimising, worst when maximising. */
const bySlot = (t: TrialView): number => slotOf(t.name);

function expectValid(s: Suggestion): void {
  for (const p of space) expect(contains(p.domain, s.params[p.name] as number | string), p.name).toBe(true);
}

describe('pbt generation 0', () => {
  it('proposes n_population random members named <experiment>-g0-<k>, without a parent', () => {
    const sim = new Sim({ settings: pbtSettings() });
    const result = sim.ask(10);
    expect(result.exhausted).toBeUndefined();
    expect(result.suggestions.map((s) => s.name)).toEqual([0, 1, 2, 3, 4, 5].map((k) => `demo-g0-${k}`));
    for (const s of result.suggestions) {
      expectValid(s);
      expect(s).not.toHaveProperty('parent');
      expect(s.labels).toEqual({ [generationLabel]: '0', [parentLabel]: '' });
      expect(s.explain).toEqual({ generation: 0, action: 'init' });
    }
    const distinct = new Set(result.suggestions.map((s) => JSON.stringify(s.params)));
    expect(distinct.size).toBe(6);
  });

  it('hands the population out in batches and then waits', () => {
    const sim = new Sim({ settings: pbtSettings() });
    expect(sim.ask(4).suggestions.map((s) => s.name)).toEqual(['demo-g0-0', 'demo-g0-1', 'demo-g0-2', 'demo-g0-3']);
    expect(sim.ask(4).suggestions.map((s) => s.name)).toEqual(['demo-g0-4', 'demo-g0-5']);
    const waiting = sim.ask(4);
    expect(waiting.suggestions).toEqual([]);
    expect(waiting.exhausted).toBeUndefined();
  });
});

describe('pbt next generation', () => {
  it('is built only when every member of the current one has completed', () => {
    const sim = new Sim({ settings: pbtSettings() });
    sim.ask(6);
    for (const k of [0, 1, 2, 3, 4]) sim.finish(`demo-g0-${k}`, 'Succeeded', k);
    sim.finish('demo-g0-5', 'Running');
    expect(sim.ask(3).suggestions).toEqual([]);
    sim.finish('demo-g0-5', 'Succeeded', 5);
    const next = sim.ask(3);
    expect(next.suggestions.map((s) => s.name)).toEqual(['demo-g1-0', 'demo-g1-1', 'demo-g1-2']);
    expect(next.suggestions.every((s) => s.labels?.[generationLabel] === '1')).toBe(true);
    expect(sim.ask(5).suggestions.map((s) => s.name)).toEqual(['demo-g1-3', 'demo-g1-4', 'demo-g1-5']);
  });

  for (const type of ['minimize', 'maximize'] as const) {
    it(`exploits the top members' params and checkpoints and explores within bounds (${type})`, () => {
      const sim = new Sim({ settings: pbtSettings({ n_population: '10', truncation_threshold: '0.2' }), type });
      sim.run(10, 10, bySlot);
      const gen1 = sim.ask(10).suggestions;
      const [topSlots, bottomSlots] =
        type === 'minimize'
          ? [
              [0, 1],
              [8, 9],
            ]
          : [
              [8, 9],
              [0, 1],
            ];
      const topNames = topSlots.map((k) => `demo-g0-${k}`);
      for (const s of gen1) {
        const slot = slotOf(s.name as string);
        const own = sim.trial(`demo-g0-${slot}`);
        expectValid(s);
        expect(s.labels).toEqual({ [generationLabel]: '1', [parentLabel]: s.parent });
        if (!bottomSlots.includes(slot)) {
          expect(s.parent).toBe(own.name);
          expect(s.params).toEqual(own.params);
          expect(s.explain).toEqual({ generation: 1, action: 'continue', from: own.name });
          continue;
        }
        expect(topNames).toContain(s.parent);
        const source = sim.trial(s.parent as string);
        const notes = s.explain?.explore as Record<string, string>;
        expect(s.explain).toMatchObject({ generation: 1, action: 'exploit', from: s.parent });
        for (const p of space) {
          const before = source.params[p.name] as number | string;
          const after = s.params[p.name] as number | string;
          const note = notes[p.name];
          if (p.domain.kind === 'categorical' || p.domain.kind === 'discrete') {
            const values = p.domain.values as readonly (number | string)[];
            expect(Math.abs(values.indexOf(after) - values.indexOf(before)), p.name).toBe(1);
            expect(note).toBe(values.indexOf(after) > values.indexOf(before) ? '+1' : '-1');
          } else {
            expect(note === '×0.8' || note === '×1.2', p.name).toBe(true);
            expect(after).toBe(perturbNumber(p.domain, before as number, note === '×0.8' ? 0.8 : 1.2));
          }
        }
      }
    });
  }

  it('with truncation_threshold 0 every member continues; with 1 every member exploits another', () => {
    const none = new Sim({ settings: pbtSettings({ truncation_threshold: '0' }) });
    none.run(6, 6, bySlot);
    for (const s of none.ask(6).suggestions) expect(s.explain?.action).toBe('continue');
    const all = new Sim({ settings: pbtSettings({ truncation_threshold: '1' }) });
    all.run(6, 6, bySlot);
    for (const s of all.ask(6).suggestions) {
      expect(s.explain?.action).toBe('exploit');
      expect(s.parent).not.toBe(`demo-g0-${slotOf(s.name as string)}`);
    }
  });

  it('resample_probability 1 redraws every copied parameter; 0 keeps the copy exactly', () => {
    for (const [p, note] of [
      ['1', 'resampled'],
      ['0', 'kept'],
    ] as const) {
      const sim = new Sim({ settings: pbtSettings({ resample_probability: p }) });
      sim.run(6, 6, bySlot);
      const exploited = sim.ask(6).suggestions.filter((s) => s.explain?.action === 'exploit');
      expect(exploited.length).toBe(2);
      for (const s of exploited) {
        expectValid(s);
        expect(Object.values(s.explain?.explore as object)).toEqual(space.map(() => note));
        if (p === '0') expect(s.params).toEqual(sim.trial(s.parent as string).params);
      }
    }
    // Half the parameters on average: over 20 generations both outcomes must occur.
    const half = new Sim({ settings: pbtSettings({ resample_probability: '0.5' }) });
    half.run(120, 6, bySlot);
    const notes = half.results.flatMap((r) =>
      r.suggestions.flatMap((s) => Object.values((s.explain?.explore ?? {}) as Record<string, string>)),
    );
    expect(new Set(notes)).toEqual(new Set(['kept', 'resampled']));
  });

  it('each generation waits for the one before it, indefinitely without n_generations', () => {
    const sim = new Sim({ settings: pbtSettings() });
    sim.run(60, 4, bySlot);
    expect(sim.results.some((r) => r.exhausted === true)).toBe(false);
    expect(sim.trials.at(-1)?.labels?.[generationLabel]).toBe('9');
  });

  it('stops after n_generations complete generations', () => {
    const sim = new Sim({ settings: pbtSettings({ n_generations: '2' }) });
    sim.run(100, 4, bySlot);
    expect(sim.trials.length).toBe(12);
    expect(sim.results.at(-1)).toMatchObject({ suggestions: [], exhausted: true });
    expect(sim.ask(3)).toMatchObject({ suggestions: [], exhausted: true });
  });
});

describe('pbt re-queues members whose trial did not complete', () => {
  // 'Succeeded' here has no objective (the metric was never reported).
  const outcomes = ['Failed', 'Killed', 'MetricsUnavailable', 'Succeeded'] as const;
  it.each(outcomes)('%s without objective: same params, parent and generation, under a new name', (state) => {
    const sim = new Sim({ settings: pbtSettings() });
    sim.run(6, 6, bySlot);
    sim.ask(6);
    for (const k of [0, 1, 2, 3, 5]) sim.finish(`demo-g1-${k}`, 'Succeeded', k);
    sim.finish('demo-g1-4', state);
    const failed = sim.trial('demo-g1-4');
    const retry = sim.ask(3).suggestions;
    expect(retry.map((s) => s.name)).toEqual(['demo-g1-4-r1']);
    expect(retry[0]?.params).toEqual(failed.params);
    expect(retry[0]?.parent).toBe(failed.parent);
    expect(retry[0]?.labels).toEqual({ [generationLabel]: '1', [parentLabel]: failed.parent });
    expect(retry[0]?.explain).toMatchObject({ generation: 1, action: 'requeue', from: 'demo-g1-4', attempt: 1 });
    // The generation completes only once the retry has.
    expect(sim.ask(3).suggestions).toEqual([]);
    sim.finish('demo-g1-4-r1', 'Killed');
    expect(sim.ask(3).suggestions.map((s) => s.name)).toEqual(['demo-g1-4-r2']);
    sim.finish('demo-g1-4-r2', 'Succeeded', 4);
    expect(sim.ask(3).suggestions.map((s) => s.name)).toEqual(['demo-g2-0', 'demo-g2-1', 'demo-g2-2']);
  });

  it('counts EarlyStopped with an objective as completed', () => {
    const sim = new Sim({ settings: pbtSettings() });
    sim.ask(6);
    for (const k of [0, 1, 2, 3, 4]) sim.finish(`demo-g0-${k}`, 'Succeeded', k);
    sim.finish('demo-g0-5', 'EarlyStopped', 5);
    expect(sim.ask(6).suggestions.every((s) => s.labels?.[generationLabel] === '1')).toBe(true);
  });

  it('ranks a NaN objective last instead of retrying it forever', () => {
    const sim = new Sim({ settings: pbtSettings({ truncation_threshold: '0.2' }) });
    sim.ask(6);
    for (const k of [0, 1, 2, 3, 4]) sim.finish(`demo-g0-${k}`, 'Succeeded', k);
    sim.finish('demo-g0-5', 'Succeeded', Number.NaN);
    const exploited = sim.ask(6).suggestions.filter((s) => s.explain?.action === 'exploit');
    expect(exploited.map((s) => s.name)).toEqual(['demo-g1-5']);
    expect(exploited[0]?.parent).toBe('demo-g0-0');
  });
});

describe('pbt with a host that names trials itself', () => {
  it('matches trials by creation order and takes the real trial names as parents', () => {
    const sim = new Sim({ settings: pbtSettings(), rename: true });
    sim.run(12, 4, bySlotOfRenamed);
    const gen0 = sim.trials.slice(0, 6).map((t) => t.name);
    const gen1 = sim.trials.slice(6, 12);
    for (const t of gen1) expect(gen0).toContain(t.parent);
    // Continuing members keep their own trial as parent, in slot order.
    expect(gen1.filter((t) => t.parent === gen0[gen1.indexOf(t)]).length).toBeGreaterThanOrEqual(4);
  });
});

/** Objective for renamed trials (`trial-<n>`): their creation index. */
function bySlotOfRenamed(t: TrialView): number {
  return Number(t.name.replace('trial-', ''));
}
