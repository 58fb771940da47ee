import { describe, expect, it } from 'vitest';
import { selectSurvivors, tournament } from '../../../src/search/nsga2/survivors.ts';
import { Rng } from '../../../src/search/rng.ts';

describe('selectSurvivors', () => {
  const losses = [
    [0, 10], // 0: front 0, end
    [10, 0], // 1: front 0, end
    [5, 5], // 2: front 0, middle
    [4.9, 5.2], // 3: front 0, crowded next to 2
    [6, 6], // 4: front 1
    [9, 9], // 5: front 2
  ];

  it('keeps whole fronts in rank order and cuts the last one by crowding distance, ends first', () => {
    const all = losses.map((_, i) => i);
    expect(selectSurvivors(losses, all, 5, new Rng(1)).members).toEqual([0, 1, 2, 3, 4]);
    // Three of the first front: both ends (infinite distance), then the less crowded of 2 and 3.
    const three = selectSurvivors(losses, all, 3, new Rng(1)).members;
    expect(three).toContain(0);
    expect(three).toContain(1);
    expect(three).toHaveLength(3);
  });

  it('ranks the survivors for tournaments: a first-front member always beats a later one', () => {
    const pop = selectSurvivors(losses, [2, 4, 5], 3, new Rng(1));
    expect(pop.rank).toEqual([0, 1, 2]);
    const rng = new Rng(5);
    const wins = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      const w = tournament(pop, rng);
      wins.set(w, (wins.get(w) ?? 0) + 1);
    }
    // Member 2 wins every tournament it enters (5/9 of them); member 5 only when drawn twice (1/9).
    expect(wins.get(2)!).toBeGreaterThan(wins.get(4)!);
    expect(wins.get(4)!).toBeGreaterThan(wins.get(5)!);
  });

  it('uses NSGA-III niching for three objectives: one member per reference direction, not the extremes', () => {
    // Three points share the first axis's direction and hold most objectives' extremes (which crowding distance
    // would keep first); one point lies towards each other axis. All are mutually non-dominated.
    const three = [
      [0.9, 0.05, 0.05],
      [0.7, 0, 0.3],
      [0.7, 0.3, 0],
      [0.1, 0.8, 0.1],
      [0.1, 0.1, 0.8],
    ];
    const kept = selectSurvivors(three, [0, 1, 2, 3, 4], 3, new Rng(2)).members;
    expect(kept).toContain(3);
    expect(kept).toContain(4);
    expect(kept.filter((i) => i < 3)).toHaveLength(1);
  });
});
