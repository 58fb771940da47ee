import { describe, expect, it } from 'vitest';
import { contourData } from '../../src/analysis/contour.ts';
import { caught } from '../helpers.ts';
import { categorical, double, input, trial } from './inputs.ts';

describe('contour grid', () => {
  it('tiles both numeric ranges with resolution² cells whose bounds meet', () => {
    const space = [double('a', 0, 10), double('b', -1, 1)];
    const trials = [trial(0, { a: 1, b: 0 }, { objective: 1 }), trial(1, { a: 9, b: 0.5 }, { objective: 3 })];
    const d = contourData(input(space, trials), { resolution: 5 });
    expect(d.cells).toHaveLength(25);
    const xs = [...new Set(d.cells.map((c) => c.x0))].sort((p, q) => p! - q!);
    expect(xs).toEqual([0, 2, 4, 6, 8]);
    const first = d.cells[0]!;
    expect([first.x0, first.x, first.x1, first.y0, first.y, first.y1]).toEqual([0, 1, 2, -1, -0.8, -0.6]);
    // interpolation never leaves the range of the values it interpolates
    for (const c of d.cells) {
      expect(c.value).toBeGreaterThanOrEqual(1);
      expect(c.value).toBeLessThanOrEqual(3);
    }
  });

  it('gives a cell whose centre holds a trial that trial’s value, and nearer trials more weight', () => {
    const space = [double('a', 0, 10), double('b', 0, 10)];
    // resolution 5 → centres 1, 3, 5, 7, 9 on both axes
    const trials = [trial(0, { a: 1, b: 1 }, { objective: 10 }), trial(1, { a: 9, b: 9 }, { objective: 20 })];
    const d = contourData(input(space, trials), { resolution: 5 });
    const at = (x: number, y: number) => d.cells.find((c) => c.x === x && c.y === y)!.value;
    expect(at(1, 1)).toBe(10);
    expect(at(9, 9)).toBe(20);
    expect(at(5, 5)).toBeCloseTo(15, 12);
    expect(at(3, 3)).toBeLessThan(15);
    expect(at(7, 7)).toBeGreaterThan(15);
  });

  it('spaces log-scaled axes geometrically', () => {
    const space = [double('lr', 1e-4, 1, 'logUniform'), double('b')];
    const d = contourData(input(space, [trial(0, { lr: 0.01, b: 0.5 }, { objective: 1 })]), { resolution: 4 });
    const bounds = [...new Set(d.cells.map((c) => c.x0!))].sort((p, q) => p - q);
    expect(bounds.map((v) => Math.log10(v))).toEqual([-4, -3, -2, -1].map((v) => expect.closeTo(v, 12)));
  });

  it('gives a categorical axis one cell per category, interpolating only among trials of that category', () => {
    const space = [categorical('k', ['a', 'b', 'c']), double('x', 0, 1)];
    const trials = [
      trial(0, { k: 'a', x: 0.1 }, { objective: 1 }),
      trial(1, { k: 'a', x: 0.9 }, { objective: 1 }),
      trial(2, { k: 'b', x: 0.5 }, { objective: 7 }),
    ];
    const d = contourData(input(space, trials), { resolution: 4 });
    expect(new Set(d.cells.map((c) => c.x))).toEqual(new Set(['a', 'b']));
    for (const c of d.cells) expect(c.value).toBeCloseTo(c.x === 'a' ? 1 : 7, 12);
    expect(d.cells.every((c) => c.x0 === undefined && c.y0 !== undefined)).toBe(true);
  });

  it('averages each pair of categories when both axes are categorical', () => {
    const space = [categorical('k', ['a', 'b']), categorical('m', ['u', 'v'])];
    const trials = [
      trial(0, { k: 'a', m: 'u' }, { objective: 1 }),
      trial(1, { k: 'a', m: 'u' }, { objective: 3 }),
      trial(2, { k: 'b', m: 'v' }, { objective: 5 }),
    ];
    const d = contourData(input(space, trials));
    expect(d.cells.map((c) => [c.x, c.y, c.value])).toEqual([
      ['a', 'u', 2],
      ['b', 'v', 5],
    ]);
  });

  it('leaves out a trial whose value the axis cannot place (the space was edited since), not every cell', () => {
    const space = [double('a', 0, 10), double('b', 0, 10)];
    const trials = [
      trial(0, { a: 1, b: 1 }, { objective: 10 }),
      trial(1, { a: 'wide', b: 9 }, { objective: 20 }),
      trial(2, { b: 5 }, { objective: 30 }),
    ];
    const d = contourData(input(space, trials), { resolution: 3 });
    expect(d.trials.map((t) => t.trial)).toEqual(['exp-0']);
    expect(d.cells.map((c) => c.value)).toEqual(new Array(9).fill(10));
  });

  it('refuses a one-parameter space and a bad resolution, saying what to use instead', () => {
    const e = caught(() => contourData(input([double('x')], [trial(0, { x: 0 }, { objective: 1 })])));
    expect(e.message).toContain('needs two parameters');
    expect(e.message).toContain('slice plot');
    expect(e.isBadInput).toBe(true);
    const space = [double('a'), double('b')];
    const r = caught(() => contourData(input(space, [trial(0, { a: 0, b: 0 }, { objective: 1 })]), { resolution: 1 }));
    expect(r.message).toContain('from 2 to 200');
  });
});
