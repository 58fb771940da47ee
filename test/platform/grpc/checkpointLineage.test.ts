// Which PBT checkpoint folders no trial can be seeded from again (src/platform/grpc/checkpointLineage.ts).
import { describe, expect, it } from 'vitest';
import { deadCheckpoints } from '../../../src/platform/grpc/checkpointLineage.ts';
import { generationLabel, parentLabel } from '../../../src/search/pbt/pbt.ts';
import type { TrialState, TrialView } from '../../../src/search/types.ts';

function t(
  name: string,
  generation: number | undefined,
  state: TrialState,
  objective?: number,
  parent = '',
): TrialView {
  const labels =
    generation === undefined ? undefined : { [generationLabel]: String(generation), [parentLabel]: parent };
  return {
    name,
    params: {},
    state,
    ...(objective === undefined ? {} : { objective }),
    ...(labels === undefined ? {} : { labels }),
  };
}

const issued = (name: string, generation: number, parent: string) => ({
  name,
  labels: { [generationLabel]: String(generation), [parentLabel]: parent },
});

const maximize = { type: 'maximize' as const, metricName: 'acc' };

describe('deadCheckpoints', () => {
  const gen0 = [t('g0-0', 0, 'Succeeded', 0.1), t('g0-1', 0, 'Succeeded', 0.2), t('g0-2', 0, 'Failed')];
  const gen1 = [t('g1-0', 1, 'Succeeded', 0.3, 'g0-1'), t('g1-1', 1, 'Succeeded', 0.4, 'g0-1')];

  it.each([
    ['generation 1 being handed out: generation 0 is still the parents', [...gen0], [issued('g1-0', 1, 'g0-1')], []],
    [
      'generation 2 being handed out: generation 0 is dead',
      [...gen0, ...gen1],
      [issued('g2-0', 2, 'g1-1')],
      ['g0-0', 'g0-1', 'g0-2'],
    ],
    ['no generation labels (not PBT): nothing', [t('a', undefined, 'Succeeded', 1)], [], []],
  ])('%s', (_, trials, now, expected) => {
    expect(deadCheckpoints({ trials, issued: now, keepGenerations: 2, objective: maximize }).sort()).toEqual(expected);
  });

  it("keeps the best trial's folder, whatever its generation (it is the result)", () => {
    const best = [t('g0-0', 0, 'Succeeded', 0.9), ...gen1];
    expect(
      deadCheckpoints({ trials: best, issued: [issued('g2-0', 2, 'g1-1')], keepGenerations: 2, objective: maximize }),
    ).toEqual([]);
    const minimize = { type: 'minimize' as const, metricName: 'loss' };
    expect(
      deadCheckpoints({ trials: best, issued: [issued('g2-0', 2, 'g1-1')], keepGenerations: 2, objective: minimize }),
    ).toEqual(['g0-0']);
  });

  it('keeps the parent of a trial still running, and every trial still running', () => {
    const trials = [
      t('g0-0', 0, 'Succeeded', 0.1),
      t('g0-1', 0, 'Running'),
      t('g2-0', 2, 'Running', undefined, 'g0-0'),
      t('g1-0', 1, 'Succeeded', 0.5),
    ];
    expect(deadCheckpoints({ trials, issued: [], keepGenerations: 2, objective: maximize })).toEqual([]);
  });

  it('keeps more generations when asked, and never fewer than 2', () => {
    const trials = [...gen0, ...gen1, t('g2-0', 2, 'Succeeded', 0.8, 'g1-1')];
    const now = [issued('g3-0', 3, 'g2-0')];
    expect(deadCheckpoints({ trials, issued: now, keepGenerations: 3, objective: maximize }).sort()).toEqual([
      'g0-0',
      'g0-1',
      'g0-2',
    ]);
    expect(deadCheckpoints({ trials, issued: now, keepGenerations: 1, objective: maximize }).sort()).toEqual([
      'g0-0',
      'g0-1',
      'g0-2',
      'g1-0',
      'g1-1',
    ]);
  });
});
