import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { benchmarkFunction, heldOutFunctions, highDimFunctions, testFunctions } from '../../bench/search/functions.ts';
import { Rng } from '../../src/search/rng.ts';

// shared/ sits next to the repository (/work/main → /work/shared).
const shared = fileURLToPath(new URL('../../../shared/bench/', import.meta.url));
const script = `${shared}functions.py`;

/** The value `functions.py` prints for a point (`value=<repr>`). */
function python(name: string, x: readonly number[]): number {
  const out = execFileSync('/usr/bin/python3', [script, name, ...x.map(String)], { encoding: 'utf8' });
  const m = /value=(\S+)/.exec(out);
  if (!m) throw new Error(`unexpected output: ${out}`);
  return Number(m[1]);
}

// Per function: a known minimiser, a corner, and an arbitrary interior point.
const cases: [string, number[]][] = [
  ['branin', [Math.PI, 2.275]],
  ['branin', [-5, 15]],
  ['branin', [1.234, 7.89]],
  ['hartmann6', [0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573]],
  ['hartmann6', [0.9, 0.1, 0.3, 0.7, 0.05, 0.5]],
  ['rosenbrock4', [1, 1, 1, 1]],
  ['rosenbrock4', [-5, 10, 2.5, -1.25]],
  ['ackley5', [0, 0, 0, 0, 0]],
  ['ackley5', [1.5, -2.25, 30, -15, 7.7]],
];

describe('benchmark functions match shared/bench/functions.py', () => {
  it.each(cases)('%s at %j', (name, x) => {
    const ours = testFunctions[name]!.f(x);
    const theirs = python(name, x);
    expect(Math.abs(ours - theirs)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(theirs)));
  });

  it('has the bounds and optimum functions.py lists', () => {
    const listing = execFileSync(
      '/usr/bin/python3',
      ['-c', 'import json, functions; print(json.dumps({k: [v[0], v[1]] for k, v in functions.FUNCTIONS.items()}))'],
      { encoding: 'utf8', cwd: shared },
    );
    const theirs = JSON.parse(listing) as Record<string, [number[][], number]>;
    const ours = Object.fromEntries(
      Object.values(testFunctions).map((f) => [f.name, [f.bounds.map((b) => [...b]), f.optimum]]),
    );
    expect(ours).toEqual(theirs);
  });

  it('reaches the listed optimum at a known minimiser (within the listing rounding)', () => {
    expect(testFunctions.branin!.f([Math.PI, 2.275])).toBeCloseTo(testFunctions.branin!.optimum, 5);
    expect(testFunctions.rosenbrock4!.f([1, 1, 1, 1])).toBe(0);
    expect(Math.abs(testFunctions.ackley5!.f([0, 0, 0, 0, 0]))).toBeLessThan(1e-12);
  });
});

describe('held-out functions (parity checks outside the development set)', () => {
  const minimisers: Record<string, number[]> = {
    levy4: [1, 1, 1, 1],
    styblinski5: Array(5).fill(-2.903534),
    camel: [0.0898, -0.7126],
    rastrigin4: [0, 0, 0, 0],
    ellipsoid6: Array(6).fill(0),
    levy2: [1, 1],
    levy8: Array(8).fill(1),
    rastrigin2: [0, 0],
    rastrigin8: Array(8).fill(0),
    styblinski3: Array(3).fill(-2.903534),
    styblinski8: Array(8).fill(-2.903534),
    ackley2: [0, 0],
    ackley10: Array(10).fill(0),
  };

  it.each(Object.keys(heldOutFunctions))(
    '%s takes its listed optimum at the known minimiser, and nowhere lower',
    (name) => {
      const fn = heldOutFunctions[name]!;
      const x = minimisers[name]!;
      expect(x).toHaveLength(fn.bounds.length);
      expect(Math.abs(fn.f(x) - fn.optimum)).toBeLessThan(1e-4 * Math.max(1, Math.abs(fn.optimum)));
      const rng = new Rng(7);
      for (let i = 0; i < 2000; i++) {
        const p = fn.bounds.map(([lo, hi]) => lo + (hi - lo) * rng.next());
        expect(fn.f(p)).toBeGreaterThan(fn.optimum - 1e-4);
      }
    },
  );

  it('does not shadow the development set', () => {
    for (const name of Object.keys(heldOutFunctions)) expect(Object.hasOwn(testFunctions, name)).toBe(false);
  });
});

describe('high-dimensional functions (bench:search:highdim)', () => {
  const minimisers: Record<string, number> = { rosenbrock20: 1, ackley20: 0, levy20: 1 };

  it.each(Object.keys(highDimFunctions))('%s is 20-D, minimal at its known minimiser, inside its box', (name) => {
    const fn = highDimFunctions[name]!;
    expect(fn.bounds).toHaveLength(20);
    const x = Array(20).fill(minimisers[name]!);
    for (const [i, [lo, hi]] of fn.bounds.entries()) {
      expect(x[i]).toBeGreaterThanOrEqual(lo);
      expect(x[i]).toBeLessThanOrEqual(hi);
    }
    expect(Math.abs(fn.f(x) - fn.optimum)).toBeLessThan(1e-9);
    const rng = new Rng(11);
    for (let i = 0; i < 500; i++) {
      const p = fn.bounds.map(([lo, hi]) => lo + (hi - lo) * rng.next());
      expect(fn.f(p)).toBeGreaterThan(fn.optimum);
    }
    expect(benchmarkFunction(name)).toBe(fn);
  });

  it('keeps the optimum off the centre of the cube, so a search starting there gets no free answer', () => {
    for (const [name, fn] of Object.entries(highDimFunctions)) {
      const centre = fn.bounds.map(([lo, hi]) => (lo + hi) / 2);
      expect(fn.f(centre) - fn.optimum, name).toBeGreaterThan(1);
    }
  });
});
